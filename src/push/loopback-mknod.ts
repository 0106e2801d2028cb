/**
 * Special files (FIFOs, character and block devices) for the loopback's
 * mknod. Node has no mknod(2), so coreutils' mknod(1) makes them, run as a
 * child with an argv array (no shell) and off the JS thread. Unix sockets
 * cannot be made that way and answer EPERM, which mknod(2) documents for
 * "the filesystem does not support the type of node requested"; ENOSYS would
 * tell the kernel the whole op is missing. Regular files never come here:
 * the caller opens them with O_CREAT|O_EXCL.
 */
import { execFile } from 'node:child_process'
import { constants, lstatSync } from 'node:fs'
import { FsError, type ErrnoName } from '../errors.js'

const { S_IFMT, S_IFIFO, S_IFCHR, S_IFBLK } = constants

/** glibc's gnu_dev_major/minor for the 32 bits of dev_t that FUSE hands over. */
function majorMinor (dev: number): [string, string] {
  const major = (dev >>> 8) & 0xfff
  const minor = (dev & 0xff) | ((dev >>> 12) & 0xfff00)
  return [String(major), String(minor)]
}

function typeArgs (mode: number, dev: number): string[] {
  switch (mode & S_IFMT) {
    case S_IFIFO: return ['p']
    case S_IFCHR: return ['c', ...majorMinor(dev)]
    case S_IFBLK: return ['b', ...majorMinor(dev)]
    default: throw new FsError('EPERM', `mknod of type 0${(mode & S_IFMT).toString(8)} is not supported`)
  }
}

/** mknod(1) reports failures only as strerror text (in the C locale); these are the ones it can hit. */
const messages: ReadonlyArray<[string, ErrnoName]> = [
  ['File exists', 'EEXIST'], ['No such file or directory', 'ENOENT'], ['Not a directory', 'ENOTDIR'],
  ['Permission denied', 'EACCES'], ['Operation not permitted', 'EPERM'], ['No space left on device', 'ENOSPC'],
  ['Read-only file system', 'EROFS'], ['Disk quota exceeded', 'EDQUOT'], ['File name too long', 'ENAMETOOLONG'],
  ['Too many levels of symbolic links', 'ELOOP'], ['Invalid argument', 'EINVAL']
]

function errorFrom (stderr: string, cause: Error): FsError {
  const text = stderr.trim()
  const hit = messages.find(([m]) => text.endsWith(m))
  return new FsError(hit?.[1] ?? 'EIO', `mknod: ${text || cause.message}`, { cause })
}

/** Makes a FIFO or device node at `real` with exactly `mode`'s permission bits (mknod -m ignores the umask). */
export function makeSpecialNode (real: string, mode: number, dev: number): Promise<void> {
  const type = typeArgs(mode, dev)
  // The common failure gets a proper code here rather than one parsed from text.
  if (lstatSync(real, { throwIfNoEntry: false }) !== undefined) throw new FsError('EEXIST', `mknod: ${real} exists`)
  const argv = ['-m', (mode & 0o7777).toString(8), '--', real, ...type]
  return new Promise((resolve, reject) => {
    execFile('mknod', argv, { env: { ...process.env, LC_ALL: 'C' }, timeout: 10_000 }, (err, _out, stderr) => {
      if (err) reject(errorFrom(stderr, err))
      else resolve()
    })
  })
}
