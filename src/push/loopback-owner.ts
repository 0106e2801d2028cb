/**
 * Finishing a just-created entry so it looks as if the caller had created it
 * on a local disk: the caller owns it (when the daemon runs as root, as an
 * allow_other mount does), and its mode is the one the kernel asked for.
 */
import { fchmodSync, fchownSync, chmodSync, lchownSync, lstatSync, statSync } from 'node:fs'
import { dirname } from 'node:path'
import type { Caller } from '../fuse/fs-ops.js'
import type { LoopbackContext } from './loopback-context.js'

// fs.constants has no S_ISGID.
const S_ISGID = 0o2000

function adopts (ctx: LoopbackContext, caller: Caller): boolean {
  return ctx.adoptsEntries && caller.uid !== 0
}

/** In a setgid directory the entry keeps the directory's group (-1: leave it), as it would locally. */
function groupFor (real: string, caller: Caller): number {
  return (statSync(dirname(real)).mode & S_ISGID) !== 0 ? -1 : caller.gid
}

/**
 * A regular file opened with O_CREAT. The kernel already applied the
 * caller's umask to `mode`; the daemon's own umask would strip bits a second
 * time, and chown by root clears setuid/setgid, so both are followed by an
 * fchmod to the requested mode. Works on the fd: no path race.
 */
export function settleFile (ctx: LoopbackContext, real: string, fd: number, mode: number, caller: Caller): void {
  const adopt = adopts(ctx, caller)
  if (adopt) fchownSync(fd, caller.uid, groupFor(real, caller))
  if (adopt || (mode & ctx.umask & 0o777) !== 0) fchmodSync(fd, mode & 0o7777)
}

/**
 * A new directory. chown leaves a directory's mode bits alone; only the
 * daemon's umask needs undoing, keeping the setgid bit inherited from the
 * parent (the kernel's `mode` does not carry it).
 */
export function settleDir (ctx: LoopbackContext, real: string, mode: number, caller: Caller): void {
  if (adopts(ctx, caller)) lchownSync(real, caller.uid, groupFor(real, caller))
  if ((mode & ctx.umask & 0o777) !== 0) {
    const inherited = lstatSync(real).mode & 0o7000
    chmodSync(real, inherited | (mode & 0o1777))
  }
}

/** A new symlink or special node: its mode is already exact (symlinks have none), only the owner changes. */
export function settleNode (ctx: LoopbackContext, real: string, caller: Caller): void {
  if (adopts(ctx, caller)) lchownSync(real, caller.uid, groupFor(real, caller))
}
