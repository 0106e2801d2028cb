/**
 * A comparable listing of a folder tree: for each path (relative, "." for
 * the top) its type, permission bits, mtime in nanoseconds, size and SHA-256
 * of files, symlink targets, and which other paths are the same inode (hard
 * links). Two trees are equal for a mirror when their snapshots are deeply
 * equal; `project` drops what a store cannot represent (an S3 target has no
 * modes or hard links) before comparing.
 */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { lstat, readdir, readlink } from 'node:fs/promises'
import { join } from 'node:path'

export interface TreeEntry {
  readonly type: 'file' | 'dir' | 'symlink' | 'other'
  /** Permission bits in octal, e.g. "0644". */
  readonly mode?: string
  readonly mtimeNs?: string
  readonly size?: number
  readonly sha256?: string
  readonly target?: string
  /** The other paths of this tree with the same inode, sorted; absent when there are none. */
  readonly hardLinks?: readonly string[]
}

export type TreeSnapshot = Readonly<Record<string, TreeEntry>>

/** What a destination can hold; everything defaults to true. */
export interface TreeFeatures {
  readonly modes?: boolean
  readonly mtimes?: boolean
  readonly symlinks?: boolean
  readonly hardLinks?: boolean
  readonly emptyDirs?: boolean
}

export async function snapshotTree (dir: string): Promise<TreeSnapshot> {
  const raw: Array<[string, TreeEntry & { ino: string }]> = []
  await walk(dir, '.', raw)
  const byIno = new Map<string, string[]>()
  for (const [p, e] of raw) if (e.type === 'file') byIno.set(e.ino, [...(byIno.get(e.ino) ?? []), p])
  const out: Record<string, TreeEntry> = {}
  for (const [p, { ino, ...e }] of raw.sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)) {
    const others = (byIno.get(ino) ?? []).filter(o => o !== p).sort()
    out[p] = others.length > 0 && e.type === 'file' ? { ...e, hardLinks: others } : e
  }
  return out
}

async function walk (top: string, rel: string, out: Array<[string, TreeEntry & { ino: string }]>): Promise<void> {
  const abs = rel === '.' ? top : join(top, rel)
  const st = await lstat(abs, { bigint: true })
  const base = { mode: (Number(st.mode) & 0o7777).toString(8).padStart(4, '0'), mtimeNs: st.mtimeNs.toString(), ino: `${st.dev}:${st.ino}` }
  if (st.isSymbolicLink()) {
    out.push([rel, { type: 'symlink', ...base, target: await readlink(abs) }])
  } else if (st.isFile()) {
    out.push([rel, { type: 'file', ...base, size: Number(st.size), sha256: await sha256(abs) }])
  } else if (st.isDirectory()) {
    out.push([rel, { type: 'dir', ...base }])
    for (const name of await readdir(abs)) await walk(top, rel === '.' ? name : join(rel, name), out)
  } else {
    out.push([rel, { type: 'other', ...base }])
  }
}

async function sha256 (file: string): Promise<string> {
  const h = createHash('sha256')
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer)
  return h.digest('hex')
}

/** The snapshot without what `f` says the store cannot hold. */
export function project (s: TreeSnapshot, f: TreeFeatures): TreeSnapshot {
  const out: Record<string, TreeEntry> = {}
  for (const [p, e] of Object.entries(s)) {
    if (f.symlinks === false && e.type === 'symlink') continue
    if (f.emptyDirs === false && e.type === 'dir' && !Object.keys(s).some(q => q.startsWith(`${p}/`))) continue
    const { mode, mtimeNs, hardLinks, ...rest } = e
    out[p] = {
      ...rest,
      ...(f.modes === false || mode === undefined ? {} : { mode }),
      ...(f.mtimes === false || mtimeNs === undefined ? {} : { mtimeNs }),
      ...(f.hardLinks === false || hardLinks === undefined ? {} : { hardLinks })
    }
  }
  return out
}
