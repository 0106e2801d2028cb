/**
 * The background daemon's supervisor. Process tree of `stem MOUNTPOINT`:
 *
 *   stem (waits for the report, exits)
 *     └ supervisor (this; detached, small, never touches FUSE)
 *         └ worker (`stem ARGV --foreground`: the mount; a process group of its own)
 *
 * The worker's first readiness report goes to the waiting parent, so a
 * refusal ends `stem` with its exit code as before and is never retried.
 * Once the mount was live, a worker that dies (a signal, a crash in
 * fuse-native, an exit code other than 0 or 15) is logged, its dead mount is
 * detached and it is started again with backoff, bounded by restart-policy.ts.
 * Nothing waits for a human: the push journal survives the crash and the new
 * worker's startup round delivers what was pending.
 */
import { realpathSync } from 'node:fs'
import { resolve } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { describe } from '../errors.js'
import { ExitCode } from '../exit-codes.js'
import type { Logger } from '../logger.js'
import { fusermountUnmount } from '../mount/fusermount.js'
import { findMount } from '../mount/mountinfo.js'
import type { ReadyMessage } from './daemonize.js'
import type { MountArgs } from './parse-args.js'
import { createRestartPolicy } from './restart-policy.js'
import { startWorker, type Worker, type WorkerExit } from './start-worker.js'
import { supervisorLog } from './supervisor-log.js'

/** How long a worker that reported a refusal may take to exit before it is killed. */
const REFUSED_EXIT_MS = 5000
const STOP_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const

/** Runs until the worker exits for good; resolves to the supervisor's exit code. */
export async function runSupervisor (cliFile: string, argv: readonly string[], args: MountArgs): Promise<number> {
  // The waiting parent stops reading our stderr once it has its answer.
  process.stderr.on('error', () => {})
  const mountpoint = canonical(args.mountpoint)
  let worker = startWorker(cliFile, argv, { passStderr: true })
  // Stopping is the worker's job (it drains); we only pass the signal on and stop restarting.
  const stop = stopSignals(sig => worker.signal(sig))
  const first = await worker.report
  if (first?.type !== 'ready') return await refused(worker, first)
  await tellParent(first)
  worker.stopPassingStderr()
  const log = await supervisorLog(args)
  const policy = createRestartPolicy()
  policy.live()
  let live = true
  log.info({ worker: worker.pid, mountpoint }, 'supervising the worker')
  for (;;) {
    const exit = await worker.exited
    const why = exitReason(exit)
    const detail = { worker: worker.pid, ...(exit.stderrTail.trim() === '' ? {} : { stderr: exit.stderrTail }) }
    if (stop.requested() !== undefined || exit.code === ExitCode.ok || exit.code === ExitCode.undelivered) {
      log.info(detail, `the worker exited (${why}); the supervisor exits too`)
      return exit.code ?? ExitCode.failure
    }
    log.error(detail, `the worker died (${why})`)
    worker.killLeftovers()
    if (live && findMount(mountpoint)?.fstype !== 'fuse.stalk') {
      // A mount that is gone was unmounted on purpose: mounting it again would undo the user's umount.
      log.error(`${mountpoint} was unmounted before the worker died: not restarting (pending changes stay journaled for the next mount)`)
      return ExitCode.failure
    }
    const decision = policy.died()
    if (decision.action === 'give-up') {
      await cleanDeadMount(mountpoint, log)
      log.error(`giving up: ${decision.reason}; ${mountpoint} stays unmounted and pending changes stay journaled for the next mount`)
      return ExitCode.failure
    }
    log.warn({ restartInMs: decision.delayMs }, `restarting the worker in ${decision.delayMs / 1000} s`)
    const stopped = await stop.during(decision.delayMs)
    // Detached only now: while it is dead, programs using the mount get ENOTCONN
    // instead of writing into the bare folder that the next mount would hide.
    await cleanDeadMount(mountpoint, log)
    if (stopped) {
      log.warn(`stop requested before the restart; exiting with ${mountpoint} unmounted (pending changes stay journaled)`)
      return ExitCode.failure
    }
    worker = startWorker(cliFile, argv, { passStderr: false })
    live = false
    const current = worker
    void current.report.then(m => {
      if (m?.type === 'ready') {
        live = true
        policy.live()
        log.warn({ worker: current.pid }, `restarted: ${mountpoint} is live again`)
      } else if (m?.type === 'failed') {
        log.error({ worker: current.pid, exitCode: m.exitCode }, `the restarted worker could not mount: ${m.message}`)
      }
    })
  }
}

/** Before readiness: the parent gets the reason once the worker is gone, so nothing runs on when `stem` returns. */
async function refused (worker: Worker, report: ReadyMessage | undefined): Promise<number> {
  const exit = await Promise.race([worker.exited, sleep(REFUSED_EXIT_MS).then(() => undefined)])
  worker.killLeftovers()
  if (report?.type === 'failed') {
    await tellParent(report)
    return report.exitCode
  }
  const code = exit?.code ?? null
  // The parent prints what the worker wrote to stderr; say something when it wrote nothing.
  if (exit === undefined || exit.stderrTail.trim() === '') {
    process.stderr.write(`the daemon exited (${exit?.signal ?? `code ${String(code)}`}) before the mount was ready\n`)
  }
  return code !== null && code !== 0 ? code : ExitCode.failure
}

/** Detaches the dead worker's mount, if it is still there. */
async function cleanDeadMount (mountpoint: string, log: Logger): Promise<void> {
  if (findMount(mountpoint)?.fstype !== 'fuse.stalk') return
  try {
    await fusermountUnmount(mountpoint)
    log.warn({ mountpoint }, 'detached the dead mount')
  } catch (err) {
    // The next worker's mountpoint check cleans a dead mount too.
    log.error({ mountpoint, err: describe(err) }, 'cannot detach the dead mount')
  }
}

interface StopSignals {
  /** The first stop signal received, if any. */
  requested(): NodeJS.Signals | undefined
  /** Waits `ms`; true when a stop signal came before or during the wait. */
  during(ms: number): Promise<boolean>
}

/**
 * Each stop signal is passed on to the worker, which drains its pending
 * changes and exits; from then on we only wait for that exit, never restart.
 * Installed for the rest of our life: the default action would kill us
 * before the worker drained.
 */
function stopSignals (forward: (sig: NodeJS.Signals) => void): StopSignals {
  let requested: NodeJS.Signals | undefined
  let wake = (): void => {}
  for (const sig of STOP_SIGNALS) {
    process.on(sig, () => {
      requested ??= sig
      forward(sig)
      wake()
    })
  }
  return {
    requested: () => requested,
    during: async ms => {
      if (requested !== undefined) return true
      await new Promise<void>(resolve => {
        const timer = setTimeout(done, ms)
        function done (): void {
          clearTimeout(timer)
          wake = () => {}
          resolve()
        }
        wake = done
      })
      return requested !== undefined
    }
  }
}

function tellParent (m: ReadyMessage): Promise<void> {
  return new Promise(done => {
    if (process.send === undefined || !process.connected) { done(); return }
    try {
      process.send(m, () => {
        if (process.connected) process.disconnect()
        done()
      })
    } catch {
      // The parent went away (killed while waiting): the mount runs on without it.
      done()
    }
  })
}

function exitReason (exit: WorkerExit): string {
  return exit.signal !== null ? `killed by ${exit.signal}` : `exit code ${String(exit.code)}`
}

function canonical (p: string): string {
  const abs = resolve(p)
  try { return realpathSync(abs) } catch { return abs }
}
