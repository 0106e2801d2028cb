/**
 * `stem status` for people: one block per mount, a heading line with mode,
 * pid, uptime and config, then a compact table of targets (push) or files
 * (pull). The JSON form (--json) is the report itself.
 */
import type { FileReport, PullReport, PushReport, StatusReport, TargetReport } from '../control/status-report.js'
import { formatBytes, formatDuration, textTable } from './text-table.js'

export function formatStatus (r: StatusReport): string {
  const now = Date.parse(r.now)
  const head = `${r.mountpoint}: ${r.mode}, pid ${r.pid}, up ${formatDuration(r.uptimeMs)}, config ${r.configFile}`
  return [head, ...(r.mode === 'push' ? pushLines(r, now) : pullLines(r, now))].join('\n')
}

function pushLines (r: PushReport, now: number): string[] {
  const s = r.syncer
  const last = s.lastRound === null
    ? 'no round yet'
    : `last round ${s.lastRound.ok ? 'ok' : 'FAILED'} ${ago(s.lastRound.finishedAt, now)} (${s.lastRound.reason})`
  const next = s.nextRound === null ? '' : `, next ${until(s.nextRound, now)}`
  const lines = [`  sync: ${s.state}, ${s.roundsRun} round${s.roundsRun === 1 ? '' : 's'}, ${last}${next}`]
  if (r.targets.length === 0) return lines
  const rows = r.targets.map((t: TargetReport) => [
    t.label,
    t.destination,
    pendingText(t),
    t.lastSuccess === null ? 'never' : ago(t.lastSuccess, now),
    t.nextRetry === null ? (t.running ? 'running' : '-') : until(t.nextRetry, now),
    t.lastError === null ? '-' : `${t.lastErrorAt === null ? '' : ago(t.lastErrorAt, now) + ': '}${t.lastError}`
  ])
  return [...lines, textTable(['TARGET', 'DESTINATION', 'PENDING', 'LAST SUCCESS', 'NEXT RETRY', 'LAST ERROR'], rows, '  ')]
}

function pendingText (t: TargetReport): string {
  if (t.fullMirrorPending) return t.pending > 0 ? `${t.pending} + full mirror` : 'full mirror'
  return String(t.pending)
}

function pullLines (r: PullReport, now: number): string[] {
  const rows = r.files.map((f: FileReport) => [
    f.name,
    f.size === null ? '-' : formatBytes(f.size),
    f.ageMs === null ? '-' : formatDuration(f.ageMs),
    f.cached ? (f.fresh ? 'fresh' : 'stale') : 'not cached',
    lastFetch(f, now),
    f.lastError === null ? '-' : `${f.lastErrorAt === null ? '' : ago(f.lastErrorAt, now) + ': '}${f.lastError}`
  ])
  return [textTable(['FILE', 'SIZE', 'AGE', 'STATE', 'LAST FETCH', 'LAST ERROR'], rows, '  ')]
}

function lastFetch (f: FileReport, now: number): string {
  if (f.downloading) return f.downloadedBytes === null ? 'downloading' : `downloading, ${formatBytes(f.downloadedBytes)} so far`
  if (f.lastResult === null) return '-'
  return `${f.lastResult}${f.lastResultAt === null ? '' : ' ' + ago(f.lastResultAt, now)}`
}

function ago (iso: string, now: number): string {
  return `${formatDuration(now - Date.parse(iso))} ago`
}

function until (iso: string, now: number): string {
  const ms = Date.parse(iso) - now
  return ms <= 0 ? 'due now' : `in ${formatDuration(ms)}`
}
