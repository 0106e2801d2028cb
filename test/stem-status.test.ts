/**
 * `stem status` and `stem sync` against real daemons started by stem: a
 * push mount with a local target (pending changes, a sync on demand that
 * does not wait for the quiet time, a failing target's reason and exit 15),
 * a pull mount over a real nginx (per-file age and size after a read; sync
 * refused), and a daemon killed with SIGKILL (a clear "not running").
 */
import { existsSync, statSync } from 'node:fs'
import { readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import type { PullReport, PushReport, StatusReport } from '../src/control/status-report.js'
import { socketPath } from '../src/control/socket-path.js'
import { ExitCode } from '../src/exit-codes.js'
import { fuseUnavailable } from './helpers/mount.js'
import { freePort } from './helpers/servers/free-port.js'
import { nginxUnavailable, startNginx } from './helpers/servers/nginx.js'
import {
  fgMounted, mountStem, runStem, stalkMount, startForeground, stemDirs, testGlobal, track, unmountStem, writeStemConfig, type StemDirs
} from './helpers/stem.js'
import { pidAlive, waitFor, waitForExit } from './helpers/wait-for.js'

const skip = fuseUnavailable()

/** `stem status MNT --json`, parsed; fails the test with stem's stderr when it does not answer. */
async function statusOf<R extends StatusReport> (t: Test, mnt: string): Promise<R> {
  const r = await runStem(['status', mnt, '--json'])
  t.equal(r.code, 0, `stem status answers (stderr: ${r.stderr.trim()})`)
  return JSON.parse(r.stdout) as R
}

/** A push config whose quiet time never passes during the test: only `stem sync` delivers. */
async function pushConfig (d: StemDirs, targets: Record<string, string>, extra: Record<string, Record<string, string | number>> = {}): Promise<void> {
  await writeStemConfig(d, { global: testGlobal(d, { timeout: '1h', max_wait: '2h', lazy: 'yes' }), target: targets, ...extra })
}

t.test('push: pending after a write, delivered by stem sync --wait at once', { skip }, async t => {
  const d = await stemDirs(t)
  await pushConfig(d, { local: d.target })
  const m = await mountStem(d)
  t.equal(m.code, 0, `mounted (stderr: ${m.stderr})`)
  const socket = socketPath(d.mnt)
  t.equal(statSync(socket).mode & 0o777, 0o600, 'the socket is 0600')
  t.equal(statSync(join(socket, '..')).mode & 0o777, 0o700, 'its folder is 0700')

  // The first round of a new journal mirrors everything; wait for it so that the counts below are ours.
  const first = await waitFor('the startup round', async () => {
    const s = await statusOf<PushReport>(t, d.mnt)
    return s.targets[0]?.lastSuccess !== null && s.syncer.state === 'idle' ? s : undefined
  })
  t.match(first, { mode: 'push', mountpoint: d.mnt, configFile: d.config, pid: m.pid, targets: [{ label: 'local', destination: d.target, pending: 0 }] })

  await writeFile(join(d.mnt, 'new.txt'), 'fresh\n')
  const pending = await statusOf<PushReport>(t, d.mnt)
  t.match(pending, { syncer: { state: 'pending' }, targets: [{ label: 'local', pending: 1, lastSuccess: first.targets[0]?.lastSuccess }] }, 'one path pending')
  t.ok(Date.parse(pending.syncer.nextRound ?? '') - Date.now() > 30 * 60_000, 'the debounced round is an hour away')
  t.notOk(existsSync(join(d.target, 'new.txt')), 'not delivered yet')

  const human = await runStem(['status'])
  t.match(human.stdout, `${d.mnt}: push, pid ${m.pid}`, 'stem status without a mountpoint lists this mount')
  t.match(human.stdout, /TARGET\s+DESTINATION\s+PENDING\s+LAST SUCCESS/, 'as a table')

  const started = Date.now()
  const sync = await runStem(['sync', d.mnt, '--wait'])
  t.equal(sync.code, 0, `stem sync --wait: exit 0 (stderr: ${sync.stderr.trim()})`)
  t.ok(Date.now() - started < 20_000, 'without waiting for the quiet time')
  t.match(sync.stdout, `${d.mnt}: local (${d.target}): ok`)
  t.equal(await readFile(join(d.target, 'new.txt'), 'utf8'), 'fresh\n', 'delivered when stem sync returned')

  const after = await statusOf<PushReport>(t, d.mnt)
  t.match(after.targets, [{ label: 'local', pending: 0, lastError: null }])
  t.ok(Date.parse(after.targets[0]?.lastSuccess ?? '') > Date.parse(first.targets[0]?.lastSuccess ?? ''), 'a newer lastSuccess')
  t.equal(after.syncer.lastRound?.reason, 'manual')

  await unmountStem(d)
  t.notOk(existsSync(socket), 'the socket is removed when the daemon exits')
})

t.test('push: stem sync --wait with a failing target exits 15 with the reason', { skip }, async t => {
  const d = await stemDirs(t)
  const port = await freePort()
  await pushConfig(d, { local: d.target, far: 'root@127.0.0.1:/srv/nowhere' }, { 'target:far': { ssh_port: port, ssh_options: 'ConnectTimeout=5' } })
  const m = await mountStem(d)
  t.equal(m.code, 0, `lazy: mounted although far is down (stderr: ${m.stderr})`)
  await writeFile(join(d.mnt, 'f.txt'), 'x')

  const sync = await runStem(['sync', '--wait', d.mnt])
  t.equal(sync.code, ExitCode.undelivered, `exit 15 (stdout: ${sync.stdout.trim()})`)
  t.match(sync.stdout, `${d.mnt}: local (${d.target}): ok`, 'the good target took it')
  t.match(sync.stderr, new RegExp(`far \\(root@127\\.0\\.0\\.1:/srv/nowhere\\): FAILED: .*port ${port}: Connection refused`), "far's reason")
  t.match(sync.stderr, /not every target took the changes; they stay pending and are retried/)
  t.ok(existsSync(join(d.target, 'f.txt')))

  const s = await statusOf<PushReport>(t, d.mnt)
  const far = s.targets.find(x => x.label === 'far')
  t.match(far, { pending: 1, lastSuccess: null, lastError: /Connection refused/ }, 'status shows the failure')
  t.ok(far !== undefined && far.failures >= 1)
  await unmountStem(d).catch(() => {})
})

t.test('pull: per-file age and size after a read; sync is refused', { skip: skip || nginxUnavailable() || false }, async t => {
  const nginx = await startNginx(t)
  await writeFile(join(nginx.wwwDir, 'hello.txt'), 'hello from nginx\n')
  const d = await stemDirs(t, 'stalk-pull-')
  await writeStemConfig(d, {
    global: { cachedir: join(d.base, 'cache'), log: d.log },
    hello: { name: 'hello.txt', origin: `${nginx.httpUrl}/hello.txt`, cachetime: '1h' },
    other: { name: 'other.txt', origin: `${nginx.httpUrl}/hello.txt`, cachetime: '1h' }
  })
  const r = await runStem(['-r', '-c', d.config, d.mnt], { timeoutMs: 60_000 })
  t.equal(r.code, 0, `mounted (stderr: ${r.stderr})`)
  const before = await statusOf<PullReport>(t, d.mnt)
  track(d, before.pid)
  t.match(before, { mode: 'pull', files: [{ name: 'hello.txt', cached: false, size: null, lastResult: null }, { name: 'other.txt', cached: false }] })

  t.equal(await readFile(join(d.mnt, 'hello.txt'), 'utf8'), 'hello from nginx\n')
  const s = await statusOf<PullReport>(t, d.mnt)
  const [hello, other] = s.files
  t.match(hello, { name: 'hello.txt', origin: `${nginx.httpUrl}/hello.txt`, cached: true, size: 17, fresh: true, lastResult: 'fetched', lastError: null, downloading: false })
  t.ok(hello !== undefined && hello.ageMs !== null && hello.ageMs >= 0 && hello.ageMs < 60_000, `a young copy (${hello?.ageMs ?? '?'} ms)`)
  t.match(other, { cached: false, size: null }, 'the file not read is not cached')

  const human = await runStem(['status', d.mnt])
  t.equal(human.code, 0)
  t.match(human.stdout, /FILE\s+SIZE\s+AGE\s+STATE\s+LAST FETCH/)
  t.match(human.stdout, /hello\.txt\s+17 B\s+\d+s\s+fresh\s+fetched \d+s ago/)

  const sync = await runStem(['sync', d.mnt, '--wait'])
  t.equal(sync.code, ExitCode.usage, 'stem sync on a pull mount: refused')
  t.match(sync.stderr, `stem: ${d.mnt} is a pull mount (stem -r): it has nothing to sync`)
  await unmountStem(d, before.pid)
})

t.test('no daemon: a clear "not running"', { skip }, async t => {
  const d = await stemDirs(t)
  await pushConfig(d, { local: d.target })
  const none = await runStem(['status', d.mnt])
  t.equal(none.code, ExitCode.failure)
  t.equal(none.stderr, `stem: not running: nothing is mounted at ${d.mnt}\n`, 'nothing mounted')

  // A killed daemon cannot remove its socket; the next mount would replace it, this test removes it.
  t.teardown(() => rm(socketPath(d.mnt), { force: true }))
  const fg = startForeground(d)
  await fgMounted(d, fg)
  await waitFor('the control socket', async () => (await runStem(['status', d.mnt])).code === 0)
  process.kill(fg.pid, 'SIGKILL')
  await waitForExit(fg.pid)
  t.ok(stalkMount(d.mnt), 'the dead mount is still there')
  t.ok(existsSync(socketPath(d.mnt)), 'and so is the stale socket')
  for (const args of [['status', d.mnt], ['status', d.mnt, '--json'], ['sync', d.mnt, '--wait']]) {
    const r = await runStem(args)
    t.equal(r.code, ExitCode.failure, `stem ${args.join(' ')}: exit 1`)
    t.equal(r.stdout, '', 'nothing on stdout')
    t.equal(r.stderr, `stem: not running: the mount at ${d.mnt} is dead; remount or fusermount -uz ${d.mnt}\n`)
  }
  const all = await runStem(['status'])
  t.equal(all.code, ExitCode.failure, 'stem status of every mount fails when one is dead')
  t.match(all.stderr, `not running: the mount at ${d.mnt} is dead`)
  t.notOk(pidAlive(fg.pid))
})
