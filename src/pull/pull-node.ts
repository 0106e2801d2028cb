/**
 * What a path in a pull mount names. Today the mount is flat: the root
 * folder and one regular file per configured name; anything deeper does not
 * exist. Directory origins (a later step) add a 'dir' node and names under
 * it here, through a tree index, without touching the ops that use nodes.
 */
import { FsError } from '../errors.js'

export type PullNode =
  | { readonly kind: 'root' }
  | { readonly kind: 'file'; readonly name: string }

/** Resolves `path` ('/', '/name'), or undefined when nothing is there. */
export function resolvePullNode (path: string, isFile: (name: string) => boolean): PullNode | undefined {
  if (path === '/') return { kind: 'root' }
  const name = path.slice(1)
  if (!path.startsWith('/') || name.includes('/')) return undefined
  return isFile(name) ? { kind: 'file', name } : undefined
}

/** As resolvePullNode, throwing ENOENT when nothing is there. */
export function requirePullNode (path: string, isFile: (name: string) => boolean): PullNode {
  const node = resolvePullNode(path, isFile)
  if (node === undefined) throw new FsError('ENOENT', `${path}: no such file in the mount`)
  return node
}
