/**
 * A daemon mounted by an ordinary user (nobody, 65534) keeps its control
 * socket where only that user can reach it: /tmp/stalk-65534 (no
 * XDG_RUNTIME_DIR, no /run/user/65534 here), a 0700 folder and a 0600
 * socket both owned by nobody. nobody's `stem status` and `stem sync
 * --wait` reach it; another user cannot even connect. Runs in a mount
 * namespace of its own held by a `sleep`, entered with nsenter, so that a
 * 0666 /dev/fuse can be bound in where the container's is 0600.
 */
import { execFile, spawn } from 'node:child_process'
import { chmod, chown, mkdir, readFile, rmdir, stat, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import t from 'tap'
import type { PushReport } from '../src/control/status-report.js'
import { socketPath } from '../src/control/socket-path.js'
import { fuseUnavailable } from './helpers/mount.js'
import { daemonPid, STEM_BIN, stemDirs, testGlobal, track, writeStemConfig } from './helpers/stem.js'
import { pidAlive, waitFor, waitForExit } from './helpers/wait-for.js'

const NOBODY = 65534
const OTHER = 65533

interface Ran { readonly code: number | null; readonly stdout: string; readonly stderr: string }

function run (file: string, args: readonly string[]): Promise<Ran> {
  return new Promise(resolve => {
    execFile(file, args, { timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : null, stdout, stderr })
    })
  })
}

async function tools (): Promise<string | false> {
  for (const tool of ['unshare', 'nsenter', 'setpriv']) {
    if ((await run(tool, ['--version'])).code !== 0) return `${tool} (util-linux) is not installed`
  }
  return false
}

const skip = fuseUnavailable() || (process.getuid?.() !== 0 && 'needs root to set up the namespace and users') || await tools()

t.test("a user's daemon: socket owned by that user, only they can ask", { skip }, async t => {
  const d = await stemDirs(t, 'stalk-ctl-user-')
  await chmod(d.base, 0o755)
  await mkdir(d.state)
  for (const dir of [d.root, d.mnt, d.target, d.state]) await chown(dir, NOBODY, NOBODY)
  await writeStemConfig(d, { global: testGlobal(d, { log: join(d.state, 'stem.log'), timeout: '1h', max_wait: '2h' }), target: { local: d.target } })

  const holder = spawn('unshare', ['-m', '--propagation', 'private', '--', 'sleep', 'infinity'], { stdio: 'ignore' })
  t.teardown(() => { holder.kill('SIGKILL') })
  const ns = holder.pid
  if (ns === undefined) throw new Error('unshare did not start')
  await waitFor('the namespace', async () => (await readFile(`/proc/${ns}/cmdline`, 'utf8')).startsWith('sleep'))
  const inNs = (args: readonly string[]): Promise<Ran> => run('nsenter', ['-t', String(ns), '-m', '--', ...args])
  // A clean environment: no XDG_RUNTIME_DIR, and none of tap's NODE_OPTIONS (its hooks write into the checkout as root)
  const as = (uid: number, args: readonly string[]): Promise<Ran> =>
    inNs(['setpriv', `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', 'env', '-i', 'PATH=/usr/sbin:/usr/bin:/sbin:/bin', 'HOME=/', ...args])
  const stem = (uid: number, args: readonly string[]): Promise<Ran> => as(uid, [process.execPath, STEM_BIN, ...args])
  if (((await stat('/dev/fuse')).mode & 0o006) !== 0o006) {
    const dev = join(d.base, 'dev')
    await mkdir(dev)
    for (const args of [['mount', '-t', 'tmpfs', 'tmpfs', dev], ['mknod', '-m', '666', join(dev, 'fuse'), 'c', '10', '229'], ['mount', '--bind', join(dev, 'fuse'), '/dev/fuse']]) {
      const r = await inNs(args)
      if (r.code !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`)
    }
  }

  const mounted = await stem(NOBODY, ['-c', d.config, d.mnt])
  t.equal(mounted.code, 0, `nobody mounts (stderr: ${mounted.stderr})`)
  const pid = await daemonPid(d)
  if (pid === undefined) { t.fail('no daemon after the mount'); return }
  track(d, pid)
  const socket = socketPath(d.mnt, { uid: NOBODY, env: {} })
  t.teardown(() => rmdir(dirname(socket)).catch(() => {}))
  t.equal(dirname(socket), `/tmp/stalk-${NOBODY}`)
  const sock = await stat(socket)
  const dir = await stat(dirname(socket))
  t.match({ uid: sock.uid, mode: sock.mode & 0o777, socket: sock.isSocket() }, { uid: NOBODY, mode: 0o600, socket: true }, 'the socket: nobody, 0600')
  t.match({ uid: dir.uid, mode: dir.mode & 0o777 }, { uid: NOBODY, mode: 0o700 }, 'its folder: nobody, 0700')

  const status = await stem(NOBODY, ['status', d.mnt, '--json'])
  t.equal(status.code, 0, `nobody's stem status answers (stderr: ${status.stderr})`)
  t.match(JSON.parse(status.stdout) as PushReport, { mode: 'push', pid, mountpoint: d.mnt })
  const listed = await stem(NOBODY, ['status'])
  t.match(listed.stdout, `${d.mnt}: push, pid ${pid}`, "nobody's own mounts are listed")
  const root = await inNs([process.execPath, STEM_BIN, 'status', '--json'])
  t.notMatch(root.stdout, d.mnt, "root's stem status lists root's mounts only")

  const probe = `require('net').connect(${JSON.stringify(socket)}).on('connect', () => { console.log('CONNECTED'); process.exit(0) }).on('error', e => { console.log(e.code); process.exit(0) })`
  t.equal((await as(OTHER, [process.execPath, '-e', probe])).stdout.trim(), 'EACCES', 'another user cannot connect')

  await writeFile(join(d.base, 'note.txt'), 'from nobody\n')
  t.equal((await as(NOBODY, ['cp', join(d.base, 'note.txt'), join(d.mnt, 'note.txt')])).code, 0, 'nobody writes through the mount')
  const sync = await stem(NOBODY, ['sync', '--wait', d.mnt])
  t.equal(sync.code, 0, `nobody's stem sync --wait (stderr: ${sync.stderr})`)
  t.equal(await readFile(join(d.target, 'note.txt'), 'utf8'), 'from nobody\n', 'delivered at once (the quiet time is an hour)')

  t.equal((await as(NOBODY, ['fusermount', '-u', d.mnt])).code, 0, 'nobody unmounts')
  await waitForExit(pid, 20_000)
  t.notOk(pidAlive(pid))
  await t.rejects(stat(socket), { code: 'ENOENT' }, 'the socket is gone with the daemon')
})
