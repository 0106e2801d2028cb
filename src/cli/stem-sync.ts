/**
 * `stem sync [MOUNTPOINT] [--wait]`: starts a sync round now in the push
 * daemon of MOUNTPOINT (default: every push mount of this user), without
 * waiting for the quiet time. With --wait it returns when the round is done:
 * 0 when every target has every change made before the request, 15
 * (undelivered) with each failed target's reason otherwise. A pull mount has
 * nothing to sync and is refused (exit 2) when named.
 */
import { ExitCode, StemError } from '../exit-codes.js'
import type { SyncOutcome } from '../control/sync-outcome.js'
import { oneLine } from './text-table.js'
import { ANSWER_TIMEOUT_MS, askDaemon } from './ask-daemon.js'
import { asStatusReport } from './stem-status.js'
import { resolveMountpoint, stalkMounts } from './stalk-mounts.js'

export interface SyncArgs { readonly mountpoint: string | undefined; readonly wait: boolean }

export async function stemSync (args: SyncArgs): Promise<number> {
  const named = args.mountpoint !== undefined
  const mounts = named ? [await resolveMountpoint(args.mountpoint ?? '')] : stalkMounts()
  const push: string[] = []
  let code: number = ExitCode.ok
  for (const mp of mounts) {
    const report = await modeOf(mp).catch((err: unknown) => {
      // Asked for every mount: a dead one is reported, the others are still synced.
      if (named || !(err instanceof StemError)) throw err
      process.stderr.write(`stem: ${err.message}\n`)
      code = ExitCode.failure
      return undefined
    })
    if (report === 'push') push.push(mp)
    else if (report === 'pull' && named) throw new StemError('usage', `${mp} is a pull mount (stem -r): it has nothing to sync; its files are fetched from their origins when read`)
  }
  if (push.length === 0) throw new StemError('failure', 'not running: no push mount of this user to sync')
  for (const mp of push) {
    const out = await askDaemon(mp, 'sync', args.wait ? { wait: true } : { wait: false, timeoutMs: ANSWER_TIMEOUT_MS }) as SyncOutcome
    if (!print(mp, out)) code = ExitCode.undelivered
  }
  return code
}

async function modeOf (mp: string): Promise<'push' | 'pull'> {
  return asStatusReport(await askDaemon(mp, 'status', { timeoutMs: ANSWER_TIMEOUT_MS })).mode
}

/** Prints the outcome; returns false when a target did not get everything. */
function print (mp: string, out: SyncOutcome): boolean {
  if (!out.waited) {
    process.stdout.write(`${mp}: sync round started\n`)
    return true
  }
  if (out.round === null) {
    process.stdout.write(`${mp}: nothing pending; every target is up to date\n`)
    return true
  }
  for (const t of out.targets) {
    const line = t.ok ? `ok${t.ran ? '' : ' (nothing was pending)'}` : `FAILED: ${oneLine(t.error ?? 'failed')}`
    const stream = t.ok ? process.stdout : process.stderr
    stream.write(`${mp}: ${t.label} (${t.destination}): ${line}\n`)
  }
  if (!out.ok) process.stderr.write(`stem: ${mp}: not every target took the changes; they stay pending and are retried\n`)
  return out.ok
}
