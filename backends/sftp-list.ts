/**
 * One folder over SFTP: READDIR of the folder (ssh2 reads it in batches
 * until EOF and drops "." and ".."), with symlinks followed by a STAT each,
 * as rsync's --copy-links does for rsync origins: a link to a file is served
 * as that file, a link to a folder as that folder, and a dangling link, a
 * socket or a device is left out. The stats of the links are sent together:
 * ssh2 pipelines them on the one channel.
 */
import type { FileEntryWithStats, Stats } from 'ssh2'
import type { ListEntry } from './backend.js'
import type { SftpConnection } from './sftp-connection.js'
import { remoteStat, untilAborted } from './sftp-transfer.js'

/** The entries of `dir` ('' is the login folder; otherwise a path ending in '/'). */
export async function listSftpFolder (conn: SftpConnection, dir: string, signal?: AbortSignal): Promise<ListEntry[]> {
  const raw = await untilAborted(signal, () => { conn.kill() }, new Promise<FileEntryWithStats[]>((resolve, reject) => {
    conn.sftp.readdir(dir === '' ? '.' : dir, (err, list) => { if (err === undefined || err === null) resolve(list); else reject(err) })
  }))
  const stats = await Promise.all(raw.map(async e =>
    e.attrs.isSymbolicLink() ? await remoteStat(conn, `${dir}${e.filename}`, signal) : e.attrs))
  const out: ListEntry[] = []
  for (const [i, e] of raw.entries()) {
    const entry = entryOf(dir, e.filename, stats[i])
    if (entry !== undefined) out.push(entry)
  }
  return out
}

function entryOf (dir: string, name: string, st: Stats | undefined): ListEntry | undefined {
  if (st === undefined) return undefined
  const type = st.isDirectory() ? 'dir' : st.isFile() ? 'file' : undefined
  if (type === undefined) return undefined
  return {
    name,
    type,
    meta: { size: st.size, mtimeMs: st.mtime * 1000 },
    path: type === 'dir' ? `${dir}${name}/` : `${dir}${name}`
  }
}
