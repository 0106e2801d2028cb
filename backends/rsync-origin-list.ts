/**
 * A folder of an rsync origin, from `rsync --list-only SRC/`: without -r
 * rsync lists the folder itself as "." and the entries directly in it, one
 * line each (rsync-listing.ts reads the lines). Symlinks are followed
 * (--copy-links, rsync-origin-args.ts), so they list as what they point to.
 *
 * rsync ends a listing with exit 23 ("some files were not transferred")
 * when an entry could not be read although the folder was: a dangling
 * symlink, a file that vanished while being listed. Such a listing is
 * complete apart from those entries, which could not be served anyway, so
 * it is taken; any other complaint fails the listing.
 */
import { BackendError } from '../src/errors.js'
import type { ListEntry } from './backend.js'
import { parseListingLine } from './rsync-listing.js'
import type { ToolRun } from './rsync-failure.js'

/** A listing line is ~60 bytes plus the name: about a million entries. */
export const FOLDER_LISTING_LIMIT = 64 * 1024 * 1024

const BENIGN = /symlink has no referent|file has vanished|^rsync error: some files\/attrs were not transferred/

/** Whether a failed run still produced the whole listing (see the file comment). */
export function isPartialListing (run: ToolRun): boolean {
  if (run.code !== 23 && run.code !== 24) return false
  const lines = run.stderr.split('\n').map(l => l.trim()).filter(l => l !== '')
  return lines.length > 0 && lines.every(l => BENIGN.test(l))
}

/** The entries in rsync's listing of folder `dir` (a path ending in '/', or ''). */
export function folderEntries (stdout: string, dir: string, what: string): ListEntry[] {
  if (Buffer.byteLength(stdout) >= FOLDER_LISTING_LIMIT) {
    throw new BackendError('invalid', `${what}: the listing is longer than ${FOLDER_LISTING_LIMIT} bytes; not served`)
  }
  const out: ListEntry[] = []
  let sawSelf = false
  for (const line of stdout.split('\n')) {
    const e = parseListingLine(line)
    if (e === undefined) continue
    if (e.name === '.') { sawSelf = true; continue }
    if (e.type !== 'file' && e.type !== 'dir') continue
    out.push({
      name: e.name,
      type: e.type,
      meta: { size: e.size, mtimeMs: e.mtimeMs },
      path: e.type === 'dir' ? `${dir}${e.name}/` : `${dir}${e.name}`
    })
  }
  // Without the "." line rsync listed something other than a folder's contents (a file named like it).
  if (!sawSelf) throw new BackendError('invalid', `${what}: not a folder on the origin`)
  return out
}
