/**
 * The supervisor's handle on one worker: `stem ARGV --foreground` as its
 * child, which mounts and reports readiness over IPC exactly as the daemon
 * did when the waiting `stem` was its parent.
 */
import { spawn } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import { ExitCode } from '../exit-codes.js'
import { DAEMON_ENV, SUPERVISOR_ENV, type ReadyMessage } from './daemonize.js'

export interface WorkerExit {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  /** The end of what it wrote to stderr: the only trace of a native crash or an uncaught exception. */
  readonly stderrTail: string
}

export interface Worker {
  readonly pid: number
  /** Its readiness report; undefined when it ended without one. */
  readonly report: Promise<ReadyMessage | undefined>
  /**
   * Resolves once the worker was reaped (Node emits 'exit' after waitpid), so
   * its pid can no longer look like a live holder of the state lock.
   */
  readonly exited: Promise<WorkerExit>
  signal(sig: NodeJS.Signals): void
  /** Stops copying its stderr to ours: the waiting parent that read ours is gone. */
  stopPassingStderr(): void
  /** SIGKILLs what is left of its process group (rsync, ssh, plugin commands) after it died. */
  killLeftovers(): void
}

const TAIL_CHARS = 4000
/** How long to wait after the exit for the last stderr bytes and IPC message (a grandchild may hold the pipe). */
const DRAIN_MS = 1000

export function startWorker (cliFile: string, argv: readonly string[], o: { passStderr: boolean }): Worker {
  const env: NodeJS.ProcessEnv = { ...process.env, [DAEMON_ENV]: '1' }
  delete env[SUPERVISOR_ENV]
  const child = spawn(process.execPath, [cliFile, ...argv, '--foreground'], {
    // A process group of its own, so that its leftovers can be killed as one without killing us.
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    env
  })
  let passStderr = o.passStderr
  let tail = ''
  child.stderr?.on('data', (b: Buffer) => {
    if (passStderr) process.stderr.write(b)
    tail = (tail + b.toString()).slice(-TAIL_CHARS)
  })
  const stderrClosed = new Promise<void>(resolve => {
    if (child.stderr === null) resolve()
    else child.stderr.once('close', () => resolve())
  })
  let settleReport: (m: ReadyMessage | undefined) => void = () => {}
  const report = new Promise<ReadyMessage | undefined>(resolve => { settleReport = resolve })
  child.once('message', (m: ReadyMessage) => settleReport(m))
  // The channel closes after every message sent on it was read, so no report can come after this.
  child.once('disconnect', () => settleReport(undefined))
  const exited = new Promise<WorkerExit>(resolve => {
    child.once('exit', (code, signal) => {
      void Promise.race([Promise.all([stderrClosed, report]), sleep(DRAIN_MS)]).then(() => {
        settleReport(undefined)
        resolve({ code, signal, stderrTail: tail })
      })
    })
    // `on`, not `once`: a later error (a failed kill) without a listener would throw.
    child.on('error', err => {
      // spawn itself failed: there is no process to wait for
      if (child.pid !== undefined) return
      settleReport(undefined)
      resolve({ code: ExitCode.failure, signal: null, stderrTail: `cannot start the worker: ${err.message}` })
    })
  })
  const pid = child.pid ?? -1
  return {
    pid,
    report,
    exited,
    signal: sig => { try { child.kill(sig) } catch { /* already gone */ } },
    stopPassingStderr: () => { passStderr = false },
    killLeftovers: () => {
      if (pid <= 0) return
      // ESRCH: nothing of the group is left, the usual case.
      try { process.kill(-pid, 'SIGKILL') } catch { /* nothing left */ }
    }
  }
}
