/**
 * Config objects (the Node API's and the container's) load into exactly
 * what the same INI file loads into, and are refused with the INI loader's
 * words: only the file name differs ("<config object>").
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { CONFIG_OBJECT_LABEL, type ConfigObject } from '../src/config/config-object.js'
import { loadConfig } from '../src/config/load-config.js'
import { loadConfigObject } from '../src/config/load-config-object.js'
import { StemError } from '../src/exit-codes.js'
import { asUser, refusal, writeConfig } from './helpers/config-fixture.js'
import { iniText, type Sections } from './helpers/stem-config.js'

type Mode = 'push' | 'pull'

/** Loads `sections` once as an INI file and once as an object; both results, with the file name taken out. */
async function both (dir: string, sections: Sections, mode: Mode): Promise<{ file: unknown; object: unknown }> {
  const file = writeConfig(dir, iniText(sections))
  const settle = (p: Promise<unknown>): Promise<unknown> => p.then(v => v, (e: unknown) => e)
  const fromFile = await settle(loadConfig(file, mode, asUser))
  const fromObject = await settle(loadConfigObject(sections, mode, asUser))
  return { file: neutral(fromFile, file), object: neutral(fromObject, CONFIG_OBJECT_LABEL) }
}

/** A loaded config or a refusal with its source's name replaced, so the two can be compared. */
function neutral (v: unknown, name: string): unknown {
  if (v instanceof StemError) return { refused: v.exitCode, message: v.message.split(name).join('<FILE>') }
  if (typeof v === 'object' && v !== null) {
    const { file: _file, warnings, ...rest } = v as { file: string; warnings: readonly string[] }
    // warnings name the line in a file, and line 0 for an object: compare what they say
    return { ...rest, warnings: warnings.map(w => w.split(name).join('<FILE>').replace(/^<FILE>:\d+:/, '<FILE>:')) }
  }
  return v
}

t.test('push: the same config as a file and as an object', async t => {
  const dir = t.testdir({ root: {} })
  const root = join(dir, 'root')
  const { file, object } = await both(dir, {
    global: { root, timeout: 10, shutdown_grace: '30s', lazy: 'yes', rsync_options: '--bwlimit=1000', bogus: 1 },
    plugin: { name: 'command_plugin', command: 'createrepo', o: '-q' },
    target: { 'us-west-2': 'host1:/var/lib/nginx/yum', local: join(dir, 'mirror') },
    'target:us-west-2': { ssh_port: 2222, timeout: '5m' }
  }, 'push')
  t.same(object, file)
  t.match(object, { quietMs: 10_000, lazy: true, targets: [{ label: 'us-west-2', ssh: { port: 2222 } }, { label: 'local' }] })
})

t.test('pull: [DEFAULT], [global] and file sections as a file and as an object', async t => {
  const dir = t.testdir({})
  const { file, object } = await both(dir, {
    DEFAULT: { cachetime: 30 },
    global: { cachedir: join(dir, 'cache'), op_timeout: '2m', endpoint: 'http://127.0.0.1:9000' },
    motd: { name: 'motd', origin: 'https://example.org/motd' },
    blob: { name: 'blob.bin', origin: 's3://bucket/%(name)s', cachetime: '1h' }
  }, 'pull')
  t.same(object, file)
  t.match(object, { files: [{ name: 'motd', cachetimeMs: 30_000 }, { name: 'blob.bin', origin: 's3://bucket/blob.bin', cachetimeMs: 3_600_000 }] })
})

t.test('targets and plugins: the object shorthand writes [target], [target:LABEL] and [plugin:N]', async t => {
  const dir = t.testdir({ root: {} })
  const root = join(dir, 'root')
  const short: ConfigObject = {
    global: { root, lazy: false },
    targets: { Local: join(dir, 'mirror'), west: { destination: 'host:/x', ssh_port: 2222 } },
    plugins: [{ name: 'null' }, { name: 'command', command: 'true', timeout: 5 }]
  }
  const long: ConfigObject = {
    global: { root, lazy: 'no' },
    target: { local: join(dir, 'mirror'), west: 'host:/x' },
    'target:west': { ssh_port: '2222' },
    'plugin:1': { name: 'null' },
    'plugin:2': { name: 'command', command: 'true', timeout: '5' }
  }
  t.same(await loadConfigObject(short, 'push', asUser), await loadConfigObject(long, 'push', asUser))
})

