/**
 * The daemon's control socket without a mount: where it lives and who may
 * enter, taking over a crashed daemon's socket but never a live one's, and
 * the protocol (ping, status, sync with and without wait, refusals) spoken
 * by the real client over the real socket to a real Syncer with fake
 * targets, or to a file cache's status.
 */
import { spawn } from 'node:child_process'
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { controlRequest, DaemonRefusedError, DaemonUnreachableError } from '../src/control/control-client.js'
import { ControlServer, SocketInUseError } from '../src/control/control-server.js'
import { ControlSurface } from '../src/control/control-surface.js'
import { controlDir, controlDirs, ensureControlDir, socketPath, socketPaths } from '../src/control/socket-path.js'
import { redact, type PullReport, type PushReport } from '../src/control/status-report.js'
import type { SyncOutcome } from '../src/control/sync-outcome.js'
import type { FileStatus } from '../src/pull/cache-entry.js'
import { recordingLogger } from './helpers/recording-logger.js'
import { rig } from './helpers/syncer-rig.js'
import { tmpDir } from './helpers/tmp.js'
import { waitFor } from './helpers/wait-for.js'

const mode = (p: string): number => statSync(p).mode & 0o777

async function socketIn (t: Test): Promise<string> {
  return join(await tmpDir(t, 'stalk-ctl-'), 'ctl', 'test.sock')
}

/** A server answering ping only, closed at teardown. */
async function pingServer (t: Test, path: string): Promise<ControlServer> {
  const s = await ControlServer.listen(path, () => 'pong', recordingLogger())
  t.teardown(() => s.close())
  return s
}

t.test('socket paths: per user folder, one socket per mountpoint', async t => {
  t.equal(controlDir({ uid: 0 }), '/run/stalk', 'root: /run/stalk')
  const runtime = await tmpDir(t, 'stalk-xdg-')
  t.equal(controlDir({ uid: 4242, env: { XDG_RUNTIME_DIR: runtime } }), join(runtime, 'stalk'), 'others: $XDG_RUNTIME_DIR/stalk')
  t.equal(controlDir({ uid: 4242, env: { XDG_RUNTIME_DIR: '/nonexistent/run' } }), '/tmp/stalk-4242', 'a runtime folder that is not there: /tmp/stalk-UID')
  t.same(controlDirs({ uid: 4242, env: { XDG_RUNTIME_DIR: runtime } }), [join(runtime, 'stalk'), '/run/user/4242/stalk', '/tmp/stalk-4242'],
    'clients look in every candidate: the daemon may have had another environment')
  t.same(socketPaths('/mnt/a', { uid: 4242, env: {} }).map(p => p.replace(/[0-9a-f]{32}/, 'H')), ['/tmp/stalk-4242/H.sock', '/run/user/4242/stalk/H.sock'],
    "the daemon's own choice first")
  const a = socketPath('/mnt/a', { uid: 0 })
  t.match(a, /^\/run\/stalk\/[0-9a-f]{32}\.sock$/)
  t.equal(socketPath('/mnt/a', { uid: 0 }), a, 'the same mountpoint, the same socket')
  t.not(socketPath('/mnt/b', { uid: 0 }), a, 'another mountpoint, another socket')
  const long = join(runtime, 'x'.repeat(80))
  mkdirSync(long)
  t.throws(() => socketPath('/m', { uid: 4242, env: { XDG_RUNTIME_DIR: long } }), /longer than 107 bytes; set XDG_RUNTIME_DIR to a shorter folder/)
})

