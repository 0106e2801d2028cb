/**
 * The Node API end to end, with real mounts in this very process: sync()
 * resolves only once the target has the change, unmount() and the end of
 * an `await using` scope deliver what is pending, an unmount from outside
 * drains too, a failing target rejects sync() with its reason, a config
 * object is refused with the INI loader's words, and a mount whose owner
 * was SIGKILLed is taken over by the next mount().
 */
import { spawn } from 'node:child_process'
import { access, readFile, statfs, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import t from 'tap'
import { mount, StemError, SyncError, type DrainResult, type StalkMount } from '../src/index.js'
import { silentLogger } from '../src/logger.js'
import { findMount } from '../src/mount/mountinfo.js'
import { apiDirs, keep, pushObject } from './helpers/api-mount.js'
import { fuseUnavailable } from './helpers/mount.js'
import { PROJECT_DIR, runStem } from './helpers/stem.js'
import { iniText } from './helpers/stem-config.js'
import { waitFor, waitForExit } from './helpers/wait-for.js'

const skip = process.getuid?.() !== 0 ? 'real mounts need root' : fuseUnavailable()
const exists = (p: string): Promise<boolean> => access(p).then(() => true, () => false)
const quiet = { log: silentLogger }

t.test('the package entry resolves through "exports" to the built API', { skip }, async t => {
  const api = await import('stalk') as Record<string, unknown>
  t.type(api['mount'], 'function')
  t.ok(await exists(join(PROJECT_DIR, 'dist/src/index.d.ts')), 'types are shipped next to it')
})

t.test('sync() resolves once the target has the change, not before', { skip }, async t => {
  const d = await apiDirs(t)
  const m = keep(d, await mount(pushObject(d), d.mnt, quiet))
  t.equal(m.mode, 'push')
  t.equal(findMount(d.mnt)?.fstype, 'fuse.stalk', 'live once mount() resolved')
  await m.sync() // the first mirror of a new target, so the file below is the only change
  await writeFile(join(d.mnt, 'a.txt'), 'alpha')
  t.notOk(await exists(join(d.target, 'a.txt')), 'nothing delivers it during the 10 min quiet time')
  const rounds: string[] = []
  m.on('sync', r => rounds.push(r.reason))
  const r = await m.sync()
  t.equal(await readFile(join(d.target, 'a.txt'), 'utf8'), 'alpha', 'on the target as sync() resolves')
  t.same(r.targets.map(x => [x.label, x.ok, x.ran]), [['local', true, true]])
  t.same(rounds, ['manual'], "the round came as a 'sync' event")
  const s = m.status()
  t.equal(s.mode, 'push')
  t.equal(s.mountpoint, d.mnt)
  t.equal(s.configFile, '<config object>')
  t.equal(s.mode === 'push' ? s.targets[0]?.pending : -1, 0)
  const cli = await runStem(['status', '--json', d.mnt])
  t.equal(cli.code, 0, `stem status reaches the embedded mount ${cli.stderr}`)
  const report = JSON.parse(cli.stdout) as Record<string, unknown>
  t.same({ ...report, now: s.now, uptimeMs: s.uptimeMs }, s, 'and prints what status() returns')
})

t.test('unmount() delivers pending changes, then the mount is gone', { skip }, async t => {
  const d = await apiDirs(t)
  const m = keep(d, await mount(pushObject(d), d.mnt, quiet))
  await writeFile(join(d.mnt, 'late.txt'), 'late')
  const unmounted = new Promise<DrainResult>(resolve => m.once('unmounted', resolve))
  const result = await m.unmount()
  t.same(result, { ok: true, undelivered: new Map(), fullMirrorOwed: [], why: 'unmount' })
  t.equal(await readFile(join(d.target, 'late.txt'), 'utf8'), 'late')
  t.equal(findMount(d.mnt), undefined)
  t.equal(await unmounted, result, "'unmounted' carries the same result")
  t.equal(await m.unmount(), result, 'a second unmount() is the same drain')
})

t.test('await using unmounts (and delivers) at the end of the scope', { skip }, async t => {
  const d = await apiDirs(t)
  {
    await using m = keep(d, await mount(pushObject(d), d.mnt, quiet))
    await writeFile(join(m.mountpoint, 'scoped.txt'), 'scoped')
    t.ok(findMount(d.mnt), 'mounted inside the scope')
  }
  t.equal(findMount(d.mnt), undefined, 'unmounted after it')
  t.equal(await readFile(join(d.target, 'scoped.txt'), 'utf8'), 'scoped')
})

t.test('umount from outside drains as unmount() does', { skip }, async t => {
  const d = await apiDirs(t)
  const m = keep(d, await mount(pushObject(d), d.mnt, quiet))
  await writeFile(join(d.mnt, 'outside.txt'), 'o')
  const unmounted = new Promise<DrainResult>(resolve => m.once('unmounted', resolve))
  await promisify(execFile)('umount', [d.mnt])
  const r = await unmounted
  t.equal(r.why, 'external')
  t.equal(r.ok, true)
  t.equal(await readFile(join(d.target, 'outside.txt'), 'utf8'), 'o')
})

t.test('a target that fails rejects sync() with its reason; unmount() reports it undelivered', { skip }, async t => {
  const d = await apiDirs(t)
  await writeFile(join(d.base, 'plain-file'), '')
  const broken = join(d.base, 'plain-file', 'sub')
  const config = { ...pushObject(d, { lazy: true }), targets: { local: d.target, broken } }
  const m = keep(d, await mount(config, d.mnt, quiet))
  const errors: Error[] = []
  m.on('error', e => errors.push(e))
  await writeFile(join(d.mnt, 'x.txt'), 'x')
  const err = await m.sync().then(() => undefined, (e: unknown) => e)
  t.ok(err instanceof SyncError, 'a SyncError')
  if (err instanceof SyncError) {
    t.same([...err.reasons.keys()], ['broken'])
    t.match(err.message, /broken \(.*plain-file\/sub\): /)
  }
  t.equal(await readFile(join(d.target, 'x.txt'), 'utf8'), 'x', 'the working target got it')
  t.ok(errors.some(e => e.message.includes('broken')), "the failure came as an 'error' event")
  const r = await m.unmount()
  t.equal(r.ok, false)
  t.ok(r.undelivered.has('broken') || r.fullMirrorOwed.includes('broken'), 'the broken target is owed the change')
})

t.test('a second mount() of a path whose owner was SIGKILLed cleans the dead mount and mounts', { skip }, async t => {
  const d = await apiDirs(t)
  const child = spawn(process.execPath, [join(PROJECT_DIR, 'test/fixtures/api-mount-child.mjs'), JSON.stringify(pushObject(d)), d.mnt], { stdio: ['ignore', 'pipe', 'pipe'] })
  t.teardown(() => { child.kill('SIGKILL') })
  let out = ''
  child.stdout.on('data', (b: Buffer) => { out += b.toString() })
  child.stderr.on('data', (b: Buffer) => { out += b.toString() })
  await waitFor('the child to mount', () => out.includes('mounted '), { timeoutMs: 20_000 })
  await writeFile(join(d.mnt, 'before-crash.txt'), 'b')
  child.kill('SIGKILL')
  if (child.pid !== undefined) await waitForExit(child.pid)
  t.ok(findMount(d.mnt), 'the mount outlived its owner')
  await t.rejects(statfs(d.mnt), { code: /^(ENOTCONN|ECONNABORTED)$/ }, 'and is dead')
  const m = keep(d, await mount(pushObject(d), d.mnt, quiet))
  t.equal(await readFile(join(d.mnt, 'before-crash.txt'), 'utf8'), 'b', 'the new mount serves root')
  const r = await m.unmount()
  t.equal(r.ok, true)
  t.equal(await readFile(join(d.target, 'before-crash.txt'), 'utf8'), 'b', 'the crashed run\'s change is delivered')
})

t.test('an invalid config object is refused with the INI loader\'s message', { skip }, async t => {
  const d = await apiDirs(t)
  const config = { global: { root: d.root, state_dir: d.state, timeout: '10 parsecs' }, target: { local: d.target } }
  const file = join(d.base, 'stalk.cf')
  await writeFile(file, iniText(config))
  const fromFile = await mount(file, d.mnt, quiet).then(() => undefined, (e: unknown) => e)
  const fromObject = await mount(config, d.mnt, quiet).then(() => undefined, (e: unknown) => e)
  t.ok(fromFile instanceof StemError && fromObject instanceof StemError, 'both refused with a StemError')
  if (!(fromFile instanceof StemError) || !(fromObject instanceof StemError)) return
  t.equal(fromObject.message, fromFile.message.replace(file, '<config object>'))
  t.match(fromObject.message, /^<config object>: \[global\] timeout: "10 parsecs" is not a duration/)
  t.equal(fromObject.exitCode, fromFile.exitCode)
  t.equal(fromObject.exitCode, 5, 'configInvalid')
  t.equal(findMount(d.mnt), undefined)
})

t.test('a refusal is a StemError with stem\'s exit code, and nothing stays mounted', { skip }, async t => {
  const d = await apiDirs(t)
  const err = await mount(pushObject(d), d.root, quiet).then((m: StalkMount) => m, (e: unknown) => e)
  t.ok(err instanceof StemError)
  t.match(err, { exitCode: 7, message: /nested|mountpoint itself/ }, 'root as the mountpoint: exit 7 (rootIsMountpoint)')
  t.equal(findMount(d.root), undefined)
})
