/**
 * The preflight of both modes: every target (push) or origin server (pull)
 * is asked to check itself with its credentials. The mount path enforces
 * the outcome (refuse, or only warn when lazy); `stem check` prints it as a
 * table. Both read the same results, so they say the same things.
 */
import type { Backend, Target } from '../../backends/backend.js'
import { describe } from '../errors.js'
import { StemError } from '../exit-codes.js'
import type { Logger } from '../logger.js'

export interface CheckResult {
  readonly kind: 'target' | 'origin'
  /** The target's label, or the file names served by the origin. */
  readonly name: string
  /** Where: the target's destination, or the origin server (never with a secret). */
  readonly destination: string
  readonly ok: boolean
  readonly reason?: string
}

/** Checks every target in parallel; the results are in the order given. */
export async function checkTargets (targets: readonly Target[]): Promise<CheckResult[]> {
  const checks = await Promise.allSettled(targets.map(t => t.check()))
  return checks.map((c, i) => result('target', targets[i]?.label ?? '?', targets[i]?.destination ?? '?', c))
}

/** Checks every origin server in parallel; `names` says which files each one serves (for the table). */
export async function checkOrigins (backends: readonly Backend[], names: (b: Backend) => string = () => ''): Promise<CheckResult[]> {
  const checks = await Promise.allSettled(backends.map(b => b.check?.()))
  return checks.map((c, i) => {
    const b = backends[i]
    return result('origin', b === undefined ? '?' : names(b), b?.name ?? '?', c)
  })
}

/**
 * The mount's rule: any failure refuses the mount (exit 13), unless the
 * config says lazy, in which case each failure is a warning and the mount
 * goes on (targets: changes wait in the journal; origins: copies are served).
 */
export function enforcePreflight (results: readonly CheckResult[], lazy: boolean, log: Logger): void {
  const failed = results.filter(r => !r.ok).map(describeFailure)
  if (failed.length === 0) return
  const kind = results[0]?.kind ?? 'target'
  if (lazy) {
    const why = kind === 'target'
      ? 'target not reachable now, changes will be kept until it is'
      : 'origin not reachable now; cached copies are served until it is'
    for (const f of failed) log.warn(`${why}: ${f}`)
    return
  }
  throw new StemError('preflightFailed', `${kind} check failed:\n  ${failed.join('\n  ')}\n(set "lazy: yes" in [global] to mount anyway)`)
}

/** "label (destination): reason" for a target, "server: reason" for an origin, as the mount has always said. */
export function describeFailure (r: CheckResult): string {
  return r.kind === 'target' ? `${r.name} (${r.destination}): ${r.reason ?? 'failed'}` : `${r.destination}: ${r.reason ?? 'failed'}`
}

function result (kind: CheckResult['kind'], name: string, destination: string, c: PromiseSettledResult<unknown>): CheckResult {
  return c.status === 'fulfilled'
    ? { kind, name, destination, ok: true }
    : { kind, name, destination, ok: false, reason: describe(c.reason) }
}
