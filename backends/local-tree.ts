/**
 * The listing of root a remote mirror compares against what it delivered:
 * lstat of every entry (symlinks are not followed), with nanosecond times so
 * a rewrite within the same second still shows. It reads no file content,
 * so walking even a large root costs far less than one remote listing; the
 * rsync target walks the whole tree on every run as well.
 *
 * Entries that vanish during the walk are left out (the journal has their
 * deletion). Sockets, FIFOs and devices cannot be mirrored and are reported
 * in `skipped`, as are symlinks when the store has none.
 */
import { lstat, readdir, readlink } from 'node:fs/promises'
import { join } from 'node:path'
import type { EntryType } from './remote-store.js'

export interface LocalEntry {
  readonly type: EntryType
  readonly size: number
  readonly mtimeMs: number
  /** Nanoseconds as a decimal string (a bigint does not survive JSON). */
  readonly mtimeNs: string
  readonly ctimeNs: string
  readonly mode: number
  readonly target?: string
}

export interface LocalTree {
  /** Root's own permission bits. */
  readonly rootMode: number
  readonly entries: Map<string, LocalEntry>
  /** What cannot be mirrored to this store: "path (symlink)". */
  readonly skipped: string[]
}

export async function walkLocal (root: string, o: { symlinks: boolean }): Promise<LocalTree> {
  const st = await lstat(root)
  const tree: LocalTree = { rootMode: st.mode & 0o7777, entries: new Map(), skipped: [] }
  await walkDir(root, '', tree, o.symlinks)
  return tree
}

async function walkDir (root: string, rel: string, tree: LocalTree, symlinks: boolean): Promise<void> {
  let names: string[]
  try {
    names = await readdir(rel === '' ? root : join(root, rel))
  } catch (err) {
    if (vanished(err)) return
    throw err
  }
  // One folder's entries at a time in parallel: enough to hide lstat latency, bounded by folder size.
  const found = await Promise.all(names.map(async name => {
    const path = rel === '' ? name : `${rel}/${name}`
    return { path, entry: await entryOf(join(root, path)) }
  }))
  for (const { path, entry } of found) {
    if (entry === undefined) continue
    if (entry === 'other' || (entry.type === 'symlink' && !symlinks)) {
      tree.skipped.push(`${path} (${entry === 'other' ? 'not a file, folder or symlink' : 'symlink'})`)
      continue
    }
    tree.entries.set(path, entry)
    if (entry.type === 'dir') await walkDir(root, path, tree, symlinks)
  }
}

async function entryOf (abs: string): Promise<LocalEntry | 'other' | undefined> {
  try {
    const st = await lstat(abs, { bigint: true })
    const type: EntryType | undefined = st.isFile() ? 'file' : st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : undefined
    if (type === undefined) return 'other'
    return {
      type,
      size: type === 'file' ? Number(st.size) : 0,
      mtimeMs: Number(st.mtimeNs / 1_000_000n),
      mtimeNs: st.mtimeNs.toString(),
      ctimeNs: st.ctimeNs.toString(),
      mode: Number(st.mode) & 0o7777,
      ...(type === 'symlink' ? { target: await readlink(abs) } : {})
    }
  } catch (err) {
    if (vanished(err)) return undefined
    throw err
  }
}

function vanished (err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code
  return code === 'ENOENT' || code === 'ENOTDIR'
}
