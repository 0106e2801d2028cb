/**
 * Puts one local file on the SFTP server without ever leaving it
 * half-written under its own name: the bytes go to `.NAME.stalk-tmp` in the
 * same folder (parallel chunked writes: ssh2's fastPut), its mode and mtime
 * are set there, then it is renamed over NAME in one step (posix-rename).
 * A reader of NAME sees the old file or the new one, never a mix.
 *
 * A temp file left by a failure is removed when the connection still
 * works; after an abort (the connection is killed) or a crash, the next
 * full comparison removes it, like any file that is not in root.
 */
import { stat } from 'node:fs/promises'
import { posix } from 'node:path'
import type { Stats } from 'ssh2'
import { BackendError } from '../src/errors.js'
import { LocalChanged, type LocalFile, type RemoteVersion } from './remote-store.js'
import type { SftpConnection } from './sftp-connection.js'
import { call, fastPut, ignoringMissing, replace, setstat } from './sftp-requests.js'

export function tempNameOf (abs: string): string {
  return posix.join(posix.dirname(abs), `.${posix.basename(abs)}.stalk-tmp`)
}

/** Uploads `file` to the remote path `abs`; the version (size and whole-second mtime) it then has. */
export async function uploadViaTemp (conn: SftpConnection, abs: string, file: LocalFile, signal: AbortSignal): Promise<RemoteVersion> {
  const tmp = tempNameOf(abs)
  try {
    await fastPut(conn, file.abs, tmp, file.mode, signal)
    // SFTP times are whole seconds; the mtime lets a later run recognise this very upload (sameContent).
    const sec = Math.floor(file.mtimeMs / 1000)
    await setstat(conn, tmp, { mode: file.mode, atime: sec, mtime: sec }, signal)
    const st = await call<Stats>(conn, signal, done => { conn.sftp.lstat(tmp, done) })
    await assertComplete(file, st.size, abs)
    await replace(conn, tmp, abs, signal)
    return { size: st.size, mtimeMs: st.mtime * 1000 }
  } catch (err) {
    if (!signal.aborted && conn.alive) {
      await ignoringMissing(call<undefined>(conn, signal, done => { conn.sftp.unlink(tmp, done) })).catch(() => {})
    }
    throw err
  }
}

/** The server got every byte; a local file that changed meanwhile is left for the next round. */
async function assertComplete (file: LocalFile, remoteSize: number, abs: string): Promise<void> {
  const now = await stat(file.abs, { bigint: true }).catch(() => undefined)
  if (now === undefined || Number(now.size) !== file.size || Number(now.mtimeNs / 1_000_000n) !== file.mtimeMs) {
    throw new LocalChanged(`${file.abs} changed while it was sent`)
  }
  if (remoteSize !== file.size) {
    throw new BackendError('unavailable', `${abs}: sent ${file.size} bytes, the server holds ${remoteSize}`)
  }
}
