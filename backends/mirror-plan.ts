/**
 * Decides what one mirror does, from three listings: root (local-tree.ts),
 * what was delivered before (target-state.ts), and, for a full comparison,
 * what the store holds. Pure: no I/O.
 *
 * Without a store listing (`remote` undefined) only paths whose local entry
 * differs from what was delivered are touched, so unchanged files cost no
 * request at all; the store is then asked about each touched path just
 * before acting on it (remote-mirror.ts), to catch conflicts. With a
 * listing, every difference between root and the store is repaired: missing
 * or different entries are delivered, extra ones removed, except conflict
 * copies stalk did not deliver itself.
 *
 * `named` marks paths the syncer reported as changed (or inside a changed
 * folder): for those a new ctime also counts as a change, which catches a
 * rewrite that kept both size and mtime (cp -p, touch -r).
 */
import { isConflictCopy } from './conflict-policy.js'
import type { LocalEntry } from './local-tree.js'
import { sameVersion, type RemoteEntry, type StoreCaps } from './remote-store.js'
import type { DeliveredEntry } from './target-state.js'

export interface PlanItem {
  readonly path: string
  readonly local?: LocalEntry
  readonly delivered?: DeliveredEntry
  /** From the listing; null: known to be absent; undefined: not listed, ask the store. */
  readonly remote: RemoteEntry | null | undefined
  /** Files: root's content differs from what was delivered (false: at most the mode changed). */
  readonly sendContent?: boolean
}

export interface MirrorPlan {
  /** Entries to remove from the store, deepest first. */
  readonly removals: PlanItem[]
  /** Folders to create or chmod, shallowest first. */
  readonly dirs: PlanItem[]
  /** Files to upload and symlinks to make. */
  readonly transfers: PlanItem[]
  /** Delivered entries that are gone from both sides: only the state forgets them. */
  readonly forget: string[]
}

export interface PlanInput {
  readonly local: ReadonlyMap<string, LocalEntry>
  readonly delivered: ReadonlyMap<string, DeliveredEntry>
  readonly remote: ReadonlyMap<string, RemoteEntry> | undefined
  readonly named: (path: string) => boolean
  readonly caps: StoreCaps
}

export function planMirror (i: PlanInput): MirrorPlan {
  const plan: MirrorPlan = { removals: [], dirs: [], transfers: [], forget: [] }
  const paths = new Set([...i.local.keys(), ...i.delivered.keys(), ...(i.remote?.keys() ?? [])])
  for (const path of paths) {
    const local = i.local.get(path)
    const delivered = i.delivered.get(path)
    const remote = i.remote === undefined ? undefined : i.remote.get(path) ?? null
    const item: PlanItem = {
      path, remote, ...(local === undefined ? {} : { local }), ...(delivered === undefined ? {} : { delivered }),
      ...(local?.type === 'file' ? { sendContent: contentChanged(local, delivered, i.named(path)) } : {})
    }
    const action = decide(item, i)
    if (action === 'forget') plan.forget.push(path)
    else if (action !== undefined) plan[action].push(item)
  }
  plan.removals.sort((a, b) => depth(b.path) - depth(a.path))
  plan.dirs.sort((a, b) => depth(a.path) - depth(b.path))
  return plan
}

function decide (item: PlanItem, i: PlanInput): keyof MirrorPlan | undefined {
  const { local, delivered, remote } = item
  if (local === undefined) {
    if (remote === null) return delivered === undefined ? undefined : 'forget'
    if (remote === undefined) return delivered === undefined ? undefined : 'removals'
    return delivered === undefined && isConflictCopy(item.path) ? undefined : 'removals'
  }
  if (local.type === 'dir') {
    if (!i.caps.dirs) return undefined
    return dirUpToDate(local, delivered, remote, i.caps) ? undefined : 'dirs'
  }
  return upToDate(item, i.caps) ? undefined : 'transfers'
}

/** Root's entry is what was delivered, and (when listed) the store still holds that delivery. */
function upToDate (item: PlanItem, caps: StoreCaps): boolean {
  const { local: l, delivered: d, remote: r } = item
  if (l === undefined || d === undefined || d.type !== l.type) return false
  if (l.type === 'symlink') return d.target === l.target && (r === undefined || (r?.type === 'symlink' && r.target === l.target))
  if (item.sendContent === true || (caps.modes && d.mode !== l.mode)) return false
  return r === undefined || (r?.type === 'file' && sameVersion(r.version, d.remote) && (!caps.modes || r.mode === l.mode))
}

/**
 * Whether a file's bytes may differ from what was delivered: size or mtime
 * moved, or, for a path the syncer named, ctime moved while the mode did
 * not (a chmod moves ctime too, and needs no upload).
 */
function contentChanged (l: LocalEntry, d: DeliveredEntry | undefined, named: boolean): boolean {
  if (d?.type !== 'file' || d.size !== l.size || d.mtimeNs !== l.mtimeNs) return true
  return named && d.ctimeNs !== l.ctimeNs && d.mode === l.mode
}

function dirUpToDate (l: LocalEntry, d: DeliveredEntry | undefined, r: RemoteEntry | null | undefined, caps: StoreCaps): boolean {
  const modeOk = (m: number | undefined): boolean => !caps.modes || m === l.mode
  if (d?.type !== 'dir' || !modeOk(d.mode)) return false
  return r === undefined || (r?.type === 'dir' && modeOk(r.mode))
}

function depth (path: string): number {
  let n = 0
  for (const c of path) if (c === '/') n++
  return n
}
