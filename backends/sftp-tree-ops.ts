/**
 * Folder-level SFTP work of the push target: listing the whole tree,
 * making the destination folder ready, removing a folder with everything
 * in it, and the write check. Like rsync, the destination folder itself is
 * created when missing, but not its parents: a missing parent usually means
 * a typo in the path. A destination that is a symlink to a folder is used
 * as that folder.
 */
import { randomBytes } from 'node:crypto'
import { posix } from 'node:path'
import type { Stats } from 'ssh2'
import { BackendError, describe } from '../src/errors.js'
import type { RemoteEntry } from './remote-store.js'
import type { SftpConnection } from './sftp-connection.js'
import { isNoSuchFile } from './sftp-errors.js'
import { call, entryOf, ignoringMissing, readdirOf, setstat } from './sftp-requests.js'

/**
 * The whole tree under a remote folder, for a full comparison: relative
 * path → entry; empty when `base` does not exist. READDIR of each folder
 * (OpenSSH answers with lstat attributes, so symlinks show as symlinks),
 * READLINK for each symlink. The subfolders of a folder are read together
 * on the one connection: SFTP answers requests in flight in any order, so
 * the walk costs about one round trip per level, not per folder.
 */
export async function listTree (conn: SftpConnection, base: string, signal: AbortSignal): Promise<Map<string, RemoteEntry>> {
  const out = new Map<string, RemoteEntry>()
  const walk = async (rel: string): Promise<void> => {
    const abs = rel === '' ? base : posix.join(base, rel)
    const list = await readdirOf(conn, abs, signal) ?? []
    const found = await Promise.all(list.map(async e =>
      ({ path: rel === '' ? e.filename : `${rel}/${e.filename}`, entry: await entryOf(conn, posix.join(abs, e.filename), e.attrs, signal) })))
    for (const { path, entry } of found) out.set(path, entry)
    await Promise.all(found.filter(f => f.entry.type === 'dir').map(f => walk(f.path)))
  }
  await walk('')
  return out
}

/**
 * The destination exists as a folder with root's permission bits. A folder
 * that exists but belongs to someone else cannot take them: that is only
 * `warn`ed about, since writing into it may still be allowed.
 */
export async function prepareDir (conn: SftpConnection, dir: string, mode: number, signal: AbortSignal,
  warn: (message: string) => void): Promise<void> {
  const st = await statOf(conn, dir, signal)
  if (st === undefined) {
    await mustHaveParent(conn, dir, signal)
    await call<undefined>(conn, signal, done => { conn.sftp.mkdir(dir, { mode }, done) })
    await setstat(conn, dir, { mode }, signal)
  } else if (!st.isDirectory()) {
    throw new BackendError('invalid', `${dir} exists and is not a folder`)
  } else if ((st.mode & 0o7777) !== mode) {
    await setstat(conn, dir, { mode }, signal).catch((err: unknown) => {
      signal.throwIfAborted()
      warn(`cannot give ${dir} root's permission bits ${mode.toString(8)} (${describe(err)}); mirroring into it as it is`)
    })
  }
}

/** rm -r: a folder and its contents; a missing one is fine. */
export async function removeTree (conn: SftpConnection, abs: string, signal: AbortSignal): Promise<void> {
  try {
    await ignoringMissing(call<undefined>(conn, signal, done => { conn.sftp.rmdir(abs, done) }))
    return
  } catch {
    // Not empty (SFTP says only "failure"): empty it, then try again.
  }
  for (const e of await readdirOf(conn, abs, signal) ?? []) {
    const child = posix.join(abs, e.filename)
    if (e.attrs.isDirectory()) await removeTree(conn, child, signal)
    else await ignoringMissing(call<undefined>(conn, signal, done => { conn.sftp.unlink(child, done) }))
  }
  await ignoringMissing(call<undefined>(conn, signal, done => { conn.sftp.rmdir(abs, done) }))
}

/**
 * The destination folder takes a new file (a probe, created and removed);
 * when it does not exist yet, its parent takes a new folder, since the
 * first mirror creates it there.
 */
export async function checkWritable (conn: SftpConnection, dir: string, signal: AbortSignal): Promise<void> {
  const probe = `.stalk-probe-${randomBytes(6).toString('hex')}`
  const st = await statOf(conn, dir, signal)
  if (st !== undefined && !st.isDirectory()) throw new BackendError('invalid', `${dir} exists and is not a folder`)
  if (st !== undefined) {
    const file = posix.join(dir, probe)
    const handle = await call<Buffer>(conn, signal, done => { conn.sftp.open(file, 'w', done) })
    await call<undefined>(conn, signal, done => { conn.sftp.close(handle, done) })
    await call<undefined>(conn, signal, done => { conn.sftp.unlink(file, done) })
    return
  }
  const parent = await mustHaveParent(conn, dir, signal)
  const folder = posix.join(parent, probe)
  await call<undefined>(conn, signal, done => { conn.sftp.mkdir(folder, done) })
  await call<undefined>(conn, signal, done => { conn.sftp.rmdir(folder, done) })
}

async function mustHaveParent (conn: SftpConnection, dir: string, signal: AbortSignal): Promise<string> {
  const parent = posix.dirname(dir)
  const st = await statOf(conn, parent, signal)
  if (st?.isDirectory() !== true) {
    throw new BackendError('not-found', `${dir} does not exist, and neither does its parent folder ${parent}`)
  }
  return parent
}

/** stat (symlinks followed), or undefined when nothing is there. */
async function statOf (conn: SftpConnection, path: string, signal: AbortSignal): Promise<Stats | undefined> {
  try {
    return await call<Stats>(conn, signal, done => { conn.sftp.stat(path, done) })
  } catch (err) {
    if (isNoSuchFile(err)) return undefined
    throw err
  }
}
