/**
 * Carries out a MirrorPlan (mirror-plan.ts) in the order a store needs:
 * first removals (files and symlinks in parallel, then folders deepest
 * first, so a folder is empty when it goes and a path is free before
 * something of another type is made there), then folders shallowest first,
 * then uploads and symlinks in parallel. Parallel phases run at most
 * `concurrency` jobs at once and stop at the first failure (runBounded).
 * The state is updated path by path as each one is done, so what succeeded
 * before a failure or an abort is not sent again.
 */
import PQueue from 'p-queue'
import { dirItem, removeItem, transferItem, type MirrorRun } from './mirror-items.js'
import type { MirrorPlan } from './mirror-plan.js'

export type { MirrorRun } from './mirror-items.js'

export interface PlanCounts {
  readonly removed: number
  readonly dirs: number
  readonly transferred: number
}

export async function executePlan (plan: MirrorPlan, run: MirrorRun, signal: AbortSignal): Promise<PlanCounts> {
  for (const path of plan.forget) run.state.entries.delete(path)
  const isDir = (i: { local?: { type: string }; delivered?: { type: string }; remote: { type: string } | null | undefined }): boolean =>
    (i.remote?.type ?? i.delivered?.type) === 'dir'
  const flat = plan.removals.filter(i => !isDir(i))
  await runBounded(flat, run.concurrency, signal, (item, s) => removeItem(run, item, s))
  // One at a time, in plan order: a folder's contents go before it, a folder is made before its subfolders.
  await runBounded(plan.removals.filter(isDir), 1, signal, (item, s) => removeItem(run, item, s))
  await runBounded(plan.dirs, 1, signal, (item, s) => dirItem(run, item, s))
  await runBounded(plan.transfers, run.concurrency, signal, (item, s) => transferItem(run, item, s))
  return { removed: plan.removals.length, dirs: plan.dirs.length, transferred: plan.transfers.length }
}

/**
 * Runs one async job per item, at most `concurrency` at a time, and stops at
 * the first failure: jobs not started yet are dropped, running ones see
 * their signal abort, and the first error is thrown once every job has
 * really ended. A mirror that fails is retried whole by the syncer, so going on
 * after a failure (a refused login, a full disk) would only repeat it for
 * every remaining file.
 */
export async function runBounded<T> (items: readonly T[], concurrency: number, signal: AbortSignal,
  job: (item: T, signal: AbortSignal) => Promise<void>): Promise<void> {
  signal.throwIfAborted()
  if (items.length === 0) return
  const stop = new AbortController()
  const both = AbortSignal.any([signal, stop.signal])
  const queue = new PQueue({ concurrency: Math.max(1, concurrency) })
  let first: { err: unknown } | undefined
  // No signal for p-queue itself: it would settle a running job's promise at the abort, before the
  // job has cleaned up (aborted a multipart upload, released its memory). Jobs not started yet
  // see the aborted signal first thing and end at once.
  await Promise.all(items.map(item => queue.add(async () => {
    both.throwIfAborted()
    await job(item, both)
  }).catch((err: unknown) => {
    if (first !== undefined) return
    first = { err }
    stop.abort(err)
  })))
  // An abort from outside wins: the caller asked for it, so its reason is the story.
  signal.throwIfAborted()
  if (first !== undefined) throw first.err
}
