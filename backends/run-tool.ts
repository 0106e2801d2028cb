/**
 * Runs an external tool (rsync, ssh) from an argv array, never through a
 * shell, and reports how it ended with the tail of its stderr.
 *
 * The child gets its own session (`detached`): it has no controlling
 * terminal, so neither ssh nor rsync can ever stop to ask for a password, and
 * a Ctrl-C meant for stalk does not hit it. Its process group is killed as a
 * whole on abort, so the ssh that rsync started dies with it: SIGTERM first
 * (rsync removes its temp file and exits 20), SIGKILL after a grace period.
 */
import { spawn } from 'node:child_process'

export interface ToolRun {
  /** The exit code, or null when a signal ended it. */
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  /** The last bytes of stderr, starting at a line boundary. */
  readonly stderr: string
  /** True when the abort signal ended (or prevented) the run. */
  readonly aborted: boolean
  /** The first `stdoutLimit` bytes of stdout, only when that option was given. */
  readonly stdout?: string
}

export interface RunToolOptions {
  readonly signal?: AbortSignal
  readonly env?: NodeJS.ProcessEnv
  /** Time between SIGTERM and SIGKILL (default 5 s). */
  readonly killGraceMs?: number
  /** How much of stderr to keep (default 8 KiB). */
  readonly stderrLimit?: number
  /** Keep the start of stdout, up to this many bytes (e.g. an `rsync --list-only` listing); default: discarded. */
  readonly stdoutLimit?: number
}

/** Resolves when the tool has exited; rejects only when it could not start (e.g. ENOENT). */
export function runTool (argv: readonly string[], o: RunToolOptions = {}): Promise<ToolRun> {
  const [cmd, ...args] = argv
  if (cmd === undefined) return Promise.reject(new TypeError('runTool: empty argv'))
  if (o.signal?.aborted === true) return Promise.resolve({ code: null, signal: null, stderr: '', aborted: true })
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: o.env ?? process.env, detached: true })
    const tail = new TailBuffer(o.stderrLimit ?? 8192)
    let aborted = false
    let killTimer: NodeJS.Timeout | undefined
    const killGroup = (sig: NodeJS.Signals): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, sig)
      } catch { /* the group is already gone */ }
    }
    const onAbort = (): void => {
      aborted = true
      killGroup('SIGTERM')
      killTimer = setTimeout(() => { killGroup('SIGKILL') }, o.killGraceMs ?? 5000)
    }
    const done = (): void => {
      o.signal?.removeEventListener('abort', onAbort)
      clearTimeout(killTimer)
    }
    o.signal?.addEventListener('abort', onAbort, { once: true })
    const head = o.stdoutLimit === undefined ? undefined : new HeadBuffer(o.stdoutLimit)
    // Read to the end even past the limit: a child blocked on a full pipe would never exit.
    child.stdout.on('data', (b: Buffer) => { head?.push(b) })
    child.stderr.on('data', (b: Buffer) => { tail.push(b) })
    child.once('error', err => { done(); reject(err) })
    child.once('close', (code, signal) => {
      done()
      resolve({ code, signal, stderr: tail.text(), aborted, ...(head === undefined ? {} : { stdout: head.text() }) })
    })
  })
}

/** Keeps the first `limit` bytes of a stream. */
class HeadBuffer {
  private chunks: Buffer[] = []
  private size = 0
  constructor (private readonly limit: number) {}

  push (b: Buffer): void {
    if (this.size >= this.limit) return
    const part = b.subarray(0, this.limit - this.size)
    this.chunks.push(part)
    this.size += part.length
  }

  text (): string {
    return Buffer.concat(this.chunks).toString('utf8')
  }
}

/** Keeps the last `limit` bytes of a stream without holding all of it. */
class TailBuffer {
  private chunks: Buffer[] = []
  private size = 0
  private truncated = false
  constructor (private readonly limit: number) {}

  push (b: Buffer): void {
    this.chunks.push(b)
    this.size += b.length
    if (this.size > 2 * this.limit) this.compact()
  }

  text (): string {
    this.compact()
    const s = Buffer.concat(this.chunks).toString('utf8')
    if (!this.truncated) return s
    // Drop the cut first line (and any split UTF-8 sequence with it).
    const nl = s.indexOf('\n')
    return nl < 0 ? s : s.slice(nl + 1)
  }

  private compact (): void {
    if (this.size <= this.limit) return
    const all = Buffer.concat(this.chunks)
    this.chunks = [all.subarray(all.length - this.limit)]
    this.size = this.limit
    this.truncated = true
  }
}
