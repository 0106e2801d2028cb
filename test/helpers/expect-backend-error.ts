/**
 * Asserts that a backend call rejects with a BackendError of one kind (and,
 * optionally, a message matching a pattern); returns the error for further
 * checks, or undefined after recording the failure.
 */
import type { Test } from 'tap'
import { BackendError, type BackendErrorKind } from '../../src/errors.js'

export async function rejectsKind (t: Test, p: Promise<unknown>, kind: BackendErrorKind,
  message?: RegExp, what = 'the call'): Promise<BackendError | undefined> {
  try {
    await p
  } catch (err) {
    if (!(err instanceof BackendError)) {
      t.fail(`${what}: expected a ${kind} BackendError, got ${String(err)}`)
      return undefined
    }
    t.equal(err.kind, kind, `${what}: kind ${kind} (${err.message})`)
    if (message !== undefined) t.match(err.message, message, `${what}: the message says why`)
    return err
  }
  t.fail(`${what}: expected a ${kind} BackendError, it resolved`)
  return undefined
}
