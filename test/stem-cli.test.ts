/**
 * The stem command as a user runs it, in background mode: every refusal
 * ends with its own exit code and a one-line reason on stderr that the
 * waiting parent got from the daemon, and leaves no mount and no daemon
 * behind; a successful start shows up in mountinfo as fuse.stalk with the
 * -n device name; a dead mount left by a killed daemon is cleaned up by the
 * next start.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { ExitCode, type ExitCodeName } from '../src/exit-codes.js'
import { killWholeDaemon } from './helpers/daemon-tree.js'
import { fuseUnavailable } from './helpers/mount.js'
import { freePort } from './helpers/servers/free-port.js'
import {
  daemonPid, mountStem, runStem, stalkMount, stemDirs, testGlobal, unmountStem, writeStemConfig, type StemDirs
} from './helpers/stem.js'
import { waitFor, waitForExit } from './helpers/wait-for.js'

const skip = fuseUnavailable()

/** Runs stem with `args` (default: -c CONFIG MNT) and checks code, reason, and that nothing was left mounted or running. */
async function refuses (t: Test, d: StemDirs, code: ExitCodeName, message: RegExp, args = ['-c', d.config, d.mnt]): Promise<void> {
  const r = await runStem(args)
  t.equal(r.code, ExitCode[code], `exit code ${ExitCode[code]} (${code}); stderr: ${r.stderr}`)
  t.match(r.stderr, /^stem: /, 'the reason starts with "stem: "')
  t.match(r.stderr, message, 'the reason says what is wrong')
  t.notMatch(r.stderr, /\n\s+at /, 'no stack trace')
  t.equal(stalkMount(d.mnt), undefined, 'nothing mounted')
  t.equal(await daemonPid(d), undefined, 'no daemon left holding the state dir')
}

const local = (d: StemDirs): Record<string, string> => ({ local: d.target })

t.test('refusals, each with its own exit code', { skip }, async t => {
  await t.test('missing config file: 3', async t => {
    const d = await stemDirs(t)
    await refuses(t, d, 'configUnreadable', /nope\.cf: cannot read the config file: ENOENT/, ['-c', join(d.base, 'nope.cf'), d.mnt])
  })
  await t.test('syntax error: 4, naming file and line', async t => {
    const d = await stemDirs(t)
    await writeFile(d.config, `[global]\nroot: ${d.root}\ntimeout 10\n[target]\nlocal: ${d.target}\n`)
    await refuses(t, d, 'configSyntax', new RegExp(`${d.config}:3: .*timeout 10`))
  })
  await t.test('root missing: 6', async t => {
    const d = await stemDirs(t)
    await writeStemConfig(d, { global: testGlobal(d, { root: join(d.base, 'gone') }), target: local(d) })
    await refuses(t, d, 'rootMissing', /\[global\] root: .*gone does not exist/)
  })
  await t.test('root is the mountpoint: 7', async t => {
    const d = await stemDirs(t)
    await writeStemConfig(d, { global: testGlobal(d), target: local(d) })
    await refuses(t, d, 'rootIsMountpoint', /is the mountpoint itself/, ['-c', d.config, d.root])
  })
  await t.test('mountpoint inside root, and root inside mountpoint: 7', async t => {
    const d = await stemDirs(t)
    await mkdir(join(d.root, 'sub'))
    await writeStemConfig(d, { global: testGlobal(d), target: local(d) })
    await refuses(t, d, 'rootIsMountpoint', /are nested/, ['-c', d.config, join(d.root, 'sub')])
    await refuses(t, d, 'rootIsMountpoint', /are nested/, ['-c', d.config, d.base])
  })
  await t.test('mountpoint missing or not a directory: 8', async t => {
    const d = await stemDirs(t)
    await writeStemConfig(d, { global: testGlobal(d), target: local(d) })
    await refuses(t, d, 'mountpointNotDirectory', /nomnt does not exist/, ['-c', d.config, join(d.base, 'nomnt')])
    await writeFile(join(d.base, 'file'), '')
    await refuses(t, d, 'mountpointNotDirectory', /file is not a directory/, ['-c', d.config, join(d.base, 'file')])
  })
  await t.test('mountpoint already mounted: 9', async t => {
    const first = await stemDirs(t)
    await writeStemConfig(first, { global: testGlobal(first), target: local(first) })
    t.equal((await mountStem(first)).code, 0, 'the first stem mounts')
    const d = await stemDirs(t)
    await writeStemConfig(d, { global: testGlobal(d), target: local(d) })
    const r = await runStem(['-c', d.config, first.mnt])
    t.equal(r.code, ExitCode.mountpointBusy, `exit 9; stderr: ${r.stderr}`)
    t.match(r.stderr, /already mounted \(fuse\.stalk from stalk\); unmount it first/)
    t.equal(await daemonPid(d), undefined, 'the refused daemon is gone')
    t.ok(stalkMount(first.mnt), 'the first mount is untouched')
    await unmountStem(first)
  })
  await t.test('target is root: 10', async t => {
    const d = await stemDirs(t)
    await writeStemConfig(d, { global: testGlobal(d), target: { same: d.root } })
    await refuses(t, d, 'targetIsRoot', /\[target\] same: .* is the root folder itself/)
  })
  await t.test('neither plugin nor target: 11', async t => {
    const d = await stemDirs(t)
    await writeStemConfig(d, { global: testGlobal(d) })
    await refuses(t, d, 'nothingToDo', /neither a \[target\] nor a \[plugin\] is configured/)
  })
  await t.test('plugin not found: 12', async t => {
    const d = await stemDirs(t)
    await writeStemConfig(d, { global: testGlobal(d), plugin: { name: 'no-such-plugin-e2e' } })
    await refuses(t, d, 'pluginFailed', /\[plugin\] name = no-such-plugin-e2e: not found/)
  })
  await t.test('bad usage: 2', async t => {
    const d = await stemDirs(t)
    await refuses(t, d, 'usage', /missing MOUNTPOINT\nusage: stem/, [])
    await refuses(t, d, 'usage', /Unknown option '--bogus'/, ['--bogus', d.mnt])
    await refuses(t, d, 'usage', /unexpected argument: two/, [d.mnt, 'two'])
  })
})

