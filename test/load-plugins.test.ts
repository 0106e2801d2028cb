import t, { type Test } from 'tap'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { StalkPlugin } from '../plugins/api.js'
import type { PluginConfig } from '../src/config/types.js'
import { silentLogger } from '../src/logger.js'
import { ExitCode } from '../src/exit-codes.js'
import { loadPlugins, type LoadPluginsContext } from '../src/plugins/load-plugins.js'
import { PluginLoadError } from '../src/plugins/plugin-load-error.js'

const here = dirname(fileURLToPath(import.meta.url))
const fixtures = join(here, 'fixtures', 'plugins')
const project = join(fixtures, 'project')

function ctx (configFile = join(fixtures, 'stalk.cf')): LoadPluginsContext {
  return { configFile, root: '/srv/root', mountpoint: '/srv/mnt', log: silentLogger, signal: new AbortController().signal }
}

function cfg (name: string, options: Record<string, string> = {}, section = 'plugin'): PluginConfig {
  return { section, name, options: new Map(Object.entries(options)) }
}

async function loadOne (name: string, options: Record<string, string> = {}, configFile?: string): Promise<StalkPlugin> {
  const [p] = await loadPlugins([cfg(name, options)], ctx(configFile))
  if (p === undefined) throw new Error('nothing loaded')
  return p
}

async function loadError (t: Test, configs: PluginConfig[], configFile?: string): Promise<PluginLoadError> {
  const err: unknown = await loadPlugins(configs, ctx(configFile)).then(() => undefined, (e: unknown) => e)
  t.type(err, PluginLoadError)
  if (!(err instanceof PluginLoadError)) throw new Error('expected a PluginLoadError')
  t.equal(err.exitCode, ExitCode.pluginFailed)
  return err
}

t.test('an ESM `export const plugin` gets the options and a context, then init', async t => {
  const p = await loadOne('./esm-named.js', { flavour: 'mint' }) as StalkPlugin & {
    seen: { options: Record<string, string>; factoryCtx: Record<string, unknown>; initCtx: Record<string, unknown> }
  }
  t.equal(p.name, 'esm-named')
  t.same(p.seen.options, { flavour: 'mint' })
  t.match(p.seen.factoryCtx, { root: '/srv/root', mountpoint: '/srv/mnt', configDir: fixtures })
  t.equal(p.seen.initCtx, p.seen.factoryCtx)
})

t.test('ESM default export, CJS module.exports and CJS exports.plugin all load', async t => {
  t.equal((await loadOne('./esm-default.mjs')).name, 'esm-default')
  t.equal((await loadOne('./cjs-module-exports.cjs')).name, 'cjs-module-exports')
  t.equal((await loadOne('./cjs-exports-plugin.cjs')).name, 'cjs-exports-plugin')
  t.equal((await loadOne('./esm-named')).name, 'esm-named', 'the .js extension may be left out')
  t.equal((await loadOne(join(fixtures, 'esm-named.js'))).name, 'esm-named', 'an absolute path')
})

t.test('paths start at the config file folder', async t => {
  t.equal((await loadOne('./sub/relative.js', {}, join(project, 'stalk.cf'))).name, 'relative')
  t.equal((await loadOne('../project/sub/relative.js', {}, join(fixtures, 'other', 'stalk.cf'))).name, 'relative')
})

t.test('packages: stalk-plugin-NAME first, NAME itself, scoped, from the config folder', async t => {
  const configFile = join(project, 'stalk.cf')
  t.equal((await loadOne('fixture', {}, configFile)).name, 'fixture', 'exports "import" entry, not "require"')
  t.equal((await loadOne('stalk-plugin-fixture', {}, configFile)).name, 'fixture')
  t.equal((await loadOne('@acme/scoped', {}, configFile)).name, 'scoped', 'main without extension, CJS')
  t.equal((await loadOne('plain-name', {}, configFile)).name, 'plain-name')
  const err = await loadError(t, [cfg('fixture')], join(fixtures, 'stalk.cf'))
  t.equal(err.failure, 'not-found', 'not visible from a config elsewhere')
})

t.test('built-in names resolve', async t => {
  const plugins = await loadPlugins([cfg('null'), cfg('command', { command: 'true' }), cfg('command_plugin', { command: 'true' })], ctx())
  t.same(plugins.map(p => p.name), ['null', 'command', 'command'])
})

