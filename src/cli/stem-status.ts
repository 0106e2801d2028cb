/**
 * `stem status [MOUNTPOINT] [--json]`: asks the daemon of MOUNTPOINT, or of
 * every stalk mount of this user, for its status report. A mount whose
 * daemon does not answer is reported on stderr with the reason and makes
 * the exit code 1; the others are still shown.
 */
import { describe } from '../errors.js'
import { ExitCode, StemError } from '../exit-codes.js'
import type { StatusReport } from '../control/status-report.js'
import { ANSWER_TIMEOUT_MS, askDaemon } from './ask-daemon.js'
import { formatStatus } from './format-status.js'
import { resolveMountpoint, stalkMounts } from './stalk-mounts.js'

export interface StatusArgs { readonly mountpoint: string | undefined; readonly json: boolean }

type Answer = { readonly mountpoint: string; readonly report: StatusReport } | { readonly mountpoint: string; readonly error: string }

export async function stemStatus (args: StatusArgs): Promise<number> {
  const mounts = args.mountpoint === undefined ? stalkMounts() : [await resolveMountpoint(args.mountpoint)]
  if (mounts.length === 0) {
    process.stderr.write(`stem: not running: no stalk mount of this user (uid ${process.getuid?.() ?? '?'})\n`)
    return ExitCode.failure
  }
  const answers = await Promise.all(mounts.map(ask))
  for (const a of answers) if ('error' in a) process.stderr.write(`stem: ${a.error}\n`)
  const reports = answers.flatMap(a => 'report' in a ? [a.report] : [])
  if (args.json) {
    // One mountpoint asked: its report; all mounts: every answer, the dead ones with their reason.
    const out = args.mountpoint !== undefined ? reports[0] : answers.map(a => 'report' in a ? a.report : { mountpoint: a.mountpoint, error: a.error })
    if (out !== undefined) process.stdout.write(JSON.stringify(out, null, 2) + '\n')
  } else if (reports.length > 0) {
    process.stdout.write(reports.map(formatStatus).join('\n\n') + '\n')
  }
  return reports.length === answers.length ? ExitCode.ok : ExitCode.failure
}

async function ask (mountpoint: string): Promise<Answer> {
  try {
    return { mountpoint, report: asStatusReport(await askDaemon(mountpoint, 'status', { timeoutMs: ANSWER_TIMEOUT_MS })) }
  } catch (err) {
    if (err instanceof StemError) return { mountpoint, error: err.message }
    return { mountpoint, error: `${mountpoint}: ${describe(err)}` }
  }
}

/** The daemon's answer, checked just enough that the formatter can rely on its shape. */
export function asStatusReport (v: unknown): StatusReport {
  const o = typeof v === 'object' && v !== null ? v as Record<string, unknown> : {}
  const ok = (o['mode'] === 'push' && Array.isArray(o['targets'])) || (o['mode'] === 'pull' && Array.isArray(o['files']))
  if (!ok) throw new Error('the daemon answered a status this stem does not understand (a different stalk version?)')
  return o as unknown as StatusReport
}
