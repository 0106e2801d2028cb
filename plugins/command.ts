/**
 * The built-in `command` plugin (also `command_plugin`, the original's name):
 * runs one program before every sync round, e.g. `createrepo -q ROOT`, so the
 * targets receive the regenerated metadata along with the changed files.
 *
 * Keys of its [plugin] section (see README.md, "Plugins"):
 *   command     the program, required; extra words are its first arguments
 *   timeout     time limit (default 10m); then SIGTERM, SIGKILL 5 s later
 *   on_failure  continue (default: targets still sync) | abort (skip the
 *               round's targets and retry the round later)
 *   cwd         working directory (default root; relative means from root)
 *   any other   arguments, ordered by key name; root is always the last one
 * The program also gets STALK_ROOT, STALK_REASON, STALK_CHANGED_FILE (paths
 * one a line), STALK_CHANGED_FILE0 (NUL-terminated) and STALK_CHANGED_COUNT.
 */
import { runProcess, type ProcessRun } from '../src/process/run-process.js'
import { definePlugin, PluginAbortError, type Logger, type SyncEvent } from './api.js'
import { writeChangedList } from './changed-list.js'
import { parseCommandSettings, type CommandSettings } from './command-settings.js'
import { findProgram } from './find-program.js'

export const plugin = definePlugin((options, ctx) => {
  const settings = parseCommandSettings(options, ctx.root)
  return {
    apiVersion: 1,
    name: 'command',
    async init () {
      if (await findProgram(settings.program, settings.cwd, process.env['PATH']) === undefined) {
        throw new Error(`command not found: ${settings.program}`)
      }
    },
    async beforeSync (e) {
      await runRound(settings, e, ctx.log)
    }
  }
})

async function runRound (s: CommandSettings, e: SyncEvent, log: Logger): Promise<void> {
  const list = await writeChangedList(e.changed)
  try {
    // a cancelled round starts nothing and fails with the cancel reason
    e.signal.throwIfAborted()
    const result = await runProcess([s.program, ...s.args, e.root], {
      cwd: s.cwd,
      env: {
        ...process.env,
        STALK_ROOT: e.root,
        STALK_REASON: e.reason,
        STALK_CHANGED_FILE: list.file,
        STALK_CHANGED_FILE0: list.file0,
        STALK_CHANGED_COUNT: String(list.count)
      },
      timeoutMs: s.timeoutMs,
      signal: e.signal,
      // the end of a createrepo log says what went wrong; the mark says it is only the end
      stdout: 'tail',
      stderrLimit: 65536,
      tailCut: 'mark'
    })
    logResult(log, s.program, result)
    const failure = describeFailure(s, result)
    if (failure !== undefined) throw new Error(failure)
  } catch (err) {
    throw failureError(s, err)
  } finally {
    await list.dispose()
  }
}

/** Why the run counts as failed, or undefined when it exited 0. */
export function describeFailure (s: Pick<CommandSettings, 'program' | 'timeoutMs'>, r: ProcessRun): string | undefined {
  if (r.code === 0 && !r.timedOut && !r.aborted) return undefined
  const how = r.code !== null ? `exited with code ${r.code}` : `was killed by ${r.signal ?? 'a signal'}`
  const why = r.timedOut
    ? ` after its time limit of ${s.timeoutMs / 1000} s`
    : r.aborted ? ' because the sync round was cancelled' : ''
  const stderr = tailOf(r.stderr)
  return `${s.program} ${how}${why}` + (stderr === '' ? '' : `; stderr: ${stderr}`)
}

/** Carries the on_failure policy to the syncer: a PluginAbortError skips the round's targets. */
function failureError (s: CommandSettings, err: unknown): Error {
  const message = err instanceof Error ? err.message : String(err)
  return s.onFailure === 'abort'
    ? new PluginAbortError(message, { cause: err })
    : new Error(message, { cause: err })
}

/** The last `lines` lines of `text`, at most `chars` characters, trimmed: for error messages. */
function tailOf (text: string, lines = 10, chars = 1000): string {
  const kept = text.trimEnd().split('\n').slice(-lines).join('\n')
  return kept.length > chars ? '…' + kept.slice(-chars) : kept
}

function logResult (log: Logger, program: string, r: ProcessRun): void {
  log.info({ command: program, code: r.code, signal: r.signal, durationMs: r.durationMs }, 'command finished')
  if (r.stdout.trim() !== '') log.info({ command: program, stdout: r.stdout }, 'command output')
  if (r.stderr.trim() !== '') log.info({ command: program, stderr: r.stderr }, 'command error output')
}
