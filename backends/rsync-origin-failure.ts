/**
 * Turns a failed rsync run against a pull origin into a BackendError whose
 * kind the cache and the FUSE layer act on (not-found → ENOENT, forbidden →
 * EACCES, timeout → ETIMEDOUT, unavailable → EIO). The wording comes from the
 * push side's rsyncFailure, so both modes explain a failure the same way.
 *
 * rsync's exit code alone says too little: a missing file and a file it may
 * not read both end in 23, a refused login and a refused connection both end
 * in 255 over ssh. stderr decides first, the exit code after.
 */
import { BackendError, type BackendErrorKind } from '../src/errors.js'
import { rsyncFailure, scrubSecrets, type ToolRun } from './rsync-failure.js'

/** rsync's "link_stat ... failed: No such file or directory (2)", or a path through a file (20). */
const MISSING = /failed: (?:No such file or directory \(2\)|Not a directory \(20\))/

/** The most specific first; each line is what ssh, rsync or a daemon prints. */
const KINDS: ReadonlyArray<readonly [RegExp, BackendErrorKind]> = [
  [MISSING, 'not-found'],
  // The module is part of the remote, not of the file's path: its absence says the daemon is
  // set up differently than the config thinks, not that a file was deleted, and the cache
  // keeps serving its last good copy on 'unavailable' (where not-found would make files vanish).
  [/@ERROR: Unknown module/, 'unavailable'],
  [/Permission denied \((?:publickey|password|keyboard)|Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED/, 'forbidden'],
  [/@ERROR: auth failed|password file must not be other-accessible|@ERROR: access denied/, 'forbidden'],
  [/Permission denied \(13\)|Operation not permitted \(1\)/, 'forbidden'],
  [/Connection timed out|connection timed out|timed out/, 'timeout']
]

const TIMEOUT_CODES: ReadonlySet<number> = new Set([30, 35])

export function originErrorKind (run: ToolRun): BackendErrorKind {
  for (const [re, kind] of KINDS) if (re.test(run.stderr)) return kind
  if (run.code !== null && TIMEOUT_CODES.has(run.code)) return 'timeout'
  // Refused or reset connections, a daemon at its connection limit, a broken remote shell: try later.
  return 'unavailable'
}

/** The error for a run that ended with a non-zero exit; `what` starts the message ("stat of host:/f"). */
export function originFailure (what: string, run: ToolRun, secrets: readonly string[]): BackendError {
  const kind = originErrorKind(run)
  if (kind === 'not-found') {
    // rsyncFailure would quote rsync's last line, which after a missing file is a "Broken pipe".
    const line = run.stderr.split('\n').find(l => MISSING.test(l)) ?? ''
    return new BackendError('not-found', `${what}: not found on the origin (exit ${run.code ?? 'none'}): ${scrubSecrets(line.trim(), secrets)}`)
  }
  const failure = rsyncFailure(what, run, secrets)
  return new BackendError(kind, failure.message, { cause: failure })
}
