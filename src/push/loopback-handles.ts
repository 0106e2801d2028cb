/**
 * The loopback's file-handle ops: the handle is the fd of the file under
 * root, so reads and writes are one pread/pwrite each.
 *
 * Sync or async, per op: open, create, read, write, release and fgetattr
 * use fs.*Sync. They touch the local disk for microseconds, and sync calls
 * skip two threadpool hops per request (PERF-BASELINE.md: +17–30 %
 * sequential throughput, +80 % random-read IOPS). fsync/fdatasync wait for
 * the device (seconds on a busy disk) and ftruncate may free or zero a large
 * file's extents, so they run on the threadpool and keep the JS thread (which
 * serves every other request) free.
 */
import { closeSync, constants, fdatasync, fstatSync, fsync, ftruncate, openSync, unlinkSync, writeSync } from 'node:fs'
import { promisify } from 'node:util'
import type { Caller, FsOps } from '../fuse/fs-ops.js'
import type { LoopbackContext } from './loopback-context.js'
import { settleFile } from './loopback-owner.js'
import { preadFull } from '../files/pread-full.js'

const { O_RDWR, O_CREAT, O_EXCL, O_TRUNC, O_NOFOLLOW, O_DIRECT } = constants
const fsyncAsync = promisify(fsync)
const fdatasyncAsync = promisify(fdatasync)
const ftruncateAsync = promisify(ftruncate)

export type HandleOps = Required<Pick<FsOps<number>,
  'open' | 'create' | 'read' | 'write' | 'flush' | 'fsync' | 'release' | 'ftruncate' | 'fgetattr'>>

/**
 * libfuse 2 passes create() no open flags. O_EXCL first, so that only an
 * entry this call really created is handed to the caller: if another
 * process made the name between the kernel's lookup and now, it is opened
 * as it is (what open(O_CREAT) without O_EXCL does) and keeps its owner.
 */
function createFile (ctx: LoopbackContext, path: string, mode: number, caller: Caller): number {
  const real = ctx.real(path)
  let fd: number
  try {
    fd = openSync(real, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW, mode)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    return openSync(real, O_RDWR | O_NOFOLLOW)
  }
  try {
    settleFile(ctx, real, fd, mode, caller)
  } catch (err) {
    // Leave no half-made file behind (e.g. owned by root in a user's folder).
    closeSync(fd)
    unlinkSync(real)
    throw err
  }
  return fd
}

export function handleOps (ctx: LoopbackContext): HandleOps {
  return {
    open (path, flags) {
      // O_DIRECT would make pread/pwrite into libfuse's unaligned buffers fail with EINVAL;
      // O_NOFOLLOW: the kernel resolved the name to a regular file, never follow a swapped-in symlink.
      const fd = openSync(ctx.real(path), (flags & ~O_DIRECT) | O_NOFOLLOW)
      // O_TRUNC only arrives here if the kernel negotiated atomic_o_trunc; it empties the file.
      if ((flags & O_TRUNC) !== 0) ctx.changed(path)
      return fd
    },
    create (path, mode, caller) {
      const fd = createFile(ctx, path, mode, caller)
      ctx.changed(path)
      return fd
    },
    read (_path, fh, buf, length, position) {
      return preadFull(fh, buf, length, position)
    },
    write (path, fh, buf, length, position) {
      const n = writeSync(fh, buf, 0, length, position)
      // Every write, not only the first per handle: a writer that keeps its file open
      // (a log) must keep re-arming the sync's quiet timer.
      ctx.changed(path)
      return n
    },
    // Nothing is buffered here: data is in the backing file as soon as write() returned.
    flush () {},
    fsync (_path, datasync, fh) {
      return datasync ? fdatasyncAsync(fh) : fsyncAsync(fh)
    },
    release (_path, fh) {
      closeSync(fh)
    },
    async ftruncate (path, fh, size) {
      await ftruncateAsync(fh, size)
      ctx.changed(path)
    },
    fgetattr (_path, fh) {
      return fstatSync(fh)
    }
  }
}
