/**
 * mount.fuse.stalk under the real mount(8): `mount -t fuse.stalk`, an fstab
 * line through `mount --fstab`, mount -f, refusals with mount's exit code,
 * and `umount` draining the daemon. The helper is installed into /sbin for
 * the run (test/helpers/system-helper.ts), since mount(8) looks nowhere else.
 */
import { execFile } from 'node:child_process'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { fuseUnavailable } from './helpers/mount.js'
import { daemonPid, stalkMount, stemDirs, testGlobal, track, unmountStem, writeStemConfig, type StemDirs } from './helpers/stem.js'
import { useSystemHelper } from './helpers/system-helper.js'
import { pidAlive } from './helpers/wait-for.js'

interface Ran { readonly code: number | null; readonly stdout: string; readonly stderr: string }

function run (file: string, args: readonly string[]): Promise<Ran> {
  return new Promise(resolve => {
    execFile(file, args, { timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : null, stdout, stderr })
    })
  })
}

/** Push config with a local target; the daemon's pid is kept for teardown once it is up. */
async function pushSetup (t: Test): Promise<StemDirs> {
  const d = await stemDirs(t, 'stalk-fstab-')
  await writeStemConfig(d, { global: testGlobal(d), target: { local: d.target } })
  return d
}

async function trackDaemon (d: StemDirs): Promise<number> {
  const pid = await daemonPid(d)
  if (pid === undefined) throw new Error('no daemon holds the state lock after a successful mount')
  track(d, pid)
  return pid
}

// Installs into /sbin for the whole file (restored when it ends); a reason instead when it cannot.
const skip = fuseUnavailable() || await useSystemHelper(t)

t.test('mount -t fuse.stalk mounts; umount drains the pending change and stops the daemon', { skip }, async t => {
  const d = await pushSetup(t)
  const r = await run('mount', ['-t', 'fuse.stalk', 'mydev', d.mnt, '-o', `config=${d.config},noauto,_netdev`])
  t.same(r, { code: 0, stdout: '', stderr: '' }, 'mount returns once the mount is live')
  const pid = await trackDaemon(d)
  t.match(stalkMount(d.mnt), { fstype: 'fuse.stalk', source: 'mydev' }, 'mountinfo: the device name from the first field')
  await writeFile(join(d.mnt, 'pending.txt'), 'written just before umount\n')
  await unmountStem(d, pid)
  t.notOk(pidAlive(pid), 'the daemon has exited')
  t.equal(stalkMount(d.mnt), undefined)
  t.equal(await readFile(join(d.target, 'pending.txt'), 'utf8'), 'written just before umount\n', 'the final round delivered it')
})

t.test('an fstab line: mount --fstab FILE MOUNTPOINT, a config path with a space', { skip }, async t => {
  const d = await pushSetup(t)
  const confDir = join(d.base, 'conf dir')
  await mkdir(confDir)
  const config = await writeStemConfig(d, { global: testGlobal(d), target: { local: d.target } }, join(confDir, 'stalk.cf'))
  const fstab = join(d.base, 'fstab')
  // fstab(5) writes a space in a field as \040
  await writeFile(fstab, `# stalk test\nfromfstab ${d.mnt} fuse.stalk config=${config.replaceAll(' ', '\\040')},rw,noauto,nofail,x-systemd.automount,comment=test 0 0\n`)
  const r = await run('mount', ['--fstab', fstab, d.mnt])
  t.equal(r.code, 0, `mount --fstab: ${r.stderr}`)
  const pid = await trackDaemon(d)
  t.match(stalkMount(d.mnt), { source: 'fromfstab' })
  await unmountStem(d, pid)
  t.notOk(pidAlive(pid))
})

t.test('refusals: the helper\'s message and stem\'s exit code come out of mount(8)', { skip }, async t => {
  const d = await pushSetup(t)
  const bad = await run('mount', ['-t', 'fuse.stalk', 'mydev', d.mnt, '-o', `config=${d.config},bogus`])
  t.equal(bad.code, 2, 'stem\'s usage code')
  t.match(bad.stderr, /mount\.fuse\.stalk: bogus: unknown option/)
  const contradiction = await run('mount', ['-t', 'fuse.stalk', 'mydev', d.mnt, '-o', `config=${d.config},noexec`])
  t.match(contradiction, { code: 2, stderr: /noexec: stalk cannot mount noexec/ })
  const missing = await run('mount', ['-t', 'fuse.stalk', 'mydev', d.mnt, '-o', `config=${join(d.base, 'none.cf')}`])
  t.equal(missing.code, 3, 'a missing config: stem\'s code 3, passed on by the helper and by mount(8)')
  t.match(missing.stderr, /none\.cf/)
  t.equal(stalkMount(d.mnt), undefined, 'nothing was mounted')
})

t.test('mount -f checks the options and mounts nothing', { skip }, async t => {
  const d = await pushSetup(t)
  const fake = await run('mount', ['-f', '-v', '-t', 'fuse.stalk', 'mydev', d.mnt, '-o', `config=${d.config},nofail`])
  t.equal(fake.code, 0, fake.stderr)
  t.match(fake.stderr, /ignoring nofail: .*\n.*would run stem -c \S+ -n mydev /)
  t.equal(stalkMount(d.mnt), undefined)
  t.equal(await daemonPid(d), undefined, 'no daemon')
  t.match(await run('mount', ['-f', '-t', 'fuse.stalk', 'mydev', d.mnt, '-o', 'bogus']), { code: 2, stderr: /bogus: unknown option/ })
})

