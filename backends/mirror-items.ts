/**
 * What a mirror does to one path (remote-mirror.ts runs these in phases):
 * remove it from the store, make a folder, or deliver a file or symlink,
 * each after looking at what the store holds there now. A store entry that
 * is not what stalk delivered is a conflict (conflict-policy.ts) unless it
 * already holds root's content, which is then adopted without an upload
 * (after a lost state file, or a crash between an upload and the state save).
 */
import { join } from 'node:path'
import { holdsDelivery, isOurs, settleConflict, type ConflictContext } from './conflict-policy.js'
import type { LocalEntry } from './local-tree.js'
import type { PlanItem } from './mirror-plan.js'
import { LocalChanged, isLocalMissing, type LocalFile, type RemoteEntry, type RemoteStore } from './remote-store.js'
import type { DeliveredEntry, TargetState } from './target-state.js'

export interface MirrorRun extends ConflictContext {
  readonly store: RemoteStore
  readonly state: TargetState
  readonly root: string
  readonly concurrency: number
}

export async function removeItem (run: MirrorRun, item: PlanItem, signal: AbortSignal): Promise<void> {
  const remote = await remoteOf(run, item, signal)
  if (remote !== undefined && !isOurs(item.delivered, remote)) {
    if (!await settleConflict(run, item.path, remote, signal)) return
    if (run.onConflict === 'keep') { run.state.entries.delete(item.path); return }
  }
  if (remote !== undefined) await run.store.remove(item.path, remote.type, signal)
  run.state.entries.delete(item.path)
}

export async function dirItem (run: MirrorRun, item: PlanItem, signal: AbortSignal): Promise<void> {
  const local = item.local as LocalEntry
  const remote = await clearWay(run, item, await remoteOf(run, item, signal), signal)
  if (remote === 'stop') return
  if (remote === undefined) await run.store.mkdir(item.path, local.mode, signal)
  else if (run.store.caps.modes && remote.mode !== local.mode) await run.store.chmod(item.path, local.mode, signal)
  run.state.entries.set(item.path, { type: 'dir', mode: local.mode })
}

export async function transferItem (run: MirrorRun, item: PlanItem, signal: AbortSignal): Promise<void> {
  const local = item.local as LocalEntry
  const file = localFile(run.root, item.path, local)
  let remote = await remoteOf(run, item, signal)
  if (remote !== undefined && !holdsDelivery(item.delivered, remote) && await holdsContent(run, local, file, remote, signal)) {
    run.log.debug({ path: item.path }, 'the store already holds this content: adopted without an upload')
    run.state.entries.set(item.path, local.type === 'symlink' ? { type: 'symlink', target: remote.target ?? '' } : delivered(local, remote.version))
    return
  }
  const cleared = await clearWay(run, item, remote, signal)
  if (cleared === 'stop') return
  remote = cleared
  if (local.type === 'symlink') {
    if (remote !== undefined) await run.store.remove(item.path, remote.type, signal)
    await run.store.symlink(item.path, local.target ?? '', signal)
    run.state.entries.set(item.path, { type: 'symlink', ...(local.target === undefined ? {} : { target: local.target }) })
  } else if (remote !== undefined && item.sendContent === false && holdsDelivery(item.delivered, remote)) {
    // Same bytes as delivered: at most the permission bits need to follow.
    if (run.store.caps.modes && remote.mode !== local.mode) await run.store.chmod(item.path, local.mode, signal)
    run.state.entries.set(item.path, delivered(local, remote.version))
  } else {
    await upload(run, item.path, local, file, signal)
  }
}

async function upload (run: MirrorRun, path: string, local: LocalEntry, file: LocalFile, signal: AbortSignal): Promise<void> {
  try {
    run.state.entries.set(path, delivered(local, await run.store.upload(path, file, signal)))
  } catch (err) {
    if (!(err instanceof LocalChanged) && !isLocalMissing(err, file.abs)) throw err
    // The journal has this change; the round it starts delivers the file as it is then.
    run.log.info({ path, reason: err instanceof Error ? err.message : String(err) }, 'changed or removed in root during the upload: left for the next round')
  }
}

/**
 * Deals with what is in the way of creating `item`: a conflict (per
 * on_conflict) and an entry of another type. What remains at the path
 * afterwards, or 'stop' when the path must be left alone.
 */
async function clearWay (run: MirrorRun, item: PlanItem, remote: RemoteEntry | undefined,
  signal: AbortSignal): Promise<RemoteEntry | undefined | 'stop'> {
  if (remote === undefined) return undefined
  if (!isOurs(item.delivered, remote)) {
    if (!await settleConflict(run, item.path, remote, signal)) return 'stop'
    if (run.onConflict === 'keep') return undefined
  }
  if (remote.type === item.local?.type) return remote
  await run.store.remove(item.path, remote.type, signal)
  return undefined
}

async function holdsContent (run: MirrorRun, l: LocalEntry, file: LocalFile, remote: RemoteEntry, signal: AbortSignal): Promise<boolean> {
  if (l.type === 'symlink') return remote.type === 'symlink' && remote.target === l.target
  return l.type === 'file' && remote.type === 'file' && remote.version !== undefined &&
    await run.store.sameContent(file, remote.version, signal)
}

async function remoteOf (run: MirrorRun, item: PlanItem, signal: AbortSignal): Promise<RemoteEntry | undefined> {
  if (item.remote !== undefined) return item.remote ?? undefined
  return await run.store.stat(item.path, signal)
}

function localFile (root: string, path: string, l: LocalEntry): LocalFile {
  return { abs: join(root, path), size: l.size, mtimeMs: l.mtimeMs, mode: l.mode }
}

function delivered (l: LocalEntry, remote: DeliveredEntry['remote']): DeliveredEntry {
  return {
    type: 'file', size: l.size, mtimeNs: l.mtimeNs, ctimeNs: l.ctimeNs, mode: l.mode,
    ...(remote === undefined ? {} : { remote })
  }
}
