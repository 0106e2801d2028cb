/**
 * Types for the parts of fuse-native 2.2.6 (as patched by
 * patches/fuse-native+2.2.6.patch) that stalk uses. fuse-native ships no
 * declarations, and `import Fuse from 'fuse-native'` cannot be typed from a
 * module file (an untyped package cannot be augmented), so load it with
 * createRequire and these types:
 *
 *   import { createRequire } from 'node:module'
 *   import type { FuseConstructor } from './fuse-native-types.js'
 *   const Fuse = createRequire(import.meta.url)('fuse-native') as FuseConstructor
 *
 * Conventions of the binding: every callback's first argument is a number:
 * 0 or a negative errno (`Fuse.ENOENT`, or `-os.constants.errno.ENOENT`);
 * read/write pass the byte count there instead. Never pass null or undefined:
 * the native side would throw on the JS thread.
 */

/** uid, gid, pid and umask of the process that made the request being handled. */
export interface FuseContext { readonly uid: number; readonly gid: number; readonly pid: number; readonly umask: number }

/** A time fuse-native accepts in a stat: a Date or ms since the epoch (whole ms are kept). */
export type FuseTime = Date | number

/** ino may use 64 bits (exact up to 2^53); the others are 32-bit except size and blocks. */
export interface FuseStat {
  mode: number; uid: number; gid: number; size: number
  dev: number; nlink: number; ino: number; rdev: number
  blksize: number; blocks: number
  atime: FuseTime; mtime: FuseTime; ctime: FuseTime
}

/** All fields are sent as 32-bit unsigned integers. */
export interface FuseStatFs {
  bsize: number; frsize: number; blocks: number; bfree: number; bavail: number
  files: number; ffree: number; favail: number; fsid: number; flag: number; namemax: number
}

/** Done with a status: 0 or a negative errno. */
export type StatusCb = (status: number) => void
/** Done with a status and, when it is 0, a value. */
export type ValueCb<T> = (status: number, value?: T) => void
/** read/write: the byte count (>= 0) or a negative errno. */
export type CountCb = (countOrErrno: number) => void

/**
 * Per-handle page cache flags an open/create may answer with (patched in):
 * directIo: this handle's reads and writes bypass the page cache (fi->direct_io);
 * keepCache: opening does not drop the file's cached pages (fi->keep_cache; without
 * it the kernel invalidates them at every open). The mount's `autoCache` and
 * `kernelCache` options are applied after these and override keepCache.
 */
export interface FuseOpenFlags { readonly directIo?: boolean; readonly keepCache?: boolean }
/** open/create: the handle, and optionally its page cache flags (omitted: libfuse's defaults). */
export type OpenCb = (status: number, fd?: number, flags?: FuseOpenFlags) => void

/** Paths are absolute within the mount. Only the ops present are registered with libfuse. */
export interface FuseOps {
  init?(cb: StatusCb): void
  getattr?(path: string, cb: ValueCb<FuseStat>): void
  /** Called with the handle from open/create, e.g. right after create. */
  fgetattr?(path: string, fd: number, cb: ValueCb<FuseStat>): void
  statfs?(path: string, cb: ValueCb<FuseStatFs>): void
  access?(path: string, mode: number, cb: StatusCb): void
  readdir?(path: string, cb: (status: number, names?: readonly string[], stats?: readonly FuseStat[]) => void): void
  readlink?(path: string, cb: ValueCb<string>): void
  open?(path: string, flags: number, cb: OpenCb): void
  opendir?(path: string, flags: number, cb: ValueCb<number>): void
  /** libfuse 2 passes no open flags to create: open the file read-write. */
  create?(path: string, mode: number, cb: OpenCb): void
  /** buf wraps libfuse's memory: use it only until cb is called. */
  read?(path: string, fd: number, buf: Buffer, length: number, position: number, cb: CountCb): void
  write?(path: string, fd: number, buf: Buffer, length: number, position: number, cb: CountCb): void
  flush?(path: string, fd: number, cb: StatusCb): void
  /** datasync is 0 or 1. */
  fsync?(path: string, datasync: number, fd: number, cb: StatusCb): void
  fsyncdir?(path: string, datasync: number, fd: number, cb: StatusCb): void
  release?(path: string, fd: number, cb: StatusCb): void
  releasedir?(path: string, fd: number, cb: StatusCb): void
  truncate?(path: string, size: number, cb: StatusCb): void
  ftruncate?(path: string, fd: number, size: number, cb: StatusCb): void
  /** ms since the epoch (fractions carry sub-ms precision); null: leave that time unchanged (UTIME_OMIT). */
  utimens?(path: string, atime: number | null, mtime: number | null, cb: StatusCb): void
  chmod?(path: string, mode: number, cb: StatusCb): void
  chown?(path: string, uid: number, gid: number, cb: StatusCb): void
  mknod?(path: string, mode: number, dev: number, cb: StatusCb): void
  unlink?(path: string, cb: StatusCb): void
  rename?(from: string, to: string, cb: StatusCb): void
  /** existing: the name that exists; path: the new name. */
  link?(existing: string, path: string, cb: StatusCb): void
  /** target: what the link points to; path: the link's name. */
  symlink?(target: string, path: string, cb: StatusCb): void
  mkdir?(path: string, mode: number, cb: StatusCb): void
  rmdir?(path: string, cb: StatusCb): void
  /** position is always 0 on Linux. */
  setxattr?(path: string, name: string, value: Buffer, position: number, flags: number, cb: StatusCb): void
  /** Answer a value of null/undefined for "no such attribute" (ENODATA). */
  getxattr?(path: string, name: string, position: number, cb: (status: number, value?: Buffer | null) => void): void
  listxattr?(path: string, cb: ValueCb<readonly string[]>): void
  removexattr?(path: string, name: string, cb: StatusCb): void
}

