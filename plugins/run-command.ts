/**
 * Runs one program without a shell and reports how it ended. The child gets
 * its own process group, so a time limit or an abort stops everything it
 * started (createrepo forks workers), not just the first process.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { stat } from 'node:fs/promises'
import { OutputTail } from './output-tail.js'

export interface RunSpec {
  readonly program: string
  readonly args: readonly string[]
  readonly cwd: string
  readonly env: NodeJS.ProcessEnv
  readonly timeoutMs: number
  /** Time between SIGTERM and SIGKILL once the time limit passed (default 5 s). */
  readonly killGraceMs?: number
  /** Bytes of stdout and of stderr kept, from the end (default 64 KiB). */
  readonly maxOutputBytes?: number
  readonly signal?: AbortSignal
}

export interface RunResult {
  /** The exit code, or null when a signal ended the program. */
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly timedOut: boolean
  readonly aborted: boolean
  readonly stdout: string
  readonly stderr: string
  readonly durationMs: number
}

/** Resolves however the program ends; rejects only when it cannot start ("command not found: X"). */
export function runCommand (spec: RunSpec): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    spec.signal?.throwIfAborted()
    const started = performance.now()
    const child = spawn(spec.program, [...spec.args], {
      cwd: spec.cwd, env: spec.env, shell: false, detached: true, stdio: ['ignore', 'pipe', 'pipe']
    })
    const out = new OutputTail(spec.maxOutputBytes ?? 65536)
    const err = new OutputTail(spec.maxOutputBytes ?? 65536)
    child.stdout?.on('data', (c: Buffer) => { out.push(c) })
    child.stderr?.on('data', (c: Buffer) => { err.push(c) })
    const stopper = new Stopper(child, spec.killGraceMs ?? 5000, spec)
    child.on('error', e => {
      // after a successful start, 'error' only means a kill failed; 'close' still comes
      if (child.pid !== undefined || !stopper.done()) return
      void spawnError(e, spec).then(reject)
    })
    const finish = (code: number | null, sig: NodeJS.Signals | null): void => {
      if (!stopper.done()) return
      resolve({
        code, signal: sig, timedOut: stopper.reason === 'timeout', aborted: stopper.reason === 'abort',
        stdout: out.text(), stderr: err.text(), durationMs: Math.round(performance.now() - started)
      })
    }
    child.on('close', finish)
    // a background grandchild may hold the pipes open for ever: stop waiting for them soon after exit
    child.on('exit', (code, sig) => {
      stopper.afterExit(() => { child.stdout?.destroy(); child.stderr?.destroy(); finish(code, sig) })
    })
  })
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

  constructor (private readonly child: ChildProcess, private readonly graceMs: number, private readonly spec: RunSpec) {
    this.timers.push(setTimeout(() => { this.stop('timeout') }, spec.timeoutMs))
    spec.signal?.addEventListener('abort', this.onAbort, { once: true })
  }

  stop (reason: 'timeout' | 'abort'): void {
    if (this.reason !== undefined || this.finished) return
    this.reason = reason
    killGroup(this.child, 'SIGTERM')
    this.timers.push(setTimeout(() => { killGroup(this.child, 'SIGKILL') }, this.graceMs))
  }

  afterExit (fn: () => void): void {
    this.timers.push(setTimeout(fn, 2000))
  }

  /** Ends the run once; false when it had already ended. */
  done (): boolean {
    if (this.finished) return false
    this.finished = true
    for (const t of this.timers) clearTimeout(t)
    this.spec.signal?.removeEventListener('abort', this.onAbort)
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

async function spawnError (e: Error & { code?: string }, spec: RunSpec): Promise<Error> {
  if (e.code === 'ENOENT') {
    // spawn says ENOENT for a missing cwd too; tell the two apart
    const cwdOk = await stat(spec.cwd).then(s => s.isDirectory(), () => false)
    return new Error(cwdOk ? `command not found: ${spec.program}` : `working directory not found: ${spec.cwd}`, { cause: e })
  }
  if (e.code === 'EACCES') return new Error(`command not executable: ${spec.program}`, { cause: e })
  return new Error(`cannot run ${spec.program}: ${e.message}`, { cause: e })
}
