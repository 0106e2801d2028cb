/**
 * What `stem refresh` names, as parts of the pull mount: everything, one
 * configured file, or a directory origin's folder or a path inside it. A
 * name is read as a path in the mount ("motd", "pki/certs/ca.pem",
 * "/pki/certs/"); a path inside a tree may name a file or a folder, and
 * which one it is need not be known: a folder covers everything under it.
 */
import { FsError } from '../errors.js'
import { resolvePullNode, type MountShape } from './pull-node.js'

export type RefreshScope =
  | { readonly kind: 'all' }
  | { readonly kind: 'file'; readonly key: string }
  /** `rel` is '' for the whole tree. */
  | { readonly kind: 'tree'; readonly tree: string; readonly rel: string }

/** The scopes of `names` (none: everything); EINVAL naming the first name that is not in the mount. */
export function refreshScopes (names: readonly string[], shape: MountShape): RefreshScope[] {
  if (names.length === 0) return [{ kind: 'all' }]
  return names.map(name => {
    const path = '/' + name.split('/').filter(c => c !== '').join('/')
    const node = resolvePullNode(path, shape)
    if (node === undefined) throw new FsError('EINVAL', `${JSON.stringify(name)}: not a file or folder of this mount`)
    if (node.kind === 'root') return { kind: 'all' }
    if (node.kind === 'file') return { kind: 'file', key: node.name }
    return { kind: 'tree', tree: node.name, rel: node.rel }
  })
}

/** The cache key prefix a scope covers: '' for all, the key of a file, "tree" or "tree/rel" for a tree part. */
export function scopePrefix (s: RefreshScope): string {
  if (s.kind === 'all') return ''
  if (s.kind === 'file') return s.key
  return s.rel === '' ? s.tree : `${s.tree}/${s.rel}`
}

/** Whether cache key `key` is `prefix` itself or lies under it ('' covers every key). */
export function covers (prefix: string, key: string): boolean {
  return prefix === '' || key === prefix || key.startsWith(prefix + '/')
}
