/**
 * The loopback's namespace ops: names made, removed, linked and moved.
 *
 * Sync or async, per op: mkdir, rmdir, symlink and link touch one or two
 * inodes and run with fs.*Sync (no threadpool hop). unlink and rename run on
 * the threadpool: dropping the last name of a large file (or renaming over
 * one) frees all its extents inside the syscall. mknod of a special file
 * runs a child process, asynchronously.
 */
import { closeSync, constants, linkSync, mkdirSync, openSync, rmdirSync, symlinkSync, unlinkSync } from 'node:fs'
import { rename, unlink } from 'node:fs/promises'
import type { Caller, FsOps } from '../fuse/fs-ops.js'
import type { LoopbackContext } from './loopback-context.js'
import { makeSpecialNode } from './loopback-mknod.js'
import { settleDir, settleFile, settleNode } from './loopback-owner.js'

const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, S_IFMT, S_IFREG } = constants

export type TreeOps = Required<Pick<FsOps, 'unlink' | 'rename' | 'mkdir' | 'rmdir' | 'symlink' | 'link' | 'mknod'>>

/** Runs `settle` on a just-made entry; if it fails, removes the entry so no half-made one stays behind. */
function settleOrUndo (settle: () => void, undo: () => void): void {
  try {
    settle()
  } catch (err) {
    try { undo() } catch { /* the settle error is the one to report */ }
    throw err
  }
}

/** mknod(2) with type 0 or S_IFREG makes an empty regular file (the kernel uses it when create is missing). */
function makeRegular (ctx: LoopbackContext, real: string, mode: number, caller: Caller): void {
  const fd = openSync(real, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode & 0o7777)
  try {
    settleOrUndo(() => settleFile(ctx, real, fd, mode, caller), () => unlinkSync(real))
  } finally {
    closeSync(fd)
  }
}

export function treeOps (ctx: LoopbackContext): TreeOps {
  return {
    async unlink (path) {
      await unlink(ctx.real(path))
      ctx.changed(path)
    },
    async rename (from, to) {
      // rename(2) replaces an existing target atomically; libfuse 2 has no RENAME_NOREPLACE/EXCHANGE flags.
      await rename(ctx.real(from), ctx.real(to))
      ctx.changed(from)
      ctx.changed(to)
    },
    mkdir (path, mode, caller) {
      const real = ctx.real(path)
      mkdirSync(real, mode & 0o7777)
      settleOrUndo(() => settleDir(ctx, real, mode, caller), () => rmdirSync(real))
      ctx.changed(path)
    },
    rmdir (path) {
      rmdirSync(ctx.real(path))
      ctx.changed(path)
    },
    symlink (target, path, caller) {
      // The target is stored as given; the kernel resolves it in the caller's view, the daemon never follows it.
      const real = ctx.real(path)
      symlinkSync(target, real)
      settleOrUndo(() => settleNode(ctx, real, caller), () => unlinkSync(real))
      ctx.changed(path)
    },
    link (existing, path) {
      // link(2) does not follow a symlink at `existing`: the new name is a hard link to the symlink itself.
      linkSync(ctx.real(existing), ctx.real(path))
      ctx.changed(path)
    },
    async mknod (path, mode, dev, caller) {
      const real = ctx.real(path)
      const type = mode & S_IFMT
      if (type === 0 || type === S_IFREG) {
        makeRegular(ctx, real, mode, caller)
      } else {
        await makeSpecialNode(real, mode, dev)
        settleOrUndo(() => settleNode(ctx, real, caller), () => unlinkSync(real))
      }
      ctx.changed(path)
    }
  }
}