t.test('not found lists what was tried', async t => {
  const pkg = await loadError(t, [cfg('nosuch', {}, 'plugin:x')], join(project, 'stalk.cf'))
  t.equal(pkg.failure, 'not-found')
  t.equal(pkg.section, 'plugin:x')
  t.match(pkg.message, /stalk\.cf \[plugin:x\] name = nosuch: not found/)
  t.match(pkg.message, /stalk-plugin-nosuch or nosuch/)
  t.match(pkg.message, join(project, 'node_modules'))
  t.ok(pkg.tried.includes(join(project, 'node_modules', 'stalk-plugin-nosuch')))
  t.ok(pkg.tried.includes(join(project, 'node_modules', 'nosuch')))
  const path = await loadError(t, [cfg('./missing')])
  t.equal(path.failure, 'not-found')
  for (const ext of ['', '.js', '.mjs', '.cjs']) t.match(path.message, join(fixtures, 'missing' + ext))
})

t.test('a module that throws on import', async t => {
  const err = await loadError(t, [cfg('./throws-on-load.js')])
  t.equal(err.failure, 'import-failed')
  t.match(err.message, /throws-on-load\.js threw: broken at load time/)
})

t.test('wrong shapes', async t => {
  const nf = await loadError(t, [cfg('./not-a-function.js')])
  t.equal(nf.failure, 'bad-shape')
  t.match(nf.message, /plugin export is 42, not a factory function/)
  const ne = await loadError(t, [cfg('./no-export.js')])
  t.match(ne.message, /exports no plugin factory.*it exports helper/)
  const nv = await loadError(t, [cfg('./no-api-version.js')])
  t.equal(nv.failure, 'bad-shape')
  t.match(nv.message, /apiVersion is missing, expected 1/)
  t.match(nv.message, /beforeSync is "createrepo", expected a function/)
})

t.test('a factory that throws names the section and the reason', async t => {
  const err = await loadError(t, [cfg('./throws-in-factory.js', {}, 'plugin:strict')])
  t.equal(err.failure, 'factory-failed')
  t.match(err.message, /\[plugin:strict\].*the key "x" is required/)
})

t.test('init failure closes that plugin and the ones loaded before it', async t => {
  const dir = t.testdir()
  const first = join(dir, 'first-closed')
  const failing = join(dir, 'failing-closed')
  const err = await loadError(t, [
    cfg('./recorder.js', { closed_marker: first }, 'plugin:first'),
    cfg('./throws-in-init.js', { closed_marker: failing }, 'plugin:second')
  ])
  t.equal(err.failure, 'init-failed')
  t.match(err.message, /\[plugin:second\].*init failed: cannot reach the license server/)
  t.equal(readFileSync(first, 'utf8'), 'closed\n')
  t.ok(existsSync(failing))
})

t.test('a later not-found plugin also closes the earlier ones', async t => {
  const marker = join(t.testdir(), 'closed')
  await loadError(t, [cfg('./recorder.js', { closed_marker: marker }), cfg('./nope.js')])
  t.ok(existsSync(marker))
})

t.test('the example plugin from etc/ loads by path and by package name, and logs rounds', async t => {
  const example = resolve(here, '..', 'etc', 'example-plugin')
  const dir = t.testdir({ node_modules: { 'stalk-plugin-example': t.fixture('symlink', example) }, 'stalk.cf': '' })
  const byName = await loadOne('example', { file: 'logs/rounds.jsonl' }, join(dir, 'stalk.cf'))
  t.equal(byName.name, 'example')
  const p = await loadOne(example, { file: join(dir, 'rounds.jsonl') })
  t.equal(readFileSync(join(dir, 'logs', 'rounds.jsonl'), 'utf8'), '', 'init created the log relative to the config')
  await p.afterSync?.({
    root: '/srv/root', changed: new Set(['b.rpm', 'a.rpm']), reason: 'quiet', fullMirror: false, signal: new AbortController().signal,
    results: [{ target: 'eu', ok: false, durationMs: 5, error: 'rsync exited with code 23' }]
  })
  const line: unknown = JSON.parse(readFileSync(join(dir, 'rounds.jsonl'), 'utf8'))
  t.match(line, { reason: 'quiet', changed: ['a.rpm', 'b.rpm'], results: [{ target: 'eu', ok: false, error: 'rsync exited with code 23' }] })
  const err = await loadError(t, [cfg(example)])
  t.equal(err.failure, 'factory-failed')
  t.match(err.message, /"file" is required/)
})
