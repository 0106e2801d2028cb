/**
 * The filesystem semantics a mode implements, independent of any FUSE binding.
 * Paths are absolute within the mount ('/', '/a/b'). Every op may answer
 * synchronously or with a promise (local-disk ops answer synchronously where
 * that measured faster; network-backed ones must never block) and fails by
 * throwing an FsError or a Node system error, whose `code` becomes the errno.
 */
export type MaybePromise<T> = T | Promise<T>

/** Who made the request: the process in the mount's user, as libfuse reports it. */
export interface Caller { readonly uid: number; readonly gid: number; readonly pid: number }

/** What getattr answers; times are milliseconds since the epoch (fractions allowed). */
export interface Stat {
  mode: number; uid: number; gid: number; size: number
  dev: number; nlink: number; ino: number; rdev: number
  blksize: number; blocks: number
  atimeMs: number; mtimeMs: number; ctimeMs: number
}

export interface StatFs {
  bsize: number; frsize: number; blocks: number; bfree: number; bavail: number
  files: number; ffree: number; favail: number; fsid: number; flag: number; namemax: number
}

/** A time for utimens: ms since the epoch, or null to leave that time unchanged (UTIME_OMIT). */
export type TimeSpecMs = number | null

/**
 * What open/create may answer instead of a bare handle: the handle and how the
 * kernel's page cache (one per file, shared by every handle) treats it; both
 * default to false. keepCache: this open keeps the pages already cached for
 * the file (without it the kernel drops them at every open). directIo: this
 * handle's reads and writes bypass the page cache, neither using nor filling
 * it, so they always reach read()/write() here with this handle.
 */
export interface OpenedHandle { readonly fh: number; readonly directIo?: boolean; readonly keepCache?: boolean }

/** A handle (> 0), alone or with its page cache flags. */
export type OpenResult = number | OpenedHandle

/**
 * `Handle`: what open/create answer. A mode whose opens never set page cache
 * flags can say `FsOps<number>` and keep bare handles in its own types.
 */
export interface FsOps<Handle extends OpenResult = OpenResult> {
  init?(): MaybePromise<void>
  /** Called once when the kernel session ends (umount or shutdown). */
  destroy?(): MaybePromise<void>
  getattr(path: string): MaybePromise<Stat>
  fgetattr?(path: string, fh: number): MaybePromise<Stat>
  readdir(path: string): MaybePromise<readonly string[]>
  statfs?(path: string): MaybePromise<StatFs>
  access?(path: string, mode: number): MaybePromise<void>
  readlink?(path: string): MaybePromise<string>

  /** Returns a file handle (> 0), optionally with its page cache flags. */
  open(path: string, flags: number, caller: Caller): MaybePromise<Handle>
  /** As open; the file is opened read-write (libfuse 2 passes no flags). */
  create?(path: string, mode: number, caller: Caller): MaybePromise<Handle>
  read(path: string, fh: number, buf: Buffer, length: number, position: number): MaybePromise<number>
  write?(path: string, fh: number, buf: Buffer, length: number, position: number): MaybePromise<number>
  flush?(path: string, fh: number): MaybePromise<void>
  fsync?(path: string, datasync: boolean, fh: number): MaybePromise<void>
  release(path: string, fh: number): MaybePromise<void>

  truncate?(path: string, size: number): MaybePromise<void>
  ftruncate?(path: string, fh: number, size: number): MaybePromise<void>
  unlink?(path: string): MaybePromise<void>
  rename?(from: string, to: string): MaybePromise<void>
  mkdir?(path: string, mode: number, caller: Caller): MaybePromise<void>
  rmdir?(path: string): MaybePromise<void>
  symlink?(target: string, path: string, caller: Caller): MaybePromise<void>
  link?(existing: string, path: string): MaybePromise<void>
  mknod?(path: string, mode: number, dev: number, caller: Caller): MaybePromise<void>
  chmod?(path: string, mode: number): MaybePromise<void>
  chown?(path: string, uid: number, gid: number): MaybePromise<void>
  utimens?(path: string, atimeMs: TimeSpecMs, mtimeMs: TimeSpecMs): MaybePromise<void>

  setxattr?(path: string, name: string, value: Buffer, flags: number): MaybePromise<void>
  /** Returns the value, or throws ENODATA when the attribute is absent. */
  getxattr?(path: string, name: string): MaybePromise<Buffer>
  listxattr?(path: string): MaybePromise<readonly string[]>
  removexattr?(path: string, name: string): MaybePromise<void>
}
