/**
 * Asserts that a target operation rejects with a TargetError whose message
 * gives the reason and whose exitCode is the tool's, and returns the error.
 * `failsBoth` runs check() and mirror() of one target against the same
 * expectation, since a preflight that passed while the mirror fails (or the
 * other way round) would be a bug of its own.
 */
import type { Test } from 'tap'
import { TargetError, type Target } from '../../backends/backend.js'
import { tmpDir } from './tmp.js'

export interface Expected {
  readonly message: RegExp
  readonly exitCode: number | undefined
}

export async function rejectsWith (t: Test, p: Promise<unknown>, want: Expected, what: string): Promise<TargetError | undefined> {
  const err = await p.then(() => undefined, (e: unknown) => e)
  if (!(err instanceof TargetError)) {
    t.fail(`${what}: expected a TargetError, got ${err === undefined ? 'success' : String(err)}`)
    return undefined
  }
  t.match(err.message, want.message, `${what}: ${err.message}`)
  t.equal(err.exitCode, want.exitCode, `${what}: exit code ${String(want.exitCode)}`)
  if (want.exitCode !== undefined) t.match(err.message, new RegExp(`exit ${want.exitCode}\\b`), `${what}: the message names the exit code`)
  return err
}

export async function failsBoth (t: Test, target: Target, check: Expected, mirror: Expected = check): Promise<void> {
  await rejectsWith(t, target.check(), check, 'check()')
  const root = await tmpDir(t)
  await rejectsWith(t, target.mirror(root, 'all', { signal: new AbortController().signal }), mirror, 'mirror()')
}
