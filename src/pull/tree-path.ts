/**
 * Paths inside a directory origin's tree. A path is relative to the tree's
 * top folder, its components joined by '/': '' is the top itself, 'a/b.txt'
 * a file two levels down. Every component comes from a remote listing, so
 * every one is checked by unsafeName before it is stored: a name that could
 * climb out of the tree ('..'), split into two (a '/'), end a C string
 * early (NUL) or not be a file name at all never reaches the mount or the
 * cache dir.
 */
import { createHash } from 'node:crypto'

/** Why `name` cannot be one name in the mount and in the cache dir, or undefined when it can. */
export function unsafeName (name: string): string | undefined {
  if (name === '') return 'empty'
  if (name === '.' || name === '..') return 'a dot name'
  if (name.includes('/')) return 'contains "/"'
  if (name.includes('\0')) return 'contains NUL'
  if (Buffer.byteLength(name) > 255) return 'longer than 255 bytes'
  return undefined
}

/** The folder holding `rel` ('' for a name in the top folder). */
export function parentOf (rel: string): string {
  const slash = rel.lastIndexOf('/')
  return slash < 0 ? '' : rel.slice(0, slash)
}

/** The last component of `rel`. */
export function baseOf (rel: string): string {
  return rel.slice(rel.lastIndexOf('/') + 1)
}

export function childOf (dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`
}

/**
 * The tree path of a mount path below the tree's folder ("a/b" for
 * "/tree/a/b"), or undefined when a component is not a name a listing could
 * have given (the kernel never sends those; anything else is refused here).
 */
export function relOf (components: readonly string[]): string | undefined {
  return components.every(c => unsafeName(c) === undefined) ? components.join('/') : undefined
}

/**
 * A stable inode number for a path in the mount. `find` and `ls -R` take
 * two folders with one inode number for a loop, so every folder and file
 * of a tree gets its own: 48 bits of a hash (safe as a JavaScript number,
 * collisions negligible), never 0 or 1.
 */
export function inoOf (mountPath: string): number {
  return createHash('sha256').update(mountPath).digest().readUIntBE(0, 6) + 2
}

/** A short file name for `rel` in the tree's state folders: names from the origin never become our file names. */
export function hashName (rel: string): string {
  return createHash('sha256').update(rel).digest('hex')
}