/** The handler table passed to `new Fuse(mountpoint, handlers, opts)`. */
export type FuseHandlers = FuseOps

/** Per-op timeouts in ms (false: none); `default` applies to the ops not named. */
export type FuseTimeouts = { readonly default?: number } & { readonly [op in keyof FuseOps]?: number | false }

export interface FuseOptions {
  /** ms before an unanswered op fails with ETIMEDOUT (default 15000); false: never. */
  timeout?: number | false | FuseTimeouts
  /** Unmount a dead mount ("Transport endpoint is not connected") at the path first. */
  force?: boolean
  /** Create the mountpoint if it does not exist. */
  mkdir?: boolean
  debug?: boolean
  allowOther?: boolean
  allowRoot?: boolean
  autoUnmount?: boolean
  defaultPermissions?: boolean
  fsname?: string
  subtype?: string
  kernelCache?: boolean
  autoCache?: boolean
  /** Seconds; 0 is honoured (no caching). */
  entryTimeout?: number
  attrTimeout?: number
  acAttrTimeout?: number
  /** Override the owner/mode bits libfuse reports; 0 is honoured. umask as a number, e.g. 0o022. */
  uid?: number
  gid?: number
  umask?: number
  maxRead?: number
  /** -o big_writes: WRITE requests up to 128 KiB instead of 4 KiB. */
  bigWrites?: boolean
  /** -o use_ino: report st_ino from getattr (hard links share an inode number). */
  useIno?: boolean
  /** Appended to the -o list as given, e.g. ['max_write=65536', 'negative_timeout=1']. */
  extraOptions?: readonly string[]
}

/** A failed mount/unmount passes an Error; success passes null or nothing. */
export type DoneCb = (err?: Error | null) => void

export interface FuseInstance {
  /** The absolute mountpoint. */
  readonly mnt: string
  /** Mounts; cb runs once the kernel session is up (libfuse's init). */
  mount(cb: DoneCb): void
  /** fusermount -uz, then releases the native side. */
  unmount(cb: DoneCb): void
  /**
   * The requesting process, valid only during the synchronous part of an op
   * handler (like fuse_get_context()); null anywhere else. Copy it before the
   * first await or callback.
   */
  getContext(): FuseContext | null
}

/** The negative errno values fuse-native exports as static properties. */
export type FuseErrnoName =
  | 'EPERM' | 'ENOENT' | 'EINTR' | 'EIO' | 'ENXIO' | 'EBADF' | 'EAGAIN' | 'ENOMEM' | 'EACCES'
  | 'EBUSY' | 'EEXIST' | 'EXDEV' | 'ENODEV' | 'ENOTDIR' | 'EISDIR' | 'EINVAL' | 'ENFILE' | 'EMFILE'
  | 'EFBIG' | 'ENOSPC' | 'ESPIPE' | 'EROFS' | 'EMLINK' | 'ERANGE' | 'ENAMETOOLONG' | 'ENOSYS'
  | 'ENOTEMPTY' | 'ELOOP' | 'ENODATA' | 'EOVERFLOW' | 'EOPNOTSUPP' | 'ENOTCONN' | 'ETIMEDOUT'
  | 'ECONNREFUSED' | 'EHOSTUNREACH' | 'ESTALE' | 'EDQUOT'

export type FuseConstructor = Readonly<Record<FuseErrnoName, number>> & {
  new (mountpoint: string, ops: FuseOps, opts?: FuseOptions): FuseInstance
  /** Lazy unmount of any FUSE mount at the path (fusermount -uz, no shell). */
  unmount(mountpoint: string, cb: (err: Error | null) => void): void
}
