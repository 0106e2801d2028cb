/**
 * The only file that knows fuse-native: it turns an FsOps (promise or sync
 * answers, thrown errors) into fuse-native's callback handlers, maps errors
 * to errno once, and logs. Everything above it is testable without a kernel.
 */
import { createRequire } from 'node:module'
import { dirname } from 'node:path'
import type { FsOps, OpenResult, Stat } from './fs-ops.js'
import type { FuseConstructor, FuseHandlers, FuseInstance, FuseOptions, FuseStat, OpenCb } from './fuse-native-types.js'
import { errnoOf, describe } from '../errors.js'
import type { Logger } from '../logger.js'
import { raiseReadAhead } from '../mount/read-ahead.js'

const require = createRequire(import.meta.url)
const Fuse = require('fuse-native') as FuseConstructor

export interface MountOptions {
  /** The device name `mount` shows (stem -n). */
  readonly fsname: string
  readonly allowOther: boolean
  /** Per-op time limit in ms after which fuse-native answers ETIMEDOUT; false for none. */
  readonly opTimeoutMs: number | false
  /** Kernel attribute/entry cache lifetimes in seconds. */
  readonly attrTimeoutS: number
  readonly entryTimeoutS: number
  /**
   * libfuse's auto_cache: keep the page cache across opens unless mtime/size
   * changed. Overrides the keepCache an open answers, so a mode that decides
   * per open (pull mode) leaves it off.
   */
  readonly autoCache: boolean
  readonly log: Logger
  /** One debug line per FUSE op (stem -d). */
  readonly traceOps: boolean
}

export interface MountHandle {
  readonly mountpoint: string
  /** Detach the mount (lazy: open files keep working until closed). */
  unmount(): Promise<void>
  /**
   * After the mount vanished from outside (umount, fusermount -u): lets go
   * of the event loop, which fuse-native holds until its own unmount runs,
   * and that fails on a path that is no longer mounted. A daemon exits
   * anyway; a program embedding the mount would never end without it.
   */
  release(): void
}

const EIO = -5
/** Sequential reads keep 1 MiB in flight instead of libfuse 2's 128 KiB (bench/README.md). */
const READ_AHEAD_KB = 1024

/** Turns a thrown error into a negative errno; unknown errors are logged and become EIO. */
function toErrno (err: unknown, op: string, path: string, log: Logger): number {
  const n = errnoOf(err)
  if (n !== undefined) return n
  log.error({ op, path, err: describe(err) }, 'unexpected error in filesystem op; answering EIO')
  return EIO
}

function toFuseStat (s: Stat): FuseStat {
  return {
    mode: s.mode, uid: s.uid, gid: s.gid, size: s.size, dev: s.dev, nlink: s.nlink, ino: s.ino,
    rdev: s.rdev, blksize: s.blksize, blocks: s.blocks, atime: s.atimeMs, mtime: s.mtimeMs, ctime: s.ctimeMs
  }
}

type Reply = (code: number) => void

/** Answers an open/create: a bare handle as before, page cache flags only when the op gave some. */
function replyOpen (cb: OpenCb, r: OpenResult): void {
  if (typeof r === 'number') { cb(0, r); return }
  cb(0, r.fh, { directIo: r.directIo === true, keepCache: r.keepCache === true })
}

/**
 * Runs one op: calls `fn`, answers `reply(0, value)` or `reply(-errno)`.
 * Synchronous answers skip the promise machinery: on the local-disk path
 * that saves a microtask per request.
 */
function run<T> (ctx: OpContext, op: string, path: string, fn: () => T | Promise<T>, ok: (v: T) => void, reply: Reply): void {
  const fail = (err: unknown): void => {
    const code = toErrno(err, op, path, ctx.log)
    if (ctx.trace) ctx.log.debug({ op, path, errno: code }, 'fuse op failed')
    reply(code)
  }
  let r: T | Promise<T>
  try { r = fn() } catch (err) { fail(err); return }
  if (r instanceof Promise) {
    r.then(v => { if (ctx.trace) ctx.log.debug({ op, path }, 'fuse op'); ok(v) }, fail)
  } else {
    if (ctx.trace) ctx.log.debug({ op, path }, 'fuse op')
    ok(r)
  }
}

