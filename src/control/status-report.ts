/**
 * The object `stem status` shows, built in the daemon from the syncer's or
 * the file cache's own status. Absolute times are ISO 8601 strings (what a
 * person or jq reads), ages and durations milliseconds. Nothing here may
 * carry a secret: origins and error texts pass through redact(), which hides
 * URL passwords and query strings (presigned URLs, tokens) in case a
 * backend ever let one through.
 */
import type { FileStatus, LastResult } from '../pull/cache-entry.js'
import type { SyncerState, SyncerStatus, TargetStatus } from '../push/syncer-types.js'
import { PROTOCOL_VERSION } from './control-protocol.js'

export interface DaemonInfo {
  readonly configFile: string
  readonly mountpoint: string
  readonly pid: number
  /** Epoch ms when the mount went live. */
  readonly mountedAt: number
}

/** What the report reads: the running syncer (push) or the file cache (pull). */
export type StatusSource =
  | { readonly mode: 'push'; readonly syncer: { status(): SyncerStatus } }
  | { readonly mode: 'pull'; readonly cache: { status(): readonly FileStatus[] } }

export interface TargetReport {
  readonly label: string
  readonly destination: string
  /** Paths waiting for this target. */
  readonly pending: number
  readonly fullMirrorPending: boolean
  readonly lastSuccess: string | null
  readonly lastError: string | null
  readonly lastErrorAt: string | null
  /** Failures in a row. */
  readonly failures: number
  readonly nextRetry: string | null
  readonly running: boolean
}

export interface SyncerReport {
  readonly state: SyncerState
  readonly roundsRun: number
  readonly lastRound: { readonly reason: string; readonly startedAt: string; readonly finishedAt: string; readonly ok: boolean } | null
  readonly nextRound: string | null
}

export interface FileReport {
  readonly name: string
  readonly origin: string
  readonly cached: boolean
  readonly size: number | null
  readonly ageMs: number | null
  readonly fetchedAt: string | null
  readonly fresh: boolean
  readonly lastResult: LastResult | null
  readonly lastResultAt: string | null
  readonly lastError: string | null
  readonly lastErrorAt: string | null
  readonly downloading: boolean
  readonly downloadedBytes: number | null
  readonly openCount: number
}

interface ReportBase {
  readonly protocol: number
  readonly configFile: string
  readonly mountpoint: string
  readonly pid: number
  readonly mountedAt: string
  readonly uptimeMs: number
  readonly now: string
}

export type PushReport = ReportBase & { readonly mode: 'push'; readonly syncer: SyncerReport; readonly targets: readonly TargetReport[] }
export type PullReport = ReportBase & { readonly mode: 'pull'; readonly files: readonly FileReport[] }
export type StatusReport = PushReport | PullReport

export function buildStatusReport (info: DaemonInfo, source: StatusSource, now = Date.now()): StatusReport {
  const base: ReportBase = {
    protocol: PROTOCOL_VERSION,
    configFile: info.configFile,
    mountpoint: info.mountpoint,
    pid: info.pid,
    mountedAt: iso(info.mountedAt) ?? '',
    uptimeMs: Math.max(0, now - info.mountedAt),
    now: iso(now) ?? ''
  }
  if (source.mode === 'pull') return { ...base, mode: 'pull', files: source.cache.status().map(fileReport) }
  const s = source.syncer.status()
  const lastRound = s.lastRound === undefined
    ? null
    : { reason: s.lastRound.reason, startedAt: iso(s.lastRound.startedAt) ?? '', finishedAt: iso(s.lastRound.finishedAt) ?? '', ok: s.lastRound.ok }
  return {
    ...base,
    mode: 'push',
    syncer: { state: s.state, roundsRun: s.roundsRun, lastRound, nextRound: iso(s.nextRoundAt) },
    targets: s.targets.map(targetReport)
  }
}

function targetReport (t: TargetStatus): TargetReport {
  return {
    label: t.label,
    destination: redact(t.destination),
    pending: t.pending,
    fullMirrorPending: t.fullMirrorPending,
    lastSuccess: iso(t.lastSuccessAt),
    lastError: t.lastError === undefined ? null : redact(t.lastError),
    lastErrorAt: iso(t.lastErrorAt),
    failures: t.failures,
    nextRetry: iso(t.nextRetryAt),
    running: t.running
  }
}

function fileReport (f: FileStatus): FileReport {
  return {
    name: f.name,
    origin: redact(f.origin),
    cached: f.cached,
    size: f.size,
    ageMs: f.ageMs,
    fetchedAt: iso(f.fetchedAt),
    fresh: f.fresh,
    lastResult: f.lastResult,
    lastResultAt: iso(f.lastResultAt),
    lastError: f.lastError === null ? null : redact(f.lastError),
    lastErrorAt: iso(f.lastErrorAt),
    downloading: f.inFlight,
    downloadedBytes: f.downloadedBytes,
    openCount: f.openCount
  }
}

function iso (ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : new Date(ms).toISOString()
}

/** `scheme://user:pw@host/p?sig=…` → `scheme://user:***@host/p?…`, anywhere in a text. */
export function redact (text: string): string {
  return text
    .replace(/([a-z][a-z0-9+.-]*:\/\/[^\s/:@]*):[^\s/@]*@/gi, '$1:***@')
    .replace(/([a-z][a-z0-9+.-]*:\/\/[^\s?#]*)\?[^\s#"']*/gi, '$1?…')
}
