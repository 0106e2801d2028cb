/**
 * The loopback's attribute and lookup ops, by path.
 *
 * Sync or async, per op: getattr, readdir, statfs, access, readlink, chmod,
 * chown and utimens are one or two local syscalls and use fs.*Sync: getattr
 * is the most frequent request of all (~2 per file created) and a sync call
 * saves two thread hops on each. truncate runs on the threadpool: shrinking
 * a large file frees its extents inside the syscall.
 *
 * The final component is never followed: lstat, lchown and lutimes act on a
 * symlink itself, as the kernel asked.
 */
import { accessSync, chmodSync, lchownSync, lstatSync, lutimesSync, readdirSync, readlinkSync, statfsSync } from 'node:fs'
import { truncate } from 'node:fs/promises'
import { FsError } from '../errors.js'
import type { FsOps, StatFs, TimeSpecMs } from '../fuse/fs-ops.js'
import type { LoopbackContext } from './loopback-context.js'

export type AttrOps = Required<Pick<FsOps,
  'getattr' | 'readdir' | 'statfs' | 'access' | 'readlink' | 'truncate' | 'chmod' | 'chown' | 'utimens'>>

/** Node's statfs lacks frsize, favail, fsid, flag and namemax; Linux filesystems use frsize = bsize and 255-byte names. */
function statFsOf (real: string): StatFs {
  const s = statfsSync(real)
  return {
    bsize: s.bsize, frsize: s.bsize, blocks: s.blocks, bfree: s.bfree, bavail: s.bavail,
    files: s.files, ffree: s.ffree, favail: s.ffree, fsid: 0, flag: 0, namemax: 255
  }
}

/**
 * Seconds for lutimes. Node passes them to libuv as a double, which cuts them
 * to whole microseconds; near today's epoch a double of seconds only resolves
 * about 0.24 µs, so a time of ….057917 s arrived as ….0579169998 and was cut
 * to ….057916 (`cp -a` through the mount changed mtimes by 1 µs). Aiming at
 * the middle of the intended microsecond makes the cut land on it (libuv cuts
 * toward zero, so a time before 1970 aims below).
 *
 * As a numeric string: Node replaces a negative number with the current
 * time, so `touch -d 1960-01-01` through the mount set "now"; a numeric
 * string reaches libuv unchanged (a double prints and parses back exactly).
 */
function utimeSeconds (ms: number): string {
  const us = Math.round(ms * 1000)
  return String((us + (us >= 0 ? 0.5 : -0.5)) / 1e6)
}

/** A null time is UTIME_OMIT: the current value is written back (to the microsecond Node's utimes carries). */
function setTimes (real: string, atimeMs: TimeSpecMs, mtimeMs: TimeSpecMs): boolean {
  if (atimeMs !== null && mtimeMs !== null) {
    lutimesSync(real, utimeSeconds(atimeMs), utimeSeconds(mtimeMs))
    return true
  }
  const st = lstatSync(real)
  // Both omitted: utimensat(2) changes nothing, not even ctime, so there is nothing to report.
  if (atimeMs === null && mtimeMs === null) return false
  lutimesSync(real, utimeSeconds(atimeMs ?? st.atimeMs), utimeSeconds(mtimeMs ?? st.mtimeMs))
  return true
}

export function attrOps (ctx: LoopbackContext): AttrOps {
  return {
    // fs.Stats has every field of Stat: returned as is, no copy per request.
    getattr: path => lstatSync(ctx.real(path)),
    readdir: path => readdirSync(ctx.real(path)),
    statfs: path => statFsOf(ctx.real(path)),
    // Checked with the daemon's credentials: a root daemon on an allow_other mount needs default_permissions.
    access: (path, mode) => { accessSync(ctx.real(path), mode) },
    readlink: path => readlinkSync(ctx.real(path)),
    async truncate (path, size) {
      await truncate(ctx.real(path), size)
      ctx.changed(path)
    },
    chmod (path, mode) {
      const real = ctx.real(path)
      // Linux has no mode on symlinks (the kernel answers EOPNOTSUPP itself); chmod would follow one
      // swapped in since the lookup and change its target, possibly outside root.
      if (lstatSync(real).isSymbolicLink()) throw new FsError('EOPNOTSUPP', `chmod of a symlink: ${path}`)
      chmodSync(real, mode & 0o7777)
      ctx.changed(path)
    },
    chown (path, uid, gid) {
      // -1 (or 2^32-1 from a uint32) leaves that id unchanged, as in chown(2).
      lchownSync(ctx.real(path), uid, gid)
      ctx.changed(path)
    },
    utimens (path, atimeMs, mtimeMs) {
      if (setTimes(ctx.real(path), atimeMs, mtimeMs)) ctx.changed(path)
    }
  }
}
