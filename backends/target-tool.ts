/**
 * One run of rsync or ssh on behalf of a target: logs the exact argv at
 * debug level (it holds no secret by construction: passwords travel in a
 * file or the environment), enforces the target's time limit on top of the
 * caller's abort signal, and turns "could not start", "aborted" and "timed
 * out" into TargetErrors. Any exit code is returned for the caller to judge.
 */
import type { Logger } from '../src/logger.js'
import { runProcess, type ProcessRun } from '../src/process/run-process.js'
import { TargetError } from './backend.js'
import { scrubSecrets } from './rsync-failure.js'

export interface TargetToolOptions {
  readonly env: NodeJS.ProcessEnv
  readonly signal?: AbortSignal | undefined
  readonly timeoutMs: number
  readonly log: Logger
  /** Starts every message: "rsync to host:/srv/x". */
  readonly what: string
  readonly secrets?: readonly string[]
  readonly killGraceMs?: number
}

/** Debian packages that provide the programs stalk runs, for "not installed" messages. */
const PACKAGES: Readonly<Record<string, string>> = { rsync: 'rsync', ssh: 'openssh-client' }

export async function runTargetTool (argv: readonly string[], o: TargetToolOptions): Promise<ProcessRun> {
  const timeout = AbortSignal.timeout(o.timeoutMs)
  const signal = o.signal === undefined ? timeout : AbortSignal.any([o.signal, timeout])
  o.log.debug({ argv }, `${o.what}: running ${argv[0] ?? ''}`)
  let run: ProcessRun
  try {
    run = await runProcess(argv, { signal, env: o.env, killGraceMs: o.killGraceMs })
  } catch (err) {
    throw notStarted(argv[0] ?? '', o.what, err)
  }
  if (!run.aborted) return run
  const stderr = scrubSecrets(run.stderr, o.secrets)
  if (o.signal?.aborted !== true) {
    throw new TargetError(`${o.what} timed out after ${seconds(o.timeoutMs)} and was stopped`, { stderr, cause: timeout.reason })
  }
  throw new TargetError(`${o.what} was aborted (${describeReason(o.signal.reason)})`, { stderr, cause: o.signal.reason })
}

function notStarted (cmd: string, what: string, err: unknown): TargetError {
  const code = (err as { code?: unknown }).code
  const pkg = PACKAGES[cmd.split('/').at(-1) ?? '']
  const hint = code === 'ENOENT' ? ` is not installed${pkg === undefined ? '' : ` (Debian package "${pkg}")`}` : ` could not be started: ${(err as Error).message}`
  return new TargetError(`${what} failed: ${cmd}${hint}`, { cause: err })
}

function describeReason (reason: unknown): string {
  if (reason instanceof Error) return reason.message
  return reason === undefined ? 'no reason given' : String(reason)
}

function seconds (ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`
}
