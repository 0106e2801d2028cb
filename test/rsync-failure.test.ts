import t from 'tap'
import { TargetError } from '../backends/backend.js'
import { exitMeaning, rsyncFailure, rsyncReason, scrubSecrets } from '../backends/rsync-failure.js'

// stderr as rsync 3.5 and OpenSSH 9.2 print it on this machine
const samples: Array<[string, RegExp]> = [
  ['Host key verification failed.\r\nrsync: connection unexpectedly closed (0 bytes received so far) [sender]\n', /host key verification failed/],
  ['root@127.0.0.1: Permission denied (publickey).\r\nrsync: connection unexpectedly closed\n', /authentication failed \(ssh key/],
  ['@ERROR: auth failed on module push\nrsync error: error starting client-server protocol (code 5) at main.c(1954) [sender=3.5.0]\n', /authentication failed \(rsync daemon/],
  ["@ERROR: Unknown module 'nomod'\n", /unknown rsync module "nomod"/],
  ['ERROR: module is read only\n', /read-only/],
  ['ssh: connect to host 127.0.0.1 port 1: Connection refused\r\n', /connection refused/],
  ['rsync: [sender] failed to connect to 127.0.0.1 (127.0.0.1): Connection refused (111)\n', /connection refused/],
  ['ssh: Could not resolve hostname nohost: Name or service not known\r\n', /host name not found/],
  ['ERROR: password file must not be other-accessible\n', /chmod 600/],
  ['rsync: [sender] Failed to exec /opt/ssh: No such file or directory (2)\nrsync error: error in IPC code (code 14)\n', /the remote shell "\/opt\/ssh" is not installed/],
  ['bash: line 1: rsync: command not found\n', /not installed on the remote host/],
  ['rsync: [Receiver] mkdir "no/such/sub" (in push) failed: No such file or directory (2)\n', /parent does not exist/]
]

t.test('stderr is read for the real reason', async t => {
  for (const [stderr, reason] of samples) t.match(rsyncReason(stderr)?.reason, reason, stderr.split('\n')[0] ?? '')
  t.equal(rsyncReason('something new\n'), undefined)
})

t.test('exit codes have meanings', async t => {
  t.equal(exitMeaning(24), 'partial transfer due to vanished source files')
  t.match(exitMeaning(255), /ssh/)
  t.equal(exitMeaning(77), 'unknown exit code')
})

t.test('the error says reason, exit code and rsync\'s last telling line', async t => {
  const err = rsyncFailure('rsync to rsync://h/push', { code: 5, signal: null, aborted: false, stderr: samples[2]?.[0] ?? '' })
  t.type(err, TargetError)
  t.equal(err.exitCode, 5)
  t.match(err.message, /^rsync to rsync:\/\/h\/push failed: authentication failed .*\(exit 5: error starting client-server protocol\); stderr: @ERROR: auth failed on module push$/)
  const unknown = rsyncFailure('x', { code: 11, signal: null, aborted: false, stderr: '' })
  t.equal(unknown.message, 'x failed: error in file I/O (exit 11: error in file I/O)')
  const auth = rsyncFailure('x', { code: 255, signal: null, aborted: false, stderr: samples[1]?.[0] ?? '' })
  t.match(auth.message, /; stderr: root@127\.0\.0\.1: Permission denied \(publickey\)\.$/, 'the line that gave the reason is quoted')
  const remote = rsyncFailure('ssh to h', { code: 1, signal: null, aborted: false, stderr: '' }, [], 'ssh')
  t.equal(remote.message, 'ssh to h failed: the remote command failed with exit 1 (exit 1: the remote command failed with exit 1)')
  t.equal(scrubSecrets('Password: @ERROR: auth failed'), 'Password: @ERROR: auth failed', 'rsync\'s prompt is not a password')
  const killed = rsyncFailure('x', { code: null, signal: 'SIGKILL', aborted: false, stderr: '' })
  t.match(killed.message, /killed by SIGKILL/)
  t.equal(killed.exitCode, undefined)
})

t.test('secrets are scrubbed from kept stderr', async t => {
  t.equal(scrubSecrets('sent password=hunter2 ok'), 'sent password=*** ok')
  t.equal(scrubSecrets('RSYNC_PASSWORD: s3cret'), 'RSYNC_PASSWORD: ***')
  t.equal(scrubSecrets('rsync://user:pw@host/m'), 'rsync://user:***@host/m')
  t.equal(scrubSecrets('auth with hunter2 failed', ['hunter2']), 'auth with *** failed')
  const err = rsyncFailure('x', { code: 5, signal: null, aborted: false, stderr: 'token=abc123\nlast hunter2 line\n' }, ['hunter2'])
  t.notMatch(err.message + err.stderr, /abc123|hunter2/)
})
