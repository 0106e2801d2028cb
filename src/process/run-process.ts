/**
 * Runs one program from an argv array, never through a shell, and reports
 * how it ended with bounded copies of its output (output-buffers.ts).
 *
 * The child gets its own session (`detached`): it has no controlling
 * terminal, so ssh can never stop to ask for a password, and a Ctrl-C meant
 * for stalk does not hit it. A time limit or an abort stops its whole
 * process group, so the ssh that rsync started or the workers createrepo
 * forked die with it: SIGTERM first (rsync removes its temp file and exits
 * 20), SIGKILL after a grace time, and SIGKILL to leftovers at the end.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { stat } from 'node:fs/promises'
import { HeadBuffer, TailBuffer } from './output-buffers.js'

export interface ProcessOptions {
  /** The working directory (default: stalk's own). */
  readonly cwd?: string | undefined
  /** Default: stalk's own environment. */
  readonly env?: NodeJS.ProcessEnv | undefined
  readonly signal?: AbortSignal | undefined
  /** No time limit when unset. */
  readonly timeoutMs?: number | undefined
  /** Time between SIGTERM and SIGKILL (default 5 s). */
  readonly killGraceMs?: number | undefined
  /** Which part of stdout to keep: the start (a listing), the end (a log), or none (the default). */
  readonly stdout?: 'head' | 'tail' | 'discard' | undefined
  /** Bytes of stdout kept (default 64 KiB). */
  readonly stdoutLimit?: number | undefined
  /** Bytes of stderr kept, from the end (default 8 KiB). */
  readonly stderrLimit?: number | undefined
  /** How a cut tail starts: at its first whole line (the default), or with "[N bytes cut]…". */
  readonly tailCut?: 'line' | 'mark' | undefined
}

export interface ProcessRun {
  /** The exit code, or null when a signal ended the program. */
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly timedOut: boolean
  /** True when the abort signal ended (or prevented) the run. */
  readonly aborted: boolean
  /** The kept part of stdout; '' when it was discarded. */
  readonly stdout: string
  readonly stderr: string
  readonly durationMs: number
}

/**
 * Resolves however the program ends, also when the signal was aborted before
 * the start (nothing is run); rejects only when it cannot start, with
 * "command not found: X" and the like and the errno in `code`.
 */
export function runProcess (argv: readonly string[], o: ProcessOptions = {}): Promise<ProcessRun> {
  const [program, ...args] = argv
  if (program === undefined) return Promise.reject(new TypeError('runProcess: empty argv'))
  if (o.signal?.aborted === true) {
    return Promise.resolve({ code: null, signal: null, timedOut: false, aborted: true, stdout: '', stderr: '', durationMs: 0 })
  }
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(program, args, { cwd: o.cwd, env: o.env ?? process.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
    const out = stdoutBuffer(o)
    const err = new TailBuffer(o.stderrLimit ?? 8192, o.tailCut ?? 'line')
    // Read to the end even past the limit: a child blocked on a full pipe would never exit.
    child.stdout.on('data', (b: Buffer) => { out?.push(b) })
    child.stderr.on('data', (b: Buffer) => { err.push(b) })
    const stopper = new Stopper(child, o)
    child.on('error', e => {
      // after a successful start, 'error' only means a kill failed; 'close' still comes
      if (child.pid !== undefined || !stopper.done()) return
      void spawnError(e, program, o.cwd).then(reject)
    })
    const finish = (code: number | null, sig: NodeJS.Signals | null): void => {
      if (!stopper.done()) return
      resolve({
        code, signal: sig, timedOut: stopper.reason === 'timeout', aborted: stopper.reason === 'abort',
        stdout: out?.text() ?? '', stderr: err.text(), durationMs: Math.round(performance.now() - started)
      })
    }
    child.on('close', finish)
    // a background grandchild may hold the pipes open for ever: stop waiting for them soon after exit
    child.on('exit', (code, sig) => {
      stopper.afterExit(() => { child.stdout.destroy(); child.stderr.destroy(); finish(code, sig) })
    })
  })
}

function stdoutBuffer (o: ProcessOptions): HeadBuffer | TailBuffer | undefined {
  const limit = o.stdoutLimit ?? 65536
  if (o.stdout === 'head') return new HeadBuffer(limit)
  return o.stdout === 'tail' ? new TailBuffer(limit, o.tailCut ?? 'line') : undefined
}

/**
 * Owns the run's timers: the time limit, the abort listener, SIGTERM to the
 * whole group then SIGKILL after a grace time, and SIGKILL to leftovers at
 * the end.
 */
class Stopper {
  reason: 'timeout' | 'abort' | undefined
  private finished = false
  private readonly timers: NodeJS.Timeout[] = []
  private readonly onAbort = (): void => { this.stop('abort') }

  constructor (private readonly child: ChildProcess, private readonly o: ProcessOptions) {
    if (o.timeoutMs !== undefined) this.timers.push(setTimeout(() => { this.stop('timeout') }, o.timeoutMs))
    o.signal?.addEventListener('abort', this.onAbort, { once: true })
  }

  stop (reason: 'timeout' | 'abort'): void {
    if (this.reason !== undefined || this.finished) return
    this.reason = reason
    killGroup(this.child, 'SIGTERM')
    this.timers.push(setTimeout(() => { killGroup(this.child, 'SIGKILL') }, this.o.killGraceMs ?? 5000))
  }

  afterExit (fn: () => void): void {
    this.timers.push(setTimeout(fn, 2000))
  }

  /** Ends the run once; false when it had already ended. */
  done (): boolean {
    if (this.finished) return false
    this.finished = true
    for (const t of this.timers) clearTimeout(t)
    this.o.signal?.removeEventListener('abort', this.onAbort)
    if (this.reason !== undefined) killGroup(this.child, 'SIGKILL')
    return true
  }
}

function killGroup (child: ChildProcess, sig: NodeJS.Signals): void {
  if (child.pid === undefined) return
  try {
    process.kill(-child.pid, sig)
  } catch {
    // ESRCH: the group is already gone
  }
}

async function spawnError (e: NodeJS.ErrnoException, program: string, cwd: string | undefined): Promise<Error> {
  let message = `cannot run ${program}: ${e.message}`
  if (e.code === 'EACCES') message = `command not executable: ${program}`
  if (e.code === 'ENOENT') {
    // spawn says ENOENT for a missing cwd too; tell the two apart
    const cwdOk = cwd === undefined || await stat(cwd).then(s => s.isDirectory(), () => false)
    message = cwdOk ? `command not found: ${program}` : `working directory not found: ${cwd}`
  }
  // the errno stays readable: callers name the package to install on ENOENT
  return Object.assign(new Error(message, { cause: e }), { code: e.code })
}
