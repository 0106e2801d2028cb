import { spawn } from 'node:child_process'
import { realpathSync } from 'node:fs'
import { ExitCode } from '../exit-codes.js'
import { findMount } from '../mount/mountinfo.js'

/** What the detached daemon tells the waiting parent over the IPC channel. */
export type ReadyMessage =
  | { readonly type: 'ready'; readonly mountpoint: string }
  | { readonly type: 'failed'; readonly exitCode: number; readonly message: string }

/** Set in the worker's environment (the mount process) so that it reports readiness to its parent. */
export const DAEMON_ENV = 'STALK_DAEMON_CHILD'
/** Set in the supervisor's environment: it runs the worker and restarts it after a crash (supervisor.ts). */
export const SUPERVISOR_ENV = 'STALK_SUPERVISOR'
/** How long the parent waits for a daemon that reported a refusal to exit. */
const REFUSED_EXIT_MS = 10_000

/**
 * Background start: re-runs stem as a detached supervisor, which runs the
 * mount in a worker and passes on the worker's first readiness report, and
 * waits until that report says the mount is live (and mountinfo shows it) or
 * says why not. The parent's exit code is the daemon's reason: 0 only when
 * the mount is really there.
 */
export function daemonize (cliFile: string, argv: readonly string[], mountpoint: string): Promise<number> {
  const child = spawn(process.execPath, [cliFile, ...argv], {
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    env: { ...process.env, [SUPERVISOR_ENV]: '1' }
  })
  let stderr = ''
  child.stderr?.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-8000) })
  return new Promise(resolve => {
    let settled = false
    const finish = (code: number, text?: string): void => {
      if (settled) return
      settled = true
      if (text) process.stderr.write(text.endsWith('\n') ? text : text + '\n')
      child.stderr?.destroy()
      if (child.connected) child.disconnect()
      child.unref()
      resolve(code)
    }
    let refusal: string | undefined
    child.on('message', (m: ReadyMessage) => {
      if (m.type === 'failed') {
        // Returned once the daemon is gone, so that nothing of a refused start runs on after stem.
        refusal = `stem: ${m.message}`
        setTimeout(() => finish(m.exitCode, refusal), REFUSED_EXIT_MS).unref()
        child.once('exit', () => finish(m.exitCode, refusal))
        return
      }
      const mounted = findMount(resolveReal(mountpoint))
      if (mounted?.fstype === 'fuse.stalk') finish(ExitCode.ok)
      else finish(ExitCode.mountFailed, `stem: the daemon reported ready but ${mountpoint} is not mounted`)
    })
    child.on('exit', (code, signal) => {
      if (refusal !== undefined) return
      const why = stderr.trim() || `the daemon exited (${signal ?? `code ${String(code)}`}) before the mount was ready`
      finish(code !== null && code !== 0 ? code : ExitCode.failure, `stem: ${why}`)
    })
    child.on('error', err => finish(ExitCode.failure, `stem: cannot start the daemon: ${err.message}`))
  })
}

function resolveReal (p: string): string {
  try { return realpathSync(p) } catch { return p }
}

/** In the daemon: tell the waiting parent (if any) how the start went, then let go of it. */
export function reportToParent (m: ReadyMessage): void {
  if (process.env[DAEMON_ENV] !== '1' || !process.send) return
  process.send(m, () => {
    if (process.connected) process.disconnect()
  })
  // stderr was a pipe to the parent, which exits now: later writes must not crash us
  process.stderr.on('error', () => {})
}
