/**
 * sd_notify readiness: a python unix-datagram listener plays systemd's
 * NOTIFY_SOCKET (Node has no datagram unix sockets), the real
 * systemd-notify sends, and `stem -f` must say READY=1 only once its mount is
 * live and STOPPING=1 when told to stop.
 */
import { execFile, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { notifyArgs, notifySystemd } from '../src/run/notify-systemd.js'
import { fuseUnavailable } from './helpers/mount.js'
import { recordingLogger } from './helpers/recording-logger.js'
import { fgMounted, stalkMount, startForeground, stemDirs, testGlobal, writeStemConfig } from './helpers/stem.js'
import { waitFor } from './helpers/wait-for.js'

interface Heard { readonly fields: Record<string, string>; readonly mounted: boolean }

/** A listener on a fresh socket; `heard` lists each datagram, with whether `mnt` was mounted when it came. */
async function listen (t: Test, mnt?: string): Promise<{ socket: string; heard: Heard[] }> {
  // unix socket paths are limited to 108 bytes: tap's fixture dirs are too deep
  const dir = mkdtempSync(join(tmpdir(), 'stalk-notify-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const socket = join(dir, 'notify.sock')
  const listener = spawn('python3', ['-c', `
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(sys.argv[1]); print('up', flush=True)
while True:
    print(s.recv(65536).decode().replace('\\n', '|'), flush=True)
`, socket], { stdio: ['ignore', 'pipe', 'inherit'] })
  t.teardown(() => { listener.kill() })
  const heard: Heard[] = []
  let buffered = ''
  await new Promise<void>((resolve, reject) => {
    listener.stdout.on('data', (d: Buffer) => {
      buffered += d.toString()
      const lines = buffered.split('\n')
      buffered = lines.pop() ?? ''
      for (const line of lines) {
        if (line === 'up') { resolve(); continue }
        const fields = Object.fromEntries(line.split('|').map(a => [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]))
        heard.push({ fields, mounted: mnt !== undefined && stalkMount(mnt) !== undefined })
      }
    })
    listener.on('exit', code => reject(new Error(`notify listener exited ${String(code)}`)))
  })
  return { socket, heard }
}

const noNotify = await new Promise<string | false>(resolve => {
  execFile('systemd-notify', ['--version'], err => resolve(err ? 'systemd-notify (systemd) is not installed' : false))
})

t.test('the arguments for each state', async t => {
  t.same(notifyArgs('ready', 42, 'mounted /mnt/x'), ['--ready', '--pid=42', '--status=mounted /mnt/x'])
  t.same(notifyArgs('stopping', 42), ['STOPPING=1'])
  t.same(notifyArgs('ready', 1, 'a\nREADY=0'), ['--ready', '--pid=1', '--status=a READY=0'], 'a newline cannot add an assignment')
})

t.test('without NOTIFY_SOCKET nothing is sent and nothing is logged', async t => {
  delete process.env['NOTIFY_SOCKET']
  const log = recordingLogger()
  await notifySystemd('ready', { log, command: '/nonexistent/systemd-notify' })
  t.same(log.records, [])
})

t.test('a missing systemd-notify is a warning, not a failure', async t => {
  const log = recordingLogger()
  await notifySystemd('ready', { log, socket: '/run/nothing.sock', command: 'stalk-no-such-notify' })
  t.match(log.records, [{ level: 'warn', msg: /cannot tell systemd the mount is ready: stalk-no-such-notify is not installed/ }])
})

t.test('READY=1 with our pid reaches the socket; NOTIFY_SOCKET leaves the environment', { skip: noNotify }, async t => {
  const { socket, heard } = await listen(t)
  process.env['NOTIFY_SOCKET'] = socket
  await notifySystemd('ready', { status: 'mounted /mnt/x' })
  t.equal(process.env['NOTIFY_SOCKET'], undefined, 'children (rsync, plugins) will not inherit it')
  await notifySystemd('stopping')
  await waitFor('two messages', () => heard.filter(h => h.fields['BARRIER'] === undefined).length >= 2)
  const [ready, stopping] = heard.filter(h => h.fields['BARRIER'] === undefined)
  t.match(ready?.fields, { READY: '1', MAINPID: String(process.pid), STATUS: 'mounted /mnt/x' })
  t.match(stopping?.fields, { STOPPING: '1' }, 'the socket was kept for the stop')
})

const e2eSkip = noNotify || fuseUnavailable()

t.test('stem -f: READY=1 once the mount is live, STOPPING=1 on SIGTERM', { skip: e2eSkip }, async t => {
  const d = await stemDirs(t, 'stalk-notify-')
  await writeStemConfig(d, { global: testGlobal(d), target: { local: d.target } })
  const { socket, heard } = await listen(t, d.mnt)
  process.env['NOTIFY_SOCKET'] = socket
  const fg = startForeground(d)
  delete process.env['NOTIFY_SOCKET']
  await fgMounted(d, fg)
  const ready = await waitFor('READY=1', () => heard.find(h => h.fields['READY'] === '1'))
  t.match(ready.fields, { MAINPID: String(fg.pid), STATUS: `mounted ${d.mnt}` }, 'the main pid is stem\'s')
  t.ok(ready.mounted, 'the mount was live when READY=1 arrived')
  t.notOk(heard.some(h => h.fields['STOPPING'] !== undefined), 'no STOPPING before the stop')
  process.kill(fg.pid, 'SIGTERM')
  const stopping = await waitFor('STOPPING=1', () => heard.find(h => h.fields['STOPPING'] === '1'))
  t.match(stopping.fields, { STATUS: /^stopping \(SIGTERM\)/ })
  const exit = await fg.exited
  t.equal(exit.code, 0, exit.stderr)
  t.equal(stalkMount(d.mnt), undefined, 'unmounted on the way out')
})
