/**
 * A `user` line of /etc/fstab mounted and unmounted by a non-root user
 * (nobody, 65534) through mount(8), mount.fuse.stalk and fusermount's setuid
 * mount. It runs in a mount namespace of its own (a `sleep` holds it; every
 * step enters it with nsenter), where a test fstab is bound over /etc/fstab,
 * so the host's fstab is never touched.
 *
 * libfuse 2 opens /dev/fuse itself before it calls fusermount, so it needs
 * the device mode 0666 that udev gives it on a normal system. Containers
 * often have 0600: then a 0666 node of the same device is bound over
 * /dev/fuse inside that namespace only.
 */
import { execFile, spawn } from 'node:child_process'
import { chmod, chown, mkdir, readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { findMount } from '../src/mount/mountinfo.js'
import { fuseUnavailable } from './helpers/mount.js'
import { daemonPid, stemDirs, testGlobal, track, writeStemConfig } from './helpers/stem.js'
import { useSystemHelper } from './helpers/system-helper.js'
import { pidAlive, waitFor, waitForExit } from './helpers/wait-for.js'

const NOBODY = 65534

interface Ran { readonly code: number | null; readonly stderr: string }

function run (file: string, args: readonly string[]): Promise<Ran> {
  return new Promise(resolve => {
    execFile(file, args, { timeout: 60_000 }, (err, _out, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : null, stderr })
    })
  })
}

async function tools (): Promise<string | false> {
  for (const tool of ['unshare', 'nsenter', 'setpriv']) {
    if ((await run(tool, ['--version'])).code !== 0) return `${tool} (util-linux) is not installed`
  }
  return false
}

const skip = fuseUnavailable() ||
  (process.getuid?.() !== 0 && 'needs root to set up the namespace and a user to mount as') ||
  await tools() ||
  await useSystemHelper(t)

t.test('nobody mounts a user line of fstab and unmounts it; the daemon runs as nobody and drains', { skip }, async t => {
  const d = await stemDirs(t, 'stalk-user-')
  // nobody must reach everything: the test folder (mkdtemp makes it 0700) and its own folders
  await chmod(d.base, 0o755)
  await mkdir(d.state)
  for (const dir of [d.root, d.mnt, d.target, d.state]) await chown(dir, NOBODY, NOBODY)
  await writeStemConfig(d, { global: testGlobal(d, { log: join(d.state, 'stem.log') }), target: { local: d.target } })
  const refusedMnt = join(d.base, 'refused')
  await mkdir(refusedMnt)
  await chown(refusedMnt, NOBODY, NOBODY)
  const fstab = join(d.base, 'fstab')
  await writeFile(fstab, [
    `kh ${d.mnt} fuse.stalk config=${d.config},user,exec,noauto 0 0`,
    // user implies noexec, which stalk cannot honour: refused rather than dropped
    `kh ${refusedMnt} fuse.stalk config=${d.config},user,noauto 0 0`, ''].join('\n'))
  const source = join(d.base, 'note.txt')
  await writeFile(source, 'from nobody\n')

  const holder = spawn('unshare', ['-m', '--propagation', 'private', '--', 'sleep', 'infinity'], { stdio: 'ignore' })
  t.teardown(() => { holder.kill('SIGKILL') })
  const ns = holder.pid
  if (ns === undefined) throw new Error('unshare did not start')
  await waitFor('the namespace', async () => (await readFile(`/proc/${ns}/cmdline`, 'utf8')).startsWith('sleep'))
  const inNs = (args: readonly string[]): Promise<Ran> => run('nsenter', ['-t', String(ns), '-m', '--', ...args])
  const asNobody = (args: readonly string[]): Promise<Ran> => inNs(['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', ...args])
  const must = async (args: readonly string[]): Promise<void> => {
    const r = await inNs(args)
    if (r.code !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`)
  }

  if (((await stat('/dev/fuse')).mode & 0o006) !== 0o006) {
    t.comment('/dev/fuse is not 0666 here: binding a 0666 node of it over /dev/fuse inside the namespace')
    const dev = join(d.base, 'dev')
    await mkdir(dev)
    await must(['mount', '-t', 'tmpfs', 'tmpfs', dev])
    await must(['mknod', '-m', '666', join(dev, 'fuse'), 'c', '10', '229'])
    await must(['mount', '--bind', join(dev, 'fuse'), '/dev/fuse'])
  }
  await must(['mount', '--bind', fstab, '/etc/fstab'])

  const mounted = await asNobody(['mount', d.mnt])
  t.equal(mounted.code, 0, `mount as nobody: ${mounted.stderr}`)
  const pid = await daemonPid(d)
  if (pid === undefined) { t.fail('no daemon after the mount'); return }
  track(d, pid)
  const mountinfo = `/proc/${ns}/mountinfo`
  t.match(findMount(d.mnt, mountinfo), { fstype: 'fuse.stalk', source: 'kh' })
  t.match(await readFile(`/proc/${pid}/status`, 'utf8'), new RegExp(`\\nUid:\\t${NOBODY}\\t`), 'the daemon runs as nobody')

  t.equal((await asNobody(['cp', source, join(d.mnt, 'note.txt')])).code, 0, 'nobody writes through the mount')
  const unmounted = await asNobody(['umount', d.mnt])
  t.equal(unmounted.code, 0, `umount as nobody: ${unmounted.stderr}`)
  await waitForExit(pid, 20_000)
  t.notOk(pidAlive(pid), 'the daemon drained and exited')
  t.equal(findMount(d.mnt, mountinfo), undefined)
  t.equal(await readFile(join(d.target, 'note.txt'), 'utf8'), 'from nobody\n', 'the change reached the target')

  const refused = await asNobody(['mount', refusedMnt])
  t.equal(refused.code, 2, 'user without exec: refused')
  t.match(refused.stderr, /noexec: stalk cannot mount noexec \(user and users imply it: write user,exec/)
})
