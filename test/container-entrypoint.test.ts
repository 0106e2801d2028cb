/**
 * The container entrypoint without a container engine: the environment →
 * config mapping as a pure function, then the built entrypoint as the
 * engine would run it (a child process with only an environment): readiness
 * file and health check against a real mount, SIGTERM → final round →
 * unmount, a SIGKILLed entrypoint's dead mount taken over by the next start,
 * and bad variables refused with a clear message and exit code.
 */
import { spawn } from 'node:child_process'
import { access, mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { containerPlan } from '../etc/container/container-plan.js'
import type { ConfigObject } from '../src/config/config-object.js'
import { loadConfigObject } from '../src/config/load-config-object.js'
import { findMount } from '../src/mount/mountinfo.js'
import { fusermountUnmount } from '../src/mount/fusermount.js'
import { asUser } from './helpers/config-fixture.js'
import { fuseUnavailable } from './helpers/mount.js'
import { PROJECT_DIR, runStem, type StemExit } from './helpers/stem.js'
import { tmpDir } from './helpers/tmp.js'
import { pidAlive, waitFor, waitForExit } from './helpers/wait-for.js'

const ENTRYPOINT = join(PROJECT_DIR, 'dist/etc/container/entrypoint.js')
const HEALTH = join(PROJECT_DIR, 'dist/etc/container/health.js')
const skip = process.getuid?.() !== 0 ? 'real mounts need root' : fuseUnavailable()
const M = { STALK_MOUNTPOINT: '/shared/stalk' }

/** The config object the variables build (not a STALK_CONFIG path). */
function built (env: NodeJS.ProcessEnv): ConfigObject {
  const c = containerPlan(env).config
  if (typeof c === 'string') throw new Error(`expected a built config, got the file ${c}`)
  return c
}

t.test('environment → config: push with one or several targets', async t => {
  t.match(containerPlan({ ...M, STALK_ROOT: '/data', STALK_TARGET: 'backup:/srv/data' }), {
    mode: 'push', mountpoint: '/shared/stalk', readyFile: '/run/stalk/ready', allowOther: true, logLevel: 'info', name: 'stalk',
    config: { global: { root: '/data' }, targets: { target: 'backup:/srv/data' } }
  })
  const p = containerPlan({ ...M, STALK_ROOT: '/data', STALK_TARGET: 'west=h1:/srv; east = h2:/srv ;\nlocal=/mirror', STALK_TIMEOUT: '10', STALK_STATE_DIR: '/state', STALK_LAZY: 'yes' })
  t.same(p.config, { global: { root: '/data', timeout: '10', state_dir: '/state', lazy: 'yes' }, targets: { west: 'h1:/srv', east: 'h2:/srv', local: '/mirror' } })
})

t.test('environment → config: pull, one file or a list', async t => {
  t.same(containerPlan({ ...M, STALK_MODE: 'pull', STALK_ORIGIN: 'https://h/motd', STALK_NAME: 'motd', STALK_CACHEDIR: '/cache', STALK_CACHETIME: '5m' }).config,
    { DEFAULT: { cachetime: '5m' }, global: { cachedir: '/cache' }, motd: { name: 'motd', origin: 'https://h/motd' } })
  t.same(containerPlan({ ...M, STALK_MODE: 'pull', STALK_ORIGIN: 's3://b/k/file.iso' }).config,
    { global: {}, 'file.iso': { name: 'file.iso', origin: 's3://b/k/file.iso' } }, 'the name defaults to the origin\'s last segment')
  t.same(containerPlan({ ...M, STALK_MODE: 'pull', STALK_ORIGINS: 'a.txt=https://h/a?x=1;b=sftp://u@h/b', STALK_ENDPOINT: 'http://rgw:7480', STALK_REGION: 'eu' }).config,
    { global: { endpoint: 'http://rgw:7480', region: 'eu' }, 'a.txt': { name: 'a.txt', origin: 'https://h/a?x=1' }, b: { name: 'b', origin: 'sftp://u@h/b' } })
  t.same(containerPlan({ ...M, STALK_MODE: 'pull', STALK_CONFIG: '/etc/stalk/stalk.cf' }).config, '/etc/stalk/stalk.cf')
})

t.test('the built config passes the loader, which reads credentials from the same environment', async t => {
  const dir = t.testdir({ data: {} })
  const push = built({ ...M, STALK_ROOT: join(dir, 'data'), STALK_TARGET: 'h:/srv' })
  t.match(await loadConfigObject(push, 'push', asUser), { root: join(dir, 'data'), targets: [{ label: 'target', destination: 'h:/srv' }] })
  const env = { ...M, STALK_MODE: 'pull', STALK_ORIGIN: 'https://h/motd', STALK_NAME: 'motd', STALK_MOTD_PASSWORD: 's3cret', STALK_CACHETIME: '1m' }
  const pull = await loadConfigObject(built(env), 'pull', { ...asUser, env })
  t.equal(pull.files[0]?.options.get('password'), 's3cret', 'STALK_<SECTION>_<KEY>, the section being the file name')
  t.equal(pull.files[0]?.cachetimeMs, 60_000)
})

t.test('bad variables are refused with exit code 2 (usage), naming the variable', async t => {
  const cases: ReadonlyArray<readonly [NodeJS.ProcessEnv, RegExp]> = [
    [{ ...M, STALK_MODE: 'sideways' }, /^STALK_MODE: "sideways" is neither push nor pull/],
    [{ STALK_ROOT: '/d', STALK_TARGET: '/t' }, /^STALK_MOUNTPOINT: missing/],
    [{ STALK_MOUNTPOINT: 'rel/path', STALK_ROOT: '/d', STALK_TARGET: '/t' }, /^STALK_MOUNTPOINT: "rel\/path" is not an absolute path/],
    [{ ...M, STALK_TARGET: '/t' }, /^STALK_ROOT: missing/],
    [{ ...M, STALK_ROOT: '/d' }, /^STALK_TARGET: missing/],
    [{ ...M, STALK_ROOT: '/d', STALK_TARGET: 'a=/x;/y' }, /^STALK_TARGET: "\/y" is not LABEL=VALUE/],
    [{ ...M, STALK_ROOT: '/d', STALK_TARGET: 'a=/x;A=/y' }, /^STALK_TARGET: "A" appears twice/],
    [{ ...M, STALK_CONFIG: '/c.cf', STALK_ROOT: '/d' }, /^STALK_CONFIG is set, and so is STALK_ROOT/],
    [{ ...M, STALK_MODE: 'pull' }, /^STALK_ORIGIN \(with STALK_NAME\) or STALK_ORIGINS/],
    [{ ...M, STALK_MODE: 'pull', STALK_ORIGIN: 'https://h/a', STALK_ROOT: '/d' }, /^STALK_ROOT: not used in pull mode/],
    [{ ...M, STALK_MODE: 'pull', STALK_ORIGIN: 'https://h/a', STALK_ORIGINS: 'b=https://h/b' }, /both set/],
    [{ ...M, STALK_ROOT: '/d', STALK_TARGET: '/t', STALK_LOG_LEVEL: 'loud' }, /^STALK_LOG_LEVEL: "loud"/]
  ]
  for (const [env, message] of cases) t.throws(() => containerPlan(env), { name: 'StemError', exitCode: 2, message }, String(message))
})

interface Entry { readonly pid: number; readonly exited: Promise<StemExit>; output(): string }

/** The built entrypoint as a container engine starts it: nothing but an environment. */
function startEntrypoint (t: Test, env: NodeJS.ProcessEnv): Entry {
  const child = spawn(process.execPath, [ENTRYPOINT], { env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  if (child.pid === undefined) throw new Error('the entrypoint did not start')
  const pid = child.pid
  let out = ''
  child.stdout.on('data', (b: Buffer) => { out += b.toString() })
  child.stderr.on('data', (b: Buffer) => { out += b.toString() })
  const exited = new Promise<StemExit>(resolve => child.once('close', (code, signal) => resolve({ code, signal, stdout: out, stderr: out })))
  t.teardown(() => { if (pidAlive(pid)) process.kill(pid, 'SIGKILL') })
  return { pid, exited, output: () => out }
}

/** Runs the health check with the entrypoint's environment. */
const health = (env: NodeJS.ProcessEnv): Promise<StemExit> => runStem([], { command: ['env', ...Object.entries(env).map(([k, v]) => `${k}=${v ?? ''}`), process.execPath, HEALTH] })

async function pushEnv (t: Test): Promise<{ env: NodeJS.ProcessEnv; dir: string; mnt: string; target: string; ready: string }> {
  const dir = await tmpDir(t, 'stalk-container-')
  const [mnt, root, target] = ['mnt', 'root', 'target'].map(n => join(dir, n)) as [string, string, string]
  for (const d of [mnt, root, target]) await mkdir(d)
  t.teardown(async () => { if (findMount(mnt) !== undefined) await fusermountUnmount(mnt).catch(() => {}) })
  const ready = join(dir, 'run', 'ready')
  const env = { STALK_MOUNTPOINT: mnt, STALK_ROOT: root, STALK_TARGET: `local=${target}`, STALK_TIMEOUT: '10m', STALK_STATE_DIR: join(dir, 'state'), STALK_SHUTDOWN_GRACE: '20s', STALK_READY_FILE: ready }
  return { env, dir, mnt, target, ready }
}

const exists = (p: string): Promise<boolean> => access(p).then(() => true, () => false)

/** Waits until the readiness file names entrypoint `e`; fails with its output if it exits first. */
async function ready (e: Entry, file: string): Promise<void> {
  let gone: StemExit | undefined
  void e.exited.then(r => { gone = r })
  await waitFor(`the readiness file of ${e.pid}`, async () => {
    if (gone !== undefined) throw new Error(`the entrypoint exited (${gone.code ?? gone.signal ?? '?'}): ${gone.stderr}`)
    return (await readFile(file, 'utf8').catch(() => '')).includes(`"pid":${e.pid}`)
  }, { timeoutMs: 20_000 })
}

t.test('ready file and health check follow the mount; SIGTERM drains, unmounts and exits 0', { skip }, async t => {
  const { env, mnt, target, ready: file } = await pushEnv(t)
  t.match((await health(env)).stderr, /not ready: no readiness file/, 'not healthy before the start')
  const e = startEntrypoint(t, env)
  await ready(e, file)
  t.match(JSON.parse(await readFile(file, 'utf8')), { mountpoint: mnt, pid: e.pid, mode: 'push' })
  t.match(findMount(mnt), { fstype: 'fuse.stalk', superOptions: /allow_other/ }, 'mounted with allow_other')
  t.match(await health(env), { code: 0, stdout: 'ok\n' }, 'healthy while live')
  await writeFile(join(mnt, 'pending.txt'), 'p')
  t.notOk(await exists(join(target, 'pending.txt')), 'still pending (10 min quiet time)')
  process.kill(e.pid, 'SIGTERM')
  const r = await e.exited
  t.equal(r.code, 0, `exit 0 (${e.output().trim().split('\n').pop() ?? ''})`)
  t.equal(await readFile(join(target, 'pending.txt'), 'utf8'), 'p', 'the final round delivered it')
  t.equal(findMount(mnt), undefined, 'nothing left mounted on the shared path')
  t.notOk(await exists(file), 'the readiness file is gone')
  t.match(await health(env), { code: 1, stderr: /not ready/ })
})

t.test('after a SIGKILL the health check fails, and the next start takes the dead mount over', { skip }, async t => {
  const { env, mnt, ready: file } = await pushEnv(t)
  const first = startEntrypoint(t, env)
  await ready(first, file)
  process.kill(first.pid, 'SIGKILL')
  await waitForExit(first.pid)
  t.ok(findMount(mnt), 'a dead mount is left on the path')
  t.match(await health(env), { code: 1, stderr: /is gone; the mount at .* is dead/ })
  const second = startEntrypoint(t, env)
  await ready(second, file)
  t.equal((await health(env)).code, 0, 'healthy again')
  process.kill(second.pid, 'SIGTERM')
  t.equal((await second.exited).code, 0)
  t.equal(findMount(mnt), undefined)
})

t.test('a bad environment: a clear message, stem\'s exit code, nothing mounted', { skip }, async t => {
  const { env, mnt, ready: file } = await pushEnv(t)
  const bad = await startEntrypoint(t, { ...env, STALK_MODE: 'sideways' }).exited
  t.equal(bad.code, 2)
  t.match(bad.stderr, /^stalk-entrypoint: STALK_MODE: "sideways" is neither push nor pull\n$/)
  const invalid = await startEntrypoint(t, { ...env, STALK_TIMEOUT: 'soon' }).exited
  t.equal(invalid.code, 5, 'configInvalid')
  t.match(invalid.stderr, /stalk-entrypoint: STALK_\* environment: \[global\] timeout: "soon" is not a duration/)
  const unmountable = await startEntrypoint(t, { ...env, STALK_MOUNTPOINT: join(mnt, 'missing') }).exited
  t.equal(unmountable.code, 8, 'mountpointNotDirectory')
  t.equal(findMount(mnt), undefined)
  t.notOk(await exists(file))
})
