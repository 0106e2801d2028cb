/**
 * Polling with a deadline, for end-to-end tests that wait on another
 * process (a daemon, a sync round, rsync): the test goes on as soon as the
 * condition holds, instead of sleeping a fixed time that is either too long
 * or, on a busy machine, too short.
 */
import { readFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'

export interface WaitOptions {
  readonly timeoutMs?: number
  readonly intervalMs?: number
}

type Probe<T> = () => T | undefined | false | Promise<T | undefined | false>

/** Resolves with the first truthy value of `probe`; rejects naming `what` when `timeoutMs` (default 15 s) passes. */
export async function waitFor<T> (what: string, probe: Probe<T>, o: WaitOptions = {}): Promise<T> {
  const timeoutMs = o.timeoutMs ?? 15_000
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const v = await probe()
      if (v !== undefined && v !== false) return v
    } catch (err) {
      // A probe may fail while the other side is still starting; keep the reason for the timeout message.
      last = err
    }
    if (Date.now() > deadline) {
      const why = last === undefined ? '' : ` (last error: ${last instanceof Error ? last.message : String(last)})`
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`)
    }
    await sleep(o.intervalMs ?? 50)
  }
}

/** Whether `pid` is a running process; a zombie counts as gone (it holds nothing any more). */
export function pidAlive (pid: number): boolean {
  let stat: string
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  } catch {
    return false
  }
  // The state letter follows the command name, which may itself contain ") ".
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
}

/** Resolves once `pid` has exited. */
export async function waitForExit (pid: number, timeoutMs = 15_000): Promise<void> {
  await waitFor(`process ${pid} to exit`, () => !pidAlive(pid), { timeoutMs, intervalMs: 20 })
}
