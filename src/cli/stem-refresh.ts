/**
 * `stem refresh MOUNTPOINT [NAME…]`: asks the pull daemon of MOUNTPOINT to
 * mark its cached copies stale (all of them, or those of the NAMEs), so the
 * next open of each asks the origin (a conditional request: unchanged files
 * are not downloaded again) even though their cachetime has not passed.
 * Nothing is deleted: while the origin is down the copies are still served.
 *
 * A refusal by the daemon (a push mount, a name that is not in the mount)
 * is about what was asked, so it ends with exit 2 like a bad command line.
 */
import { isAbsolute, relative } from 'node:path'
import { DaemonRefusedError } from '../control/control-client.js'
import { MAX_LINE_BYTES, MAX_REFRESH_NAMES } from '../control/control-protocol.js'
import { ExitCode, StemError } from '../exit-codes.js'
import type { RefreshResult } from '../pull/file-cache.js'
import { ANSWER_TIMEOUT_MS, askDaemon } from './ask-daemon.js'
import { resolveMountpoint } from './stalk-mounts.js'

export interface RefreshArgs { readonly mountpoint: string; readonly names: readonly string[] }

export async function stemRefresh (args: RefreshArgs): Promise<number> {
  const mp = await resolveMountpoint(args.mountpoint)
  const names = args.names.map(n => inMount(mp, n))
  // The daemon drops a request line longer than this; say so instead of "hung up".
  if (names.length > MAX_REFRESH_NAMES || Buffer.byteLength(JSON.stringify(names)) > MAX_LINE_BYTES - 1024) {
    throw new StemError('usage', `refresh: too many names at once (at most ${MAX_REFRESH_NAMES}, ${MAX_LINE_BYTES / 1024} KiB); name their folder, or refresh in batches`)
  }
  let out: RefreshResult
  try {
    out = asRefreshResult(await askDaemon(mp, 'refresh', { names, timeoutMs: ANSWER_TIMEOUT_MS }))
  } catch (err) {
    if (err instanceof DaemonRefusedError) throw new StemError('usage', `${mp}: ${err.message}`, { cause: err })
    throw err
  }
  const what = out.stale.length === 0 ? 'no copy was cached there' : `${out.stale.length} cached file(s) marked stale: ${out.stale.join(', ')}`
  process.stdout.write(`${mp}: ${what}\n`)
  if (out.trees.length > 0) process.stdout.write(`${mp}: listings and copies not open since the mount, under ${out.trees.join(', ')}, count as stale too\n`)
  process.stdout.write(`${mp}: the next open of each asks the origin\n`)
  return ExitCode.ok
}

/** A name as the daemon takes it: a path relative to the mount; an absolute path inside the mount is made so. */
function inMount (mp: string, name: string): string {
  if (!isAbsolute(name)) return name
  const rel = relative(mp, name)
  if (rel.startsWith('..') || isAbsolute(rel)) throw new StemError('usage', `refresh: ${name} is not inside ${mp}`)
  return rel
}

function asRefreshResult (v: unknown): RefreshResult {
  const o = typeof v === 'object' && v !== null ? v as Record<string, unknown> : {}
  const strings = (x: unknown): x is string[] => Array.isArray(x) && x.every(s => typeof s === 'string')
  if (!strings(o['stale']) || !strings(o['trees'])) throw new Error('the daemon answered a refresh this stem does not understand (a different stalk version?)')
  return { stale: o['stale'], trees: o['trees'] }
}