interface OpContext { readonly log: Logger; readonly trace: boolean; readonly fuse: () => FuseInstance }

function callerOf (ctx: OpContext): { uid: number; gid: number; pid: number } {
  const c = ctx.fuse().getContext()
  // null only outside a request; then the daemon itself is the caller
  if (c === null) return { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0, pid: process.pid }
  return { uid: c.uid, gid: c.gid, pid: c.pid }
}

/** Builds fuse-native's handler table from the ops the mode implements. */
function makeHandlers (ops: FsOps, ctx: OpContext): FuseHandlers {
  const h: FuseHandlers = {}
  const done = (cb: Reply) => () => cb(0)
  h.init = cb => run(ctx, 'init', '/', () => ops.init?.(), done(cb), cb)
  h.getattr = (p, cb) => run(ctx, 'getattr', p, () => ops.getattr(p), s => cb(0, toFuseStat(s)), cb)
  if (ops.fgetattr) {
    const f = ops.fgetattr.bind(ops)
    h.fgetattr = (p, fd, cb) => run(ctx, 'fgetattr', p, () => f(p, fd), s => cb(0, toFuseStat(s)), cb)
  }
  h.readdir = (p, cb) => run(ctx, 'readdir', p, () => ops.readdir(p), names => cb(0, names), cb)
  h.open = (p, flags, cb) => {
    const caller = callerOf(ctx)
    run(ctx, 'open', p, () => ops.open(p, flags, caller), r => replyOpen(cb, r), cb)
  }
  h.read = (p, fd, buf, len, pos, cb) => run(ctx, 'read', p, () => ops.read(p, fd, buf, len, pos), n => cb(n), cb)
  h.release = (p, fd, cb) => run(ctx, 'release', p, () => ops.release(p, fd), done(cb), cb)
  addOptional(h, ops, ctx)
  addMutating(h, ops, ctx)
  addXattr(h, ops, ctx)
  return h
}

function addOptional (h: FuseHandlers, ops: FsOps, ctx: OpContext): void {
  const done = (cb: Reply) => () => cb(0)
  const { statfs, access, readlink, flush, fsync } = ops
  if (statfs) h.statfs = (p, cb) => run(ctx, 'statfs', p, () => statfs.call(ops, p), s => cb(0, s), cb)
  if (access) h.access = (p, mode, cb) => run(ctx, 'access', p, () => access.call(ops, p, mode), done(cb), cb)
  if (readlink) h.readlink = (p, cb) => run(ctx, 'readlink', p, () => readlink.call(ops, p), t => cb(0, t), cb)
  if (flush) h.flush = (p, fd, cb) => run(ctx, 'flush', p, () => flush.call(ops, p, fd), done(cb), cb)
  if (fsync) h.fsync = (p, ds, fd, cb) => run(ctx, 'fsync', p, () => fsync.call(ops, p, ds !== 0, fd), done(cb), cb)
}

function addMutating (h: FuseHandlers, ops: FsOps, ctx: OpContext): void {
  const done = (cb: Reply) => () => cb(0)
  const o = ops
  if (o.create) {
    const create = o.create.bind(o)
    h.create = (p, mode, cb) => { const c = callerOf(ctx); run(ctx, 'create', p, () => create(p, mode, c), r => replyOpen(cb, r), cb) }
  }
  if (o.write) {
    const write = o.write.bind(o)
    h.write = (p, fd, buf, len, pos, cb) => run(ctx, 'write', p, () => write(p, fd, buf, len, pos), n => cb(n), cb)
  }
  if (o.mkdir) {
    const mkdir = o.mkdir.bind(o)
    h.mkdir = (p, mode, cb) => { const c = callerOf(ctx); run(ctx, 'mkdir', p, () => mkdir(p, mode, c), done(cb), cb) }
  }
  if (o.symlink) {
    const symlink = o.symlink.bind(o)
    h.symlink = (target, p, cb) => { const c = callerOf(ctx); run(ctx, 'symlink', p, () => symlink(target, p, c), done(cb), cb) }
  }
  if (o.mknod) {
    const mknod = o.mknod.bind(o)
    h.mknod = (p, mode, dev, cb) => { const c = callerOf(ctx); run(ctx, 'mknod', p, () => mknod(p, mode, dev, c), done(cb), cb) }
  }
  const simple = ['truncate', 'ftruncate', 'unlink', 'rename', 'rmdir', 'link', 'chmod', 'chown', 'utimens'] as const
  for (const name of simple) {
    const fn = o[name] as ((...a: unknown[]) => unknown) | undefined
    if (!fn) continue
    // fuse-native passes (path, ...args, cb); the FsOps method takes the same leading args.
    ;(h as Record<string, unknown>)[name] = (...args: unknown[]) => {
      const cb = args.pop() as Reply
      const p = String(name === 'link' ? args[1] : args[0])
      run(ctx, name, p, () => fn.apply(o, args), done(cb), cb)
    }
  }
}

