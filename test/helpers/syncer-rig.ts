/**
 * A Syncer over a real journal in a test dir, fake targets and a manual
 * clock, with every round and log line kept for the test to look at.
 */
import type { Test } from 'tap'
import type { StalkPlugin } from '../../plugins/api.js'
import { manualClock, type ManualClock } from '../../src/push/clock.js'
import { Journal } from '../../src/push/journal.js'
import { Syncer, type PluginSlot, type RoundReport } from '../../src/push/syncer.js'
import { FakeTarget, recordingLogger, type LogLine } from './push-fakes.js'

export const QUIET = 10_000
export const MAX_WAIT = 60_000
export const T0 = 1_000_000

export interface Rig {
  readonly clock: ManualClock
  readonly journal: Journal
  readonly syncer: Syncer
  readonly targets: readonly FakeTarget[]
  readonly rounds: RoundReport[]
  readonly logs: LogLine[]
  readonly order: string[]
  write(...paths: string[]): void
}

export interface RigOptions {
  readonly labels?: readonly string[]
  readonly plugins?: readonly (StalkPlugin | PluginSlot)[]
  readonly fresh?: boolean
  readonly targetTimeoutMs?: number
}

/** A syncer over a real journal whose targets start with nothing owed, unless `fresh`. */
export async function rig (t: Test, o: RigOptions = {}): Promise<Rig> {
  const labels = o.labels ?? ['a', 'b']
  const clock = manualClock(T0)
  const journal = await Journal.open(t.testdir(), labels)
  if (o.fresh !== true) for (const l of labels) journal.markDelivered(l, journal.pending(l))
  t.teardown(() => journal.close())
  const order: string[] = []
  const targets = labels.map(l => new FakeTarget(l, clock, order))
  const log = recordingLogger()
  const syncer = new Syncer({
    root: '/srv/root', quietMs: QUIET, maxWaitMs: MAX_WAIT, retryMinMs: 5000, retryMaxMs: 40_000,
    targetTimeoutMs: o.targetTimeoutMs ?? 120_000, targets, plugins: o.plugins ?? [], journal, log, clock, random: () => 0
  })
  const rounds: RoundReport[] = []
  syncer.on('round', r => rounds.push(r))
  const write = (...paths: string[]): void => {
    for (const p of paths) {
      journal.record(p)
      syncer.notify(p)
    }
  }
  return { clock, journal, syncer, targets, rounds, logs: log.lines, order, write }
}

export const at = (r: Rig): number => r.clock.now() - T0
export const sorted = (s: Iterable<string>): string[] => [...s].sort()
