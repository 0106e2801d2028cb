/**
 * What a path in a pull mount names: the root folder, one regular file per
 * configured file origin, and one folder per directory origin with the
 * remote tree under it ('/name/sub/path'). Only the shape is decided here,
 * from the config alone and without I/O; whether a path inside a tree
 * exists is its listings' to say (tree-index.ts).
 */
import { FsError } from '../errors.js'
import { relOf } from './tree-path.js'

export type PullNode =
  | { readonly kind: 'root' }
  | { readonly kind: 'file'; readonly name: string }
  /** `rel` is the path inside the tree: '' for the tree's own folder. */
  | { readonly kind: 'tree'; readonly name: string; readonly rel: string }

export interface MountShape {
  isFile(name: string): boolean
  isTree(name: string): boolean
}

/** Resolves `path` ('/', '/name', '/tree/a/b'), or undefined when nothing can be there. */
export function resolvePullNode (path: string, shape: MountShape): PullNode | undefined {
  if (path === '/') return { kind: 'root' }
  if (!path.startsWith('/')) return undefined
  const [name = '', ...below] = path.slice(1).split('/')
  if (shape.isTree(name)) {
    const rel = relOf(below)
    return rel === undefined ? undefined : { kind: 'tree', name, rel }
  }
  return below.length === 0 && shape.isFile(name) ? { kind: 'file', name } : undefined
}

/** As resolvePullNode, throwing ENOENT when nothing can be there. */
export function requirePullNode (path: string, shape: MountShape): PullNode {
  const node = resolvePullNode(path, shape)
  if (node === undefined) throw new FsError('ENOENT', `${path}: no such file in the mount`)
  return node
}
