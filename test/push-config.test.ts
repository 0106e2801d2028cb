import t from 'tap'
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { loadConfig } from '../src/config/load-config.js'
import type { PushConfig } from '../src/config/types.js'
import { asUser, refusal, writeConfig } from './helpers/config-fixture.js'

const TARGET = '[target]\na = host:/x\n'

/** Loads `[global]` + `global` (+ `rest`) from a config in `dir`, which holds a `root` folder. */
function load (dir: string, global: string, rest = TARGET, o = {}): Promise<PushConfig> {
  return loadConfig(writeConfig(dir, `[global]\n${global}\n${rest}`), 'push', { ...asUser, ...o })
}
const fileIn = (dir: string): string => join(dir, 'stalk.cf')

t.test('defaults', async t => {
  const dir = t.testdir({ root: {} })
  const c = await load(dir, 'root = root')
  t.match(c, {
    root: join(dir, 'root'),
    quietMs: 100_000,
    maxWaitMs: 1_000_000,
    retryMinMs: 5000,
    retryMaxMs: 300_000,
    shutdownGraceMs: 60_000,
    lazy: false,
    log: { maxBytes: 10 * 1024 * 1024, keep: 5 }
  })
  t.equal(c.log.file, undefined)
  t.same(c.plugins, [])
})

t.test('every [global] key, with units', async t => {
  const dir = t.testdir({ root: {} })
  const c = await load(dir, [
    'root = ./root/', 'timeout = 1m30s', 'max_wait = 1h', 'retry_min = 500ms', 'retry_max = 10m',
    'shutdown_grace = 2m', 'target_timeout = 2h', 'state_dir = state', 'log = logs/stalk.log',
    'log_max_size = 512k', 'log_keep = 0', 'lazy = yes'
  ].join('\n'))
  t.same({ ...c, targets: c.targets.map(x => x.timeoutMs) }, {
    mode: 'push',
    file: fileIn(dir),
    root: join(dir, 'root'),
    quietMs: 90_000,
    maxWaitMs: 3_600_000,
    retryMinMs: 500,
    retryMaxMs: 600_000,
    shutdownGraceMs: 120_000,
    lazy: true,
    stateDir: join(dir, 'state'),
    log: { file: join(dir, 'logs/stalk.log'), maxBytes: 512 * 1024, keep: 0 },
    plugins: [],
    targets: [7_200_000],
    warnings: []
  })
})

t.test('lazy takes ConfigParser booleans', async t => {
  const dir = t.testdir({ root: {} })
  for (const v of ['yes', 'True', 'on', '1']) t.equal((await load(dir, `root = root\nlazy = ${v}`)).lazy, true, v)
  for (const v of ['no', 'FALSE', 'off', '0']) t.equal((await load(dir, `root = root\nlazy = ${v}`)).lazy, false, v)
  await t.rejects(load(dir, 'root = root\nlazy = maybe'), { message: /\[global\] lazy: "maybe" is not a boolean/ })
})

t.test('max_wait defaults to ten quiet periods, at least ten minutes', async t => {
  const dir = t.testdir({ root: {} })
  t.equal((await load(dir, 'root = root\ntimeout = 5')).maxWaitMs, 600_000)
  t.equal((await load(dir, 'root = root\ntimeout = 2h')).maxWaitMs, 72_000_000)
  t.equal((await load(dir, 'root = root\ntimeout = 0')).quietMs, 0, 'timeout 0 syncs after every change')
  t.equal((await load(dir, 'root = root\nretry_min = 10m')).retryMaxMs, 600_000, 'retry_max follows a larger retry_min')
})

t.test('state_dir: one folder per root under the user\'s or the system\'s state folder', async t => {
  const dir = t.testdir({ root: {} })
  const root = join(dir, 'root')
  const leaf = `root-${createHash('sha256').update(root).digest('hex').slice(0, 16)}`
  t.equal((await load(dir, 'root = root')).stateDir, join('/home/tester/.local/state/stalk', leaf))
  t.equal((await load(dir, 'root = root', TARGET, { uid: 0 })).stateDir, join('/var/lib/stalk', leaf))
  t.equal((await load(dir, 'root = root', TARGET, { env: { XDG_STATE_HOME: '/xdg' } })).stateDir, join('/xdg/stalk', leaf))
  t.equal((await load(dir, 'root = root', TARGET, { env: { XDG_STATE_HOME: 'relative' } })).stateDir,
    join('/home/tester/.local/state/stalk', leaf), 'a relative XDG_STATE_HOME is ignored')
  t.equal((await load(dir, `root = ${root}/`)).stateDir, join('/home/tester/.local/state/stalk', leaf),
    'the same root spelled differently finds the same journal')
  t.equal((await load(dir, 'root = root\nstate_dir = /var/tmp/j')).stateDir, '/var/tmp/j', 'an explicit state_dir is used as is')
})