t.test('an unreachable ssh target refuses (13), and mounts with lazy: yes', { skip }, async t => {
  const d = await stemDirs(t)
  const closed = await freePort()
  const ssh = { target: { remote: `root@127.0.0.1:${d.base}/remote` } }
  await writeStemConfig(d, { global: testGlobal(d, { ssh_port: closed }), ...ssh })
  await refuses(t, d, 'preflightFailed', /remote \(root@127\.0\.0\.1:.*\): .*connection refused[^]*set "lazy: yes"/)
  await writeStemConfig(d, { global: testGlobal(d, { ssh_port: closed, lazy: 'yes' }), ...ssh })
  const r = await mountStem(d)
  t.equal(r.code, 0, `lazy: the mount starts anyway; stderr: ${r.stderr}`)
  t.ok(stalkMount(d.mnt), 'mounted')
  await unmountStem(d)
})

t.test('--help, --version and npx stem', async t => {
  const help = await runStem(['--help'])
  t.equal(help.code, 0, '--help exits 0')
  t.match(help.stdout, /^usage: stem \[-c CONFIG\]/, 'usage on stdout')
  t.equal(help.stderr, '', 'nothing on stderr')
  const version = await runStem(['--version'])
  t.match(version.stdout, /^stem \(stalk\) \d+\.\d+\.\d+/)
  const npx = await runStem(['stem', '--help'], { command: ['npx', '--no-install'], timeoutMs: 60_000 })
  t.equal(npx.code, 0, `npx stem --help exits 0; stderr: ${npx.stderr}`)
  t.match(npx.stdout, /usage: stem/, 'npx finds the checkout\'s stem')
})

t.test('a live mount: type fuse.stalk with the -n device name', { skip }, async t => {
  const d = await stemDirs(t)
  await writeStemConfig(d, { global: testGlobal(d), target: local(d) })
  const r = await mountStem(d, ['-n', 'e2e-device'])
  t.equal(r.code, 0, `stem returns 0 once mounted; stderr: ${r.stderr}`)
  t.equal(r.stderr, '', 'and says nothing')
  t.match(stalkMount(d.mnt), { fstype: 'fuse.stalk', source: 'e2e-device' }, 'mountinfo')
  const mount = await runStem([], { command: ['mount'] })
  t.ok(mount.stdout.split('\n').some(l => l.startsWith(`e2e-device on ${d.mnt} type fuse.stalk (rw,`)), 'mount(8) lists it')
  await writeFile(join(d.mnt, 'hello.txt'), 'hi\n')
  t.same(await readdir(d.root), ['hello.txt'], 'a write lands in root')
  await unmountStem(d)
  t.equal(stalkMount(d.mnt), undefined, 'unmounted')
})

t.test('a dead mount left by a killed daemon is cleaned up by the next stem', { skip }, async t => {
  const d = await stemDirs(t)
  await writeStemConfig(d, { global: testGlobal(d), target: local(d) })
  const first = await mountStem(d)
  if (first.pid === undefined) {
    t.fail(`no daemon: ${first.stderr}`)
    return
  }
  await killWholeDaemon(first.pid)
  await waitForExit(first.pid)
  // ENOTCONN ("Transport endpoint is not connected"), or ECONNABORTED when requests were in flight
  await t.rejects(readdir(d.mnt), { code: /^(ENOTCONN|ECONNABORTED)$/ }, 'the mount is dead')
  const second = await mountStem(d)
  t.equal(second.code, 0, `the next stem mounts; stderr: ${second.stderr}`)
  t.not(second.pid, first.pid, 'a new daemon')
  await writeFile(join(d.mnt, 'after.txt'), 'alive\n')
  t.same(await readdir(d.root), ['after.txt'], 'the new mount works')
  await waitFor('the clean-up in the log', async () => (await readFile(d.log, 'utf8').catch(() => '')).includes('cleaning up a dead mount left behind'))
  await unmountStem(d)
})