t.test('the folder is 0700 and only ours', async t => {
  const base = await tmpDir(t, 'stalk-ctl-')
  const fresh = join(base, 'fresh')
  await ensureControlDir(fresh)
  t.equal(mode(fresh), 0o700, 'created 0700')
  const loose = join(base, 'loose')
  mkdirSync(loose, { mode: 0o755 })
  chmodSync(loose, 0o755)
  await ensureControlDir(loose)
  t.equal(mode(loose), 0o700, 'an existing folder of ours is narrowed to 0700')
  symlinkSync(fresh, join(base, 'link'))
  await t.rejects(ensureControlDir(join(base, 'link')), /is not a directory \(a symlink\?\)/, 'a symlink is refused')
  const theirs = join(base, 'theirs')
  mkdirSync(theirs, { mode: 0o700 })
  chownSync(theirs, 65534, 65534)
  await t.rejects(ensureControlDir(theirs), /belongs to uid 65534, not 0; remove it/, "someone else's folder is refused")
})

t.test('the socket is 0600 in a 0700 folder, and gone after close', async t => {
  const path = await socketIn(t)
  const s = await ControlServer.listen(path, () => 'pong', recordingLogger())
  t.ok(lstatSync(path).isSocket())
  t.equal(mode(path), 0o600, 'socket 0600')
  t.equal(mode(join(path, '..')), 0o700, 'folder 0700')
  t.equal(await controlRequest(path, 'ping', { timeoutMs: 5000 }), 'pong')
  await s.close()
  t.throws(() => lstatSync(path), { code: 'ENOENT' }, 'removed at close')
  const err = await controlRequest(path, 'ping', { timeoutMs: 5000 }).catch((e: unknown) => e)
  t.ok(err instanceof DaemonUnreachableError, 'no daemon: DaemonUnreachableError')
  t.match(err, { reason: 'no-socket' })
})

t.test("a crashed daemon's socket is taken over", async t => {
  const path = await socketIn(t)
  mkdirSync(join(path, '..'), { mode: 0o700 })
  // A process that listens and is SIGKILLed leaves a real socket file nobody answers on.
  const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(path)}, () => console.log('up'))`], { stdio: ['ignore', 'pipe', 'inherit'] })
  await new Promise<void>(resolve => child.stdout.once('data', () => resolve()))
  child.kill('SIGKILL')
  await new Promise(resolve => child.once('exit', resolve))
  t.ok(lstatSync(path).isSocket(), 'the stale socket is there')
  t.match(await controlRequest(path, 'ping', { timeoutMs: 5000 }).catch((e: unknown) => e), { reason: 'refused' }, 'and refuses connections')
  // The dead child's pid, and a live one's: a temporary socket of a daemon killed before its rename, and of one binding now.
  const orphan = join(path, '..', `.${child.pid ?? 0}.new`)
  const busy = join(path, '..', `.${process.ppid}.new`)
  for (const f of [orphan, busy]) writeFileSync(f, '')
  const log = recordingLogger()
  const s = await ControlServer.listen(path, () => 'new', log)
  t.teardown(() => s.close())
  t.equal(await controlRequest(path, 'ping', { timeoutMs: 5000 }), 'new', 'the new daemon answers')
  t.ok(log.records.some(r => r.msg.includes('stale control socket')), 'the takeover is logged')
  t.notOk(existsSync(orphan), "a dead daemon's temporary socket is removed")
  t.ok(existsSync(busy), "a live process's is left alone")
})

t.test("a second daemon cannot steal a live daemon's socket", async t => {
  const path = await socketIn(t)
  await pingServer(t, path)
  const ino = lstatSync(path).ino
  await t.rejects(ControlServer.listen(path, () => 'thief', recordingLogger()), SocketInUseError)
  t.equal(lstatSync(path).ino, ino, 'the socket file is the first one')
  t.equal(await controlRequest(path, 'ping', { timeoutMs: 5000 }), 'pong', 'the first daemon still answers')
  writeFileSync(join(path, '..', 'plain'), '')
  await t.rejects(ControlServer.listen(join(path, '..', 'plain'), () => 'x', recordingLogger()), /exists and is not a socket; remove it/)
})

t.test('closing never removes a socket that is no longer ours', async t => {
  const path = await socketIn(t)
  const first = await ControlServer.listen(path, () => 'first', recordingLogger())
  // Someone removed ours and a successor listens there now.
  const { unlinkSync } = await import('node:fs')
  unlinkSync(path)
  await pingServer(t, path)
  await first.close()
  t.equal(await controlRequest(path, 'ping', { timeoutMs: 5000 }), 'pong', "the successor's socket is still there")
})

t.test('a daemon that exits without closing removes its socket', async t => {
  const path = await socketIn(t)
  const module = new URL('../dist/src/control/control-server.js', import.meta.url).href
  const script = `import { ControlServer } from ${JSON.stringify(module)}