function addXattr (h: FuseHandlers, ops: FsOps, ctx: OpContext): void {
  const done = (cb: Reply) => () => cb(0)
  const { setxattr, getxattr, listxattr, removexattr } = ops
  if (setxattr) h.setxattr = (p, name, value, _pos, flags, cb) => run(ctx, 'setxattr', p, () => setxattr.call(ops, p, name, value, flags), done(cb), cb)
  if (getxattr) h.getxattr = (p, name, _pos, cb) => run(ctx, 'getxattr', p, () => getxattr.call(ops, p, name), v => cb(0, v), cb)
  if (listxattr) h.listxattr = (p, cb) => run(ctx, 'listxattr', p, () => listxattr.call(ops, p), l => cb(0, l), cb)
  if (removexattr) h.removexattr = (p, name, cb) => run(ctx, 'removexattr', p, () => removexattr.call(ops, p, name), done(cb), cb)
}

function fuseOptions (o: MountOptions): FuseOptions {
  return {
    fsname: o.fsname,
    subtype: 'stalk',
    allowOther: o.allowOther,
    timeout: o.opTimeoutMs,
    attrTimeout: o.attrTimeoutS,
    entryTimeout: o.entryTimeoutS,
    autoCache: o.autoCache,
    // 128 KiB writes instead of 4 KiB ones: 17x faster sequential writes (bench/README.md).
    bigWrites: true,
    // hard-linked names show one inode, as on the backing filesystem
    useIno: true,
    // the kernel checks modes and owners as the backing filesystem would; without it a
    // root daemon with allow_other would let any user read anything
    defaultPermissions: true,
    // unlink of an open file really unlinks (our handles are fds): no .fuse_hidden
    // files appear in root, where the syncer would copy them
    extraOptions: ['hard_remove'],
    force: false,
    mkdir: false
  }
}

/** Mounts `ops` at `mountpoint` and resolves once the kernel has the mount. */
export function mountFs (ops: FsOps, mountpoint: string, o: MountOptions): Promise<MountHandle> {
  let fuse: FuseInstance | undefined
  const ctx: OpContext = {
    log: o.log,
    trace: o.traceOps,
    fuse: () => { if (!fuse) throw new Error('fuse not mounted'); return fuse }
  }
  fuse = new Fuse(mountpoint, makeHandlers(ops, ctx), fuseOptions(o))
  const f = fuse
  return new Promise((resolve, reject) => {
    f.mount(err => {
      if (err) { reject(new Error(`mount at ${mountpoint} failed: ${err.message}`, { cause: err })); return }
      void raiseReadAhead(mountpoint, READ_AHEAD_KB).then(r => o.log.debug({ mountpoint }, r))
      let released = false
      resolve({
        mountpoint,
        unmount: () => new Promise<void>((res, rej) => f.unmount(e => { if (e) { rej(e); return } released = true; res() })),
        release: () => { if (!released) releaseSession(f); released = true }
      })
    })
  })
}

/**
 * The native half of fuse-native's unmount without its fusermount: unrefs
 * the async handle that wakes the JS thread for requests. The addon is
 * node-gyp-build's cached module, the very one fuse-native loaded.
 */
function releaseSession (f: FuseInstance): void {
  const dir = dirname(require.resolve('fuse-native/package.json'))
  const binding = (require('node-gyp-build') as (d: string) => { fuse_native_unmount(mnt: string, thread: Buffer): void })(dir)
  const thread = (f as unknown as { _thread?: Buffer })._thread
  if (thread !== undefined) binding.fuse_native_unmount(f.mnt, thread)
}
