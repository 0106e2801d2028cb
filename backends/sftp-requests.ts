/**
 * The SFTP requests the push target makes on one pooled connection, as
 * promises that honour an AbortSignal. SFTP cannot cancel a request, so an
 * abort kills the connection (the pool then drops it): an answer that came
 * later would be nobody's, and a fastPut would go on writing otherwise.
 */
import type { FileEntryWithStats, InputAttributes, Stats } from 'ssh2'
import type { SftpConnection } from './sftp-connection.js'
import { abortReason, isNoSuchFile } from './sftp-errors.js'
import type { RemoteEntry } from './remote-store.js'

type Done<T> = (err: Error | null | undefined, value?: T) => void

/** 32 writes of 128 KiB in flight per file: the shape measured best for fastGet (sftp-transfer.ts). */
const FAST_PUT = { concurrency: 32, chunkSize: 128 * 1024 }

export async function call<T> (conn: SftpConnection, signal: AbortSignal, start: (done: Done<T>) => void): Promise<T> {
  signal.throwIfAborted()
  return await new Promise<T>((resolve, reject) => {
    const onAbort = (): void => { conn.kill(); reject(abortReason(signal)) }
    signal.addEventListener('abort', onAbort, { once: true })
    const finish: Done<T> = (err, value) => {
      signal.removeEventListener('abort', onAbort)
      if (err !== undefined && err !== null) reject(err)
      else resolve(value as T)
    }
    // ssh2 throws at once for a request the server lacks (an extension): that is this request's failure.
    try {
      start(finish)
    } catch (err) {
      finish(err instanceof Error ? err : new Error(String(err)))
    }
  })
}

/** The entry at `path` without following a symlink, or undefined when there is none. */
export async function lstatEntry (conn: SftpConnection, path: string, signal: AbortSignal): Promise<RemoteEntry | undefined> {
  let st: Stats
  try {
    st = await call<Stats>(conn, signal, done => { conn.sftp.lstat(path, done) })
  } catch (err) {
    if (isNoSuchFile(err)) return undefined
    throw err
  }
  return await entryOf(conn, path, st, signal)
}

export async function entryOf (conn: SftpConnection, path: string, st: Stats, signal: AbortSignal): Promise<RemoteEntry> {
  const mode = st.mode & 0o7777
  if (st.isSymbolicLink()) return { type: 'symlink', target: await call<string>(conn, signal, done => { conn.sftp.readlink(path, done) }) }
  if (st.isDirectory()) return { type: 'dir', mode }
  return { type: 'file', mode, version: { size: st.size, mtimeMs: st.mtime * 1000 } }
}

/** The folder's entries (without . and ..), or undefined when it does not exist. */
export async function readdirOf (conn: SftpConnection, path: string, signal: AbortSignal): Promise<FileEntryWithStats[] | undefined> {
  try {
    const list = await call<FileEntryWithStats[]>(conn, signal, done => { conn.sftp.readdir(path, done) })
    return list.filter(e => e.filename !== '.' && e.filename !== '..')
  } catch (err) {
    if (isNoSuchFile(err)) return undefined
    throw err
  }
}

export async function fastPut (conn: SftpConnection, local: string, remote: string, mode: number, signal: AbortSignal): Promise<void> {
  await call<undefined>(conn, signal, done => { conn.sftp.fastPut(local, remote, { ...FAST_PUT, mode }, done) })
}

export async function setstat (conn: SftpConnection, path: string, attrs: InputAttributes, signal: AbortSignal): Promise<void> {
  await call<undefined>(conn, signal, done => { conn.sftp.setstat(path, attrs, done) })
}

/**
 * rename(2) semantics, replacing `to` atomically: OpenSSH's posix-rename
 * extension. Plain SFTP rename refuses an existing target, so without the
 * extension the old file is removed first (a short window without it).
 */
export async function replace (conn: SftpConnection, from: string, to: string, signal: AbortSignal): Promise<void> {
  try {
    await call<undefined>(conn, signal, done => { conn.sftp.ext_openssh_rename(from, to, done) })
  } catch (err) {
    if (!/does not support/i.test(String(err))) throw err
    await call<undefined>(conn, signal, done => { conn.sftp.unlink(to, done) }).catch(() => {})
    await call<undefined>(conn, signal, done => { conn.sftp.rename(from, to, done) })
  }
}

/** Runs `op`; a missing path counts as done (a removal that raced with someone else's). */
export async function ignoringMissing (op: Promise<unknown>): Promise<void> {
  try {
    await op
  } catch (err) {
    if (!isNoSuchFile(err)) throw err
  }
}