t.test('refusals: the INI loader\'s message and exit code, with "<config object>" for the file', async t => {
  const dir = t.testdir({ root: {}, 'not-a-dir': '' })
  const root = join(dir, 'root')
  const cases: ReadonlyArray<readonly [string, Mode, Sections, RegExp]> = [
    ['a bad duration', 'push', { global: { root, timeout: 'abc' }, target: { a: '/srv/m' } }, /^<FILE>: \[global\] timeout: "abc" is not a duration/],
    ['a missing root', 'push', { global: { root: join(dir, 'nope') }, target: { a: '/srv/m' } }, /\[global\] root: .*nope does not exist/],
    ['root not a folder', 'push', { global: { root: join(dir, 'not-a-dir') }, target: { a: '/srv/m' } }, /is not a directory/],
    ['[target:X] without its label', 'push', { global: { root }, target: { a: '/srv/m' }, 'target:b': { ssh_port: 1 } }, /\[target:b\]: there is no target "b"/],
    ['a target inside root', 'push', { global: { root }, target: { a: join(root, 'sub') } }, /\[target\] a: /],
    ['nothing to do', 'push', { global: { root } }, /neither a \[target\] nor a \[plugin\]/],
    ['a bad port', 'push', { global: { root, ssh_port: 70000 }, target: { a: 'h:/x' } }, /ssh_port/],
    ['a bad %-reference', 'push', { global: { root, log: '%(nope)s' }, target: { a: '/srv/m' } }, /\[global\] log: /],
    ['no file sections', 'pull', { global: {} }, /no file sections/],
    ['a bad origin scheme', 'pull', { f: { name: 'f', origin: 'ftp://h/f' } }, /\[f\] origin: /],
    ['two files with one name', 'pull', { a: { name: 'x', origin: 'https://h/a' }, b: { name: 'x', origin: 'https://h/b' } }, /\[b\] name: "x" is also the name in \[a\]/]
  ]
  for (const [what, mode, sections, words] of cases) {
    const { file, object } = await both(dir, sections, mode)
    t.same(object, file, what)
    t.match(object, { refused: Number, message: words }, `${what}: refused`)
  }
})

t.test('what only an object can get wrong is refused naming the section and key', async t => {
  const dir = t.testdir({ root: {} })
  const root = join(dir, 'root')
  mkdirSync(join(dir, 'mirror'))
  const refuse = async (config: unknown, code: 'configInvalid' | 'configSyntax', message: RegExp): Promise<void> => {
    await t.rejects(loadConfigObject(config as ConfigObject, 'push', asUser), refusal(code, message))
  }
  await refuse(null, 'configInvalid', /^<config object>: a config object must be an object of sections, got null/)
  await refuse({ global: 'x' }, 'configInvalid', /^<config object>: \[global\]: expected an object of key: value, got a string/)
  await refuse({ global: { root, timeout: [1] } }, 'configInvalid', /^<config object>: \[global\] timeout: expected a string, a finite number or a boolean, got an array/)
  await refuse({ global: { root, timeout: Number.NaN } }, 'configInvalid', /\[global\] timeout: expected .* got NaN/)
  await refuse({ global: { root, Root: root } }, 'configSyntax', /^<config object>: \[global\] key "root" appears twice/)
  await refuse({ global: { root }, plugins: [{ command: 'x' }] }, 'configInvalid', /^<config object>: \[plugin:1\] name: missing/)
  await refuse({ global: { root }, plugins: { name: 'x' } }, 'configInvalid', /plugins: expected an array/)
  await refuse({ global: { root }, targets: { a: 5 } }, 'configInvalid', /\[target\] a: expected a destination string or \{ destination, … \}, got 5/)
  await refuse({ global: { root }, target: { a: '/srv/m' }, targets: { b: '/srv/n' } }, 'configInvalid', /give either targets or \[target\] sections, not both/)
  await t.resolves(loadConfigObject({ global: { root, timeout: undefined }, targets: { a: join(dir, 'mirror') } }, 'push', asUser), 'undefined keys are left out')
})

t.test('a label option names the object in messages', async t => {
  await t.rejects(loadConfigObject({ global: {} }, 'push', { ...asUser, label: '<environment>' }), refusal('configInvalid', /^<environment>: \[global\] root: missing/))
})
