import t from 'tap'
import { originErrorKind, originFailure } from '../backends/rsync-origin-failure.js'
import type { ToolRun } from '../backends/rsync-failure.js'
import { BackendError } from '../src/errors.js'

const run = (code: number | null, stderr: string): ToolRun => ({ code, signal: null, stderr, aborted: false })

// stderr as rsync 3.5 and OpenSSH 9.2 print it on this machine (the timeouts as rsync(1) words them)
const samples: Array<[number, string, BackendError['kind']]> = [
  [23, 'rsync: [sender] link_stat "/srv/x" failed: No such file or directory (2)\nrsync error: some files/attrs were not transferred (see previous errors) (code 23) at main.c(1956) [Receiver=3.5.0]\nrsync: [Receiver] write error: Broken pipe (32)\n', 'not-found'],
  [23, 'rsync: [sender] link_stat "/srv/f/below" failed: Not a directory (20)\n', 'not-found'],
  [5, "@ERROR: Unknown module 'nomod'\nrsync error: error starting client-server protocol (code 5) at main.c(1954) [Receiver=3.5.0]\n", 'unavailable'],
  [5, '@ERROR: auth failed on module origin-auth\nrsync error: error starting client-server protocol (code 5)\n', 'forbidden'],
  [1, 'ERROR: password file must not be other-accessible\n', 'forbidden'],
  [255, 'root@127.0.0.1: Permission denied (publickey).\r\nrsync: connection unexpectedly closed (0 bytes received so far) [Receiver]\n', 'forbidden'],
  [255, 'Host key verification failed.\r\nrsync: connection unexpectedly closed\n', 'forbidden'],
  [23, 'rsync: [sender] send_files failed to open "/srv/secret": Permission denied (13)\n', 'forbidden'],
  [255, 'ssh: connect to host 127.0.0.1 port 1: Connection refused\r\n', 'unavailable'],
  [10, 'rsync: [Receiver] failed to connect to 127.0.0.1 (127.0.0.1): Connection refused (111)\nrsync error: error in socket I/O (code 10)\n', 'unavailable'],
  [5, '@ERROR: max connections (20) reached -- try again later\n', 'unavailable'],
  [12, 'rsync: connection unexpectedly closed (0 bytes received so far) [Receiver]\nrsync error: error in rsync protocol data stream (code 12)\n', 'unavailable'],
  [30, '[Receiver] io timeout after 60 seconds -- exiting\nrsync error: timeout in data send/receive (code 30) at io.c(248) [Receiver=3.5.0]\n', 'timeout'],
  [35, 'rsync error: timeout waiting for daemon connection (code 35)\n', 'timeout'],
  [255, 'ssh: connect to host 10.255.255.1 port 22: Connection timed out\r\n', 'timeout'],
  [255, 'ssh: Could not resolve hostname nohost: Name or service not known\r\n', 'unavailable']
]

t.test('stderr first, then the exit code, decide the kind', async t => {
  for (const [code, stderr, kind] of samples) t.equal(originErrorKind(run(code, stderr)), kind, stderr.split('\n')[0] ?? '')
  t.equal(originErrorKind(run(99, 'something new\n')), 'unavailable', 'anything unknown: try again later')
})

t.test('messages', async t => {
  const missing = originFailure('stat of h:/srv/x', run(23, samples[0]?.[1] ?? ''), [])
  t.equal(missing.message, 'stat of h:/srv/x: not found on the origin (exit 23): rsync: [sender] link_stat "/srv/x" failed: No such file or directory (2)',
    'the line that says the file is missing, not the broken pipe after it')
  const auth = originFailure('fetch of rsync://h/m/f', run(5, samples[3]?.[1] ?? ''), [])
  t.match(auth.message, /^fetch of rsync:\/\/h\/m\/f failed: authentication failed \(rsync daemon rejected the user or password\) \(exit 5: .*\); stderr: @ERROR: auth failed on module origin-auth$/)
  t.equal(auth.code, 'EACCES')
  const leaky = originFailure('x', run(12, 'rsync: error: password=hunter22 in s3cretpw\n'), ['s3cretpw'])
  t.notMatch(leaky.message, /hunter22|s3cretpw/, 'secrets are blanked')
  const killed = originFailure('x', { code: null, signal: 'SIGKILL', stderr: '', aborted: false }, [])
  t.match(killed.message, /killed by SIGKILL/)
  t.equal(killed.kind, 'unavailable')
})