const log = { error() {}, warn() {}, info() {}, debug() {}, trace() {}, child() { return log } }
await ControlServer.listen(${JSON.stringify(path)}, () => 'x', log)
process.exit(3)`
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'inherit' })
  const code = await new Promise(resolve => child.once('exit', resolve))
  t.equal(code, 3, 'the child listened and exited')
  t.throws(() => lstatSync(path), { code: 'ENOENT' }, 'no socket left behind')
})

t.test('protocol: ids, bad requests, over-long lines, answers out of order', async t => {
  const path = await socketIn(t)
  let release = (): void => {}
  const slow = new Promise<string>(resolve => { release = () => resolve('synced') })
  await ControlServer.listen(path, req => req.cmd === 'sync' ? slow : req.cmd === 'status' ? { ok: 1 } : 'pong', recordingLogger())
    .then(s => t.teardown(() => s.close()))
  const sock = connect(path)
  t.teardown(() => sock.destroy())
  const lines: unknown[] = []
  let buf = ''
  sock.on('data', b => {
    buf += b.toString()
    const parts = buf.split('\n')
    buf = parts.pop() ?? ''
    for (const p of parts) lines.push(JSON.parse(p))
  })
  sock.write('{"id":1,"cmd":"sync","wait":true}\n{"id":2,"cmd":"status"}\nnot json\n{"id":4,"cmd":"rm"}\n{"cmd":"ping"}\n{"id":6,"cmd":"sync","wait":"yes"}\n')
  await waitFor('five answers', () => lines.length >= 5)
  const byId = (a: unknown, b: unknown): number => String((a as { id: unknown }).id).localeCompare(String((b as { id: unknown }).id))
  t.same([...lines].sort(byId), [
    { id: 2, ok: true, result: { ok: 1 } },
    { id: 4, ok: false, error: 'unknown cmd "rm" (ping, status, sync, refresh)' },
    { id: 6, ok: false, error: '"wait" must be true or false' },
    { id: null, ok: false, error: 'not JSON' },
    { id: null, ok: false, error: 'the request has no integer "id"' }
  ].sort(byId), 'a status asked after a slow sync is answered first; every bad request gets its reason')
  release()
  await waitFor('the sync answer', () => lines.length === 6)
  t.same(lines[5], { id: 1, ok: true, result: 'synced' })
  const closed = new Promise(resolve => sock.once('close', resolve))
  sock.write('x'.repeat(70 * 1024))
  await closed
  t.pass('a line past 64 KiB drops the connection')
})

t.test('push: status and sync through the control surface', async t => {
  const r = await rig(t, { labels: ['good', 'bad'] })
  const [, bad] = r.targets
  const socket = await socketIn(t)
  const surface = new ControlSurface({ mountpoint: '/mnt/x', configFile: '/etc/x.cf', source: { mode: 'push', syncer: r.syncer }, log: recordingLogger(), socket })
  await surface.start()
  t.teardown(() => surface.close())
  t.match(await controlRequest(socket, 'ping', { timeoutMs: 5000 }), { pong: true, pid: process.pid, protocol: 1 })

  r.write('a', 'b')
  const before = await controlRequest(socket, 'status', { timeoutMs: 5000 }) as PushReport
  t.match(before, { mode: 'push', mountpoint: '/mnt/x', configFile: '/etc/x.cf', pid: process.pid, syncer: { state: 'pending', roundsRun: 0 } })
  t.same(before.targets.map(x => [x.label, x.pending, x.lastSuccess]), [['good', 2, null], ['bad', 2, null]], 'two pending per target, never synced')

  bad?.script.push(async () => { throw new Error('rsync: connection refused') })
  const out = await controlRequest(socket, 'sync', { wait: true }) as SyncOutcome
  t.ok(out.waited && !out.ok, 'sync --wait reports the failure')
  if (!out.waited) return
  t.match(out.targets, [
    { label: 'good', ok: true, ran: true, error: null, pending: 0 },
    { label: 'bad', ok: false, ran: true, error: /connection refused/, pending: 2 }
  ])
  const after = await controlRequest(socket, 'status', { timeoutMs: 5000 }) as PushReport
  t.match(after.targets, [
    { label: 'good', pending: 0, lastSuccess: /^\d{4}-\d\d-\d\dT/, lastError: null },
    { label: 'bad', pending: 2, lastSuccess: null, lastError: /connection refused/, failures: 1, nextRetry: /^\d{4}-/ }
  ], 'the status shows the delivery and the failure with its retry')

  const again = await controlRequest(socket, 'sync', { wait: true }) as SyncOutcome
  t.match(again, { waited: true, ok: true, targets: [{ label: 'good', ok: true, ran: false }, { label: 'bad', ok: true, ran: true, pending: 0 }] },
    'a second sync delivers to the failed target at once, without waiting for its backoff')
  t.match(await controlRequest(socket, 'sync', { wait: true }), { waited: true, ok: true, round: null }, 'nothing pending: no round')
  t.same(await controlRequest(socket, 'sync', { timeoutMs: 5000 }), { waited: false, started: true }, 'without wait: answered at once')

  await r.syncer.shutdown(1000)
  await t.rejects(controlRequest(socket, 'sync', { wait: true }), new DaemonRefusedError('the daemon is stopping: its final round delivers what is pending (see its log)'))
})

t.test('pull: per-file status; sync is refused', async t => {
  const file: FileStatus = {
    name: 'f', origin: 'https://user:hunter2@example.org/f?X-Amz-Signature=abc', cached: true, size: 5, mtimeMs: 0, fetchedAt: 1000, ageMs: 500,
    fresh: true, lastResult: 'fetched', lastResultAt: 1000, lastError: 'GET https://example.org/f?token=s3cret: 503', lastErrorAt: 900,
    inFlight: true, downloadedBytes: 4096, openCount: 1
  }
  const socket = await socketIn(t)
  const surface = new ControlSurface({ mountpoint: '/mnt/p', configFile: '/etc/p.cf', source: { mode: 'pull', cache: { status: () => [file], refresh: () => ({ stale: [], trees: [] }) } }, log: recordingLogger(), socket })
  await surface.start()
  t.teardown(() => surface.close())
  const report = await controlRequest(socket, 'status', { timeoutMs: 5000 }) as PullReport
  t.match(report, { mode: 'pull', files: [{ name: 'f', size: 5, ageMs: 500, fresh: true, lastResult: 'fetched', downloading: true, downloadedBytes: 4096, openCount: 1 }] })
  const text = JSON.stringify(report)
  t.notMatch(text, /hunter2|abc|s3cret/, 'no password, signature or token in the status')
  t.match(report.files[0]?.origin, 'https://user:***@example.org/f?…')
  await t.rejects(controlRequest(socket, 'sync', { wait: true }), /a pull mount \(stem -r\) has nothing to sync/)
})

t.test('redact leaves plain destinations alone', async t => {
  t.equal(redact('host1:/var/www'), 'host1:/var/www')
  t.equal(redact('rsync://mirror@host/module/path'), 'rsync://mirror@host/module/path')
  t.equal(redact('sftp://me:pw@h:22/x'), 'sftp://me:***@h:22/x')
})