t.test('plugins: [plugin] and [plugin:NAME] in file order, own keys only', async t => {
  const dir = t.testdir({ root: {} })
  const c = await load(dir, 'root = root', [
    '[DEFAULT]', 'shared = 1',
    '[plugin:first]', 'zeta = z', 'alpha = a',
    '[plugin]', 'name = ./my-plugin.js', 'Opt = %(shared)s',
    '[plugin:renamed]', 'name = stalk-plugin-x'
  ].join('\n'))
  t.same(c.plugins, [
    { section: 'plugin:first', name: 'first', options: new Map([['zeta', 'z'], ['alpha', 'a']]) },
    { section: 'plugin', name: './my-plugin.js', options: new Map([['opt', '1']]) },
    { section: 'plugin:renamed', name: 'stalk-plugin-x', options: new Map() }
  ])
  t.same(c.targets, [], 'a plugin alone is something to do')
})

t.test('plugin refusals', async t => {
  const dir = t.testdir({ root: {} })
  const file = fileIn(dir)
  await t.rejects(load(dir, 'root = root', '[DEFAULT]\nname = x\n[plugin]\ncommand = make\n'),
    refusal('configInvalid', `${file}: [plugin] name: missing (the plugin to load, e.g. command_plugin)`))
  await t.rejects(load(dir, 'root = root', '[plugin:]\n'),
    refusal('configInvalid', `${file}: [plugin:] name: missing (write [plugin:NAME] or a name key)`))
  await t.rejects(load(dir, 'root = root', '[plugin:x]\nname =\n'), refusal('configInvalid', `${file}: [plugin:x] name: empty`))
})

t.test('root refusals', async t => {
  const dir = t.testdir({ root: {}, 'a-file': 'x' })
  const file = fileIn(dir)
  await t.rejects(load(dir, 'timeout = 10'),
    refusal('configInvalid', `${file}: [global] root: missing (the folder the mount shows and mirrors to the targets)`))
  await t.rejects(load(dir, 'root ='), refusal('configInvalid', `${file}: [global] root: missing`))
  await t.rejects(loadConfig(writeConfig(dir, TARGET), 'push', asUser), refusal('configInvalid', '[global] root: missing'))
  await t.rejects(load(dir, 'root = nowhere'), refusal('rootMissing', `${file}: [global] root: ${join(dir, 'nowhere')} does not exist`))
  await t.rejects(load(dir, 'root = a-file'), refusal('rootMissing', `${file}: [global] root: ${join(dir, 'a-file')} is not a directory`))
  await t.rejects(load(dir, 'root = a-file/sub'), refusal('rootMissing', `root: ${join(dir, 'a-file/sub')} cannot be used: ENOTDIR`))
})

t.test('nothing to do', async t => {
  const dir = t.testdir({ root: {} })
  const message = `${fileIn(dir)}: neither a [target] nor a [plugin] is configured, so there is nothing to do`
  await t.rejects(load(dir, 'root = root', ''), refusal('nothingToDo', message))
  await t.rejects(load(dir, 'root = root', '[target]\n[DEFAULT]\nx = host:/y\n'), refusal('nothingToDo', message),
    'keys inherited from [DEFAULT] are not targets')
})

t.test('bad durations, sizes and numbers name section and key', async t => {
  const dir = t.testdir({ root: {} })
  const file = fileIn(dir)
  const cases: Array<[string, string]> = [
    ['timeout: abc', '[global] timeout: "abc" is not a duration (e.g. 600 or 10m)'],
    ['timeout: 30d', '[global] timeout: "30d" is too long (at most 24d20h31m23s647ms)'],
    ['max_wait: -1', '[global] max_wait: "-1" is not a duration (e.g. 600 or 10m)'],
    ['timeout: 10m\nmax_wait: 5m', '[global] max_wait: 5m is shorter than timeout (10m)'],
    ['retry_min: 0', '[global] retry_min: "0" is too short (at least 1ms)'],
    ['retry_min: 1m\nretry_max: 30s', '[global] retry_max: 30s is shorter than retry_min (1m)'],
    ['shutdown_grace: soon', '[global] shutdown_grace: "soon" is not a duration'],
    ['target_timeout: 0', '[global] target_timeout: "0" is too short (at least 1ms)'],
    ['log_max_size: big', '[global] log_max_size: "big" is not a size (e.g. 10M, 512k or a number of bytes)'],
    ['log_keep: -1', '[global] log_keep: "-1" is not a whole number from 0 to 1000'],
    ['log_keep: 2.5', '[global] log_keep: "2.5" is not a whole number from 0 to 1000']
  ]
  for (const [line, message] of cases) {
    await t.rejects(load(dir, `root = root\n${line}`), refusal('configInvalid', `${file}: ${message}`), line)
  }
})

t.test('unknown keys and sections are warnings with their line', async t => {
  const dir = t.testdir({ root: {} })
  const file = fileIn(dir)
  const c = await load(dir, 'root = root\nfrobnicate = yes', `${TARGET}[file1]\nname = x\n[target:a]\nssh_colour = red\n`)
  t.same(c.warnings, [
    `${file}:3: [global] frobnicate: unknown key, ignored`,
    `${file}:9: [target:a] ssh_colour: unknown key, ignored`,
    `${file}:6: [file1] is not used in push mode, ignored`
  ])
})
