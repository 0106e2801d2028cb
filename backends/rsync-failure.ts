/**
 * Turns a failed rsync or ssh run into a TargetError a person can act on:
 * the real reason first (found in stderr: "authentication failed",
 * "connection refused", "host key verification failed", …), then the exit
 * code with its meaning from rsync(1), then rsync's last words. The stderr
 * kept on the error is bounded and scrubbed of anything that looks like a
 * password, because it ends up in logs and `stem status`.
 */
import { TargetError } from './backend.js'
import type { ProcessRun } from '../src/process/run-process.js'

/** What the failure readers look at: how the run ended and the tail of its stderr. */
export type ToolRun = Pick<ProcessRun, 'code' | 'signal' | 'aborted' | 'stderr'>

const EXIT_MEANINGS: ReadonlyMap<number, string> = new Map([
  [1, 'syntax or usage error'], [2, 'protocol incompatibility'], [3, 'errors selecting input/output files or dirs'],
  [4, 'requested action not supported'], [5, 'error starting client-server protocol'],
  [6, 'daemon unable to append to log file'], [10, 'error in socket I/O'], [11, 'error in file I/O'],
  [12, 'error in rsync protocol data stream'], [13, 'errors with program diagnostics'], [14, 'error in IPC code'],
  [20, 'received SIGUSR1 or SIGINT'], [21, 'some error returned by waitpid()'], [22, 'error allocating memory'],
  [23, 'partial transfer due to error'], [24, 'partial transfer due to vanished source files'],
  [25, 'the --max-delete limit stopped deletions'], [30, 'timeout in data send/receive'],
  [35, 'timeout waiting for daemon connection'], [255, 'ssh failed (connection, authentication or host key)']
])

/** The most specific first: an auth failure also ends in "connection closed". */
const REASONS: ReadonlyArray<readonly [RegExp, string]> = [
  [/Failed to exec ([^:]+): No such file or directory/, 'the remote shell "$1" is not installed'],
  [/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED/, 'host key verification failed (the host is not in known_hosts, or its key changed)'],
  [/Permission denied \((?:publickey|password|keyboard)/, 'authentication failed (ssh key not accepted)'],
  [/@ERROR: auth failed/, 'authentication failed (rsync daemon rejected the user or password)'],
  [/password file must not be other-accessible/, 'the password file is readable by others (chmod 600 it)'],
  [/@ERROR: Unknown module '([^']*)'/, 'unknown rsync module "$1"'],
  [/module is read only/, 'the rsync module is read-only'],
  [/Connection refused/, 'connection refused'],
  [/Connection timed out|connection timed out|timed out/, 'connection timed out'],
  [/Could not resolve hostname|Name or service not known|Temporary failure in name resolution|getaddrinfo/, 'host name not found'],
  [/No route to host|Network is unreachable/, 'host unreachable'],
  [/rsync: (?:command )?not found/, 'rsync is not installed on the remote host'],
  [/No space left on device/, 'no space left on the destination'],
  [/(?:mkdir|change_dir).*failed: No such file or directory/, 'the destination folder\'s parent does not exist (rsync creates only the last folder)'],
  [/Permission denied \(13\)|Operation not permitted \(1\)/, 'permission denied on the destination'],
  [/Read-only file system/, 'the destination file system is read-only']
]

/** What went wrong, in words, and the stderr line that says so; undefined when stderr says nothing we know. */
export function rsyncReason (stderr: string): { reason: string; line: string } | undefined {
  for (const [re, reason] of REASONS) {
    const m = re.exec(stderr)
    if (m === null) continue
    const start = stderr.lastIndexOf('\n', m.index) + 1
    const end = stderr.indexOf('\n', m.index)
    return { reason: reason.replace('$1', m[1] ?? ''), line: stderr.slice(start, end < 0 ? undefined : end).trim() }
  }
  return undefined
}

export function exitMeaning (code: number): string {
  return EXIT_MEANINGS.get(code) ?? 'unknown exit code'
}

/**
 * The error for a run that did not succeed. `what` starts the message
 * ("rsync to host:/x"); `tool` says whose exit codes these are (ssh passes
 * the remote command's on, and uses 255 for its own failures); `secrets`
 * are literal strings to blank out.
 */
export function rsyncFailure (what: string, run: ToolRun, secrets: readonly string[] = [], tool: 'rsync' | 'ssh' = 'rsync'): TargetError {
  const stderr = scrubSecrets(run.stderr, secrets).trimEnd()
  // Classified on the raw text: scrubbing may blank words the patterns look for.
  const found = rsyncReason(run.stderr)
  const meaning = run.code === null ? 'the process was killed' : codeMeaning(run.code, tool)
  const how = run.code === null ? `killed by ${run.signal ?? 'a signal'}` : `exit ${run.code}: ${meaning}`
  const said = clip(found === undefined ? lastLine(stderr) : scrubSecrets(found.line, secrets))
  const message = `${what} failed: ${found?.reason ?? meaning} (${how})${said === '' ? '' : `; stderr: ${said}`}`
  return new TargetError(message, { ...(run.code === null ? {} : { exitCode: run.code }), stderr })
}

function codeMeaning (code: number, tool: 'rsync' | 'ssh'): string {
  if (tool === 'rsync' || code === 255) return exitMeaning(code)
  return `the remote command failed with exit ${code}`
}

/** The last stderr line, skipping rsync's own summary line, which says less than the one before. */
function lastLine (stderr: string): string {
  const lines = stderr.split('\n').map(l => l.trim()).filter(l => l !== '')
  const useful = lines.filter(l => !/^rsync error: .*\(code \d+\) at /.test(l))
  return useful.at(-1) ?? lines.at(-1) ?? ''
}

function clip (line: string): string {
  return line.length > 300 ? `${line.slice(0, 300)}…` : line
}

/** Blanks literal secrets and anything shaped like `password=…` or `user:pass@host`. */
export function scrubSecrets (text: string, secrets: readonly string[] = []): string {
  let out = text
  for (const s of secrets) if (s.length >= 3) out = out.replaceAll(s, '***')
  return out
    .replace(/\b(pass(?:word|wd)?|secret|token|RSYNC_PASSWORD)(\s*[=:]\s*)(?!@)\S+/gi, '$1$2***')
    .replace(/(\/\/[^/\s:@]+):[^@\s/]+@/g, '$1:***@')
}
