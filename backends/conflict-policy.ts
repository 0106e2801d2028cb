/**
 * Conflicts: a file in the store that changed since stalk delivered it
 * (someone edited or replaced it there). What a target does about it is
 * `on_conflict`:
 *
 *   keep       (default) the store's copy is moved to NAME.conflict-<UTC time>,
 *              then root's version is delivered under NAME
 *   stop       nothing is done to that path; the mirror fails naming it
 *   overwrite  root's version replaces it (or deletes it), as rsync would
 *
 * Conflict copies are never deleted by a later mirror unless stalk itself
 * delivered that path from root: they are for a person to look at.
 */
import type { Logger } from '../src/logger.js'
import { sameVersion, type RemoteEntry, type RemoteStore } from './remote-store.js'
import type { DeliveredEntry } from './target-state.js'

export type OnConflict = 'keep' | 'stop' | 'overwrite'

/** What settling a conflict needs of the mirror in progress. */
export interface ConflictContext {
  readonly store: RemoteStore
  readonly onConflict: OnConflict
  readonly log: Logger
  readonly now: () => Date
  /** Paths left alone because on_conflict is stop. */
  readonly conflicts: string[]
}

/** "dir/a.txt" → "dir/a.txt.conflict-20240501T101500.123Z". */
export function conflictName (path: string, at: Date): string {
  return `${path}.conflict-${at.toISOString().replace(/[-:]/g, '')}`
}

const COPY = /\.conflict-\d{8}T\d{6}(?:\.\d{3})?Z$/

/** Whether `path`, or a folder it is in, is a conflict copy. */
export function isConflictCopy (path: string): boolean {
  return path.split('/').some(part => COPY.test(part))
}

/**
 * Whether the store's entry is what stalk delivered there, or one stalk
 * never delivered (no record: replaced like rsync would). Only a delivered
 * file whose version moved on is someone else's change.
 */
export function isOurs (d: DeliveredEntry | undefined, remote: RemoteEntry): boolean {
  return d?.type !== 'file' || d.remote === undefined || holdsDelivery(d, remote)
}

/** The store holds exactly the file stalk last delivered there. */
export function holdsDelivery (d: DeliveredEntry | undefined, remote: RemoteEntry): boolean {
  return d?.type === 'file' && remote.type === 'file' && sameVersion(remote.version, d.remote)
}

/** True when the mirror may go on with the path (after moving the store's copy aside, for keep). */
export async function settleConflict (run: ConflictContext, path: string, remote: RemoteEntry, signal: AbortSignal): Promise<boolean> {
  if (run.onConflict === 'stop') {
    run.conflicts.push(path)
    return false
  }
  if (run.onConflict === 'overwrite') {
    run.log.warn({ path }, 'changed in the store since stalk delivered it: replaced (on_conflict = overwrite)')
    return true
  }
  const aside = conflictName(path, run.now())
  await run.store.moveAside(path, aside, remote.type, signal)
  run.log.warn({ path, kept: aside }, `changed in the store since stalk delivered it: the store's copy is kept as ${aside}`)
  return true
}
