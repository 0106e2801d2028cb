import t from 'tap'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSyslogStream, toSyslogLine } from '../src/log/syslog-stream.js'

t.test('pino lines become "<PRI>message key=value" with daemon facility', async t => {
  t.equal(toSyslogLine(JSON.stringify({ level: 50, time: 1, pid: 2, msg: 'sync failed', target: 'us-west-2' })),
    '<27>sync failed target="us-west-2"\n', 'error: 3*8+3')
  t.equal(toSyslogLine(JSON.stringify({ level: 30, msg: 'mounted' })), '<30>mounted\n', 'info: 3*8+6')
  t.equal(toSyslogLine(JSON.stringify({ level: 40, msg: 'a\nb' })), '<28>a b\n', 'one line per record')
  t.equal(toSyslogLine('not json\n'), 'not json\n')
})

t.test('no /dev/log: no syslog stream', async t => {
  t.equal(createSyslogStream('stalk', join(t.testdir({}), 'nothing-here')), undefined)
})

t.test('lines reach a real syslog socket through logger(1)', async t => {
  // unix socket paths are limited to 108 bytes: tap's fixture dirs are too deep
  const dir = mkdtempSync(join(tmpdir(), 'stalk-syslog-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const sock = join(dir, 'log.sock')
  // Node has no unix datagram sockets: a tiny python listener plays syslogd.
  const listener = spawn('python3', ['-c', `
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(sys.argv[1]); print('up', flush=True)
while True:
    print(s.recv(65536).decode(), flush=True)
`, sock], { stdio: ['ignore', 'pipe', 'inherit'] })
  t.teardown(() => { listener.kill() })
  let out = ''
  await new Promise<void>((resolve, reject) => {
    listener.stdout.on('data', (d: Buffer) => { out += d.toString(); if (out.includes('up')) resolve() })
    listener.on('exit', code => reject(new Error(`syslog listener exited ${String(code)}`)))
  })
  const stream = createSyslogStream('stalk-test', sock)
  if (!stream) { t.fail('no stream although the socket exists'); return }
  stream.write(JSON.stringify({ level: 50, msg: 'target us-east-1 failed', code: 23 }) + '\n')
  const deadline = Date.now() + 5000
  while (!out.includes('target us-east-1 failed') && Date.now() < deadline) await new Promise(r => setTimeout(r, 20))
  t.match(out, /<27>.*stalk-test.*target us-east-1 failed code=23/, 'priority, tag and message arrive')
  stream.end()
})
