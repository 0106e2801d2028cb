/**
 * The steps of one sync round, without any scheduling: plugin hooks in
 * config order, then every target in parallel, each under its own time limit.
 * Nothing here throws: failures become TargetResults and log lines, because
 * one broken plugin or target must not stop the others.
 */
import { TargetError, type Target, type TargetResult } from '../../backends/backend.js'
import { isPluginAbortError, type StalkPlugin } from '../../plugins/api.js'
import type { Clock } from './clock.js'
import type { Logger } from '../logger.js'
import type { PendingSnapshot } from './journal-state.js'
import { withDeadline } from './with-deadline.js'

/** A plugin with how the syncer treats it. */
export interface PluginSlot {
  readonly plugin: StalkPlugin
  /** Time limit per hook call (default: the syncer's pluginTimeoutMs). */
  readonly timeoutMs?: number
  /** 'abort': if its beforeSync fails, the round's targets do not run (they are retried). Default 'continue'. */
  readonly onFailure?: 'continue' | 'abort'
}

export interface StepDeps {
  readonly root: string
  readonly clock: Clock
  readonly log: Logger
  /** The round's signal: aborted when the shutdown grace passes. */
  readonly signal: AbortSignal
  /** Called for every failed step, with the raw error (for events). */
  readonly onFailure: (source: 'target' | 'plugin', name: string, err: unknown) => void
}

/** One line for logs and status, with what the remote tool said. */
export function describeError (err: unknown): string {
  if (err instanceof TargetError) {
    const exit = err.exitCode === undefined ? '' : ` (exit ${err.exitCode})`
    const stderr = err.stderr.trim()
    return stderr === '' ? `${err.message}${exit}` : `${err.message}${exit}: ${stderr}`
  }
  return err instanceof Error ? err.message : String(err)
}

/** Calls one hook of a plugin (undefined when the plugin does not have it). */
export type HookCall = (plugin: StalkPlugin, signal: AbortSignal) => void | Promise<void> | undefined

/**
 * Runs a hook of every plugin, in config order. Returns false when a plugin
 * whose slot says onFailure 'abort' failed (only `abortable` hooks stop a round).
 */
export async function runHook (
  hook: 'beforeSync' | 'afterSync', plugins: readonly PluginSlot[], call: HookCall, timeoutMs: number, d: StepDeps
): Promise<boolean> {
  for (const slot of plugins) {
    if (slot.plugin[hook] === undefined) continue
    const name = slot.plugin.name
    try {
      await withDeadline(signal => call(slot.plugin, signal),
        { ms: slot.timeoutMs ?? timeoutMs, clock: d.clock, parent: d.signal, what: `plugin ${name} ${hook}` })
    } catch (err) {
      d.log.error({ plugin: name, hook, err: describeError(err) }, `plugin ${name} ${hook} failed: ${describeError(err)}`)
      d.onFailure('plugin', name, err)
      // the slot's policy, or the plugin's own say (the command plugin's on_failure: abort)
      if (hook === 'beforeSync' && (slot.onFailure === 'abort' || isPluginAbortError(err))) return false
    }
  }
  return true
}

export interface Delivery {
  readonly target: Target
  readonly snapshot: PendingSnapshot
}

async function deliverOne (x: Delivery, timeoutMs: (label: string) => number, d: StepDeps): Promise<TargetResult> {
  const started = d.clock.now()
  const changed = x.snapshot.all ? 'all' : x.snapshot
  try {
    await withDeadline(signal => x.target.mirror(d.root, changed, { signal }),
      { ms: timeoutMs(x.target.label), clock: d.clock, parent: d.signal, what: `sync to ${x.target.label}` })
    return { target: x.target.label, ok: true, durationMs: d.clock.now() - started }
  } catch (err) {
    d.onFailure('target', x.target.label, err)
    return { target: x.target.label, ok: false, durationMs: d.clock.now() - started, error: describeError(err) }
  }
}

/** Every target at once: a slow or failing one does not delay the others' delivery. */
export function deliverAll (xs: readonly Delivery[], timeoutMs: (label: string) => number, d: StepDeps): Promise<TargetResult[]> {
  return Promise.all(xs.map(x => deliverOne(x, timeoutMs, d)))
}

/** Results for targets that did not run because a plugin stopped the round. */
export function notRun (xs: readonly Delivery[], why: string): TargetResult[] {
  return xs.map(x => ({ target: x.target.label, ok: false, durationMs: 0, error: why }))
}
