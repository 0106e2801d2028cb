/**
 * Loads the plugins a push config names, in config order: resolve the name,
 * import the module, call its factory with the section's options, check the
 * result, run `init`. Any failure is a PluginLoadError naming the section;
 * the plugins loaded before it are closed again, so a refused mount leaves
 * nothing running.
 */
import { dirname } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Logger, PluginContext, PluginFactory, StalkPlugin } from '../../plugins/api.js'
import type { PluginConfig } from '../config/types.js'
import { isStalkPlugin, pickFactory, pluginProblems } from './check-plugin.js'
import { closePlugins } from './close-plugins.js'
import { PluginLoadError, messageOf, type PluginLoadFailure } from './plugin-load-error.js'
import { resolvePlugin, type ResolvedPlugin } from './resolve-plugin.js'

export interface LoadPluginsContext {
  /** The config file, absolute: relative plugin paths start at its folder. */
  readonly configFile: string
  readonly root: string
  readonly mountpoint: string
  readonly log: Logger
  readonly signal: AbortSignal
}

type Fail = (failure: PluginLoadFailure, detail: string, extra?: { tried?: readonly string[]; cause?: unknown }) => PluginLoadError

export async function loadPlugins (configs: readonly PluginConfig[], ctx: LoadPluginsContext): Promise<StalkPlugin[]> {
  const loaded: StalkPlugin[] = []
  try {
    for (const config of configs) {
      ctx.signal.throwIfAborted()
      loaded.push(await loadPlugin(config, ctx))
    }
    return loaded
  } catch (err) {
    await closePlugins(loaded, ctx.log)
    throw err
  }
}

async function loadPlugin (config: PluginConfig, ctx: LoadPluginsContext): Promise<StalkPlugin> {
  const fail: Fail = (failure, detail, extra) =>
    new PluginLoadError({ configFile: ctx.configFile, section: config.section, pluginName: config.name, failure, detail, ...extra })
  const pctx: PluginContext = {
    root: ctx.root,
    mountpoint: ctx.mountpoint,
    configDir: dirname(ctx.configFile),
    log: ctx.log.child({ plugin: config.section }),
    signal: ctx.signal
  }
  const factory = await findFactory(config.name, pctx.configDir, fail)
  let plugin: unknown
  try {
    plugin = await factory(config.options, pctx)
  } catch (err) {
    throw fail('factory-failed', `the plugin refused its options: ${messageOf(err)}`, { cause: err })
  }
  if (!isStalkPlugin(plugin)) throw fail('bad-shape', `not a valid stalk plugin: ${pluginProblems(plugin).join('; ')}`)
  try {
    await plugin.init?.(pctx)
  } catch (err) {
    // init may have opened something before it threw
    await closePlugins([plugin], ctx.log)
    throw fail('init-failed', `init failed: ${messageOf(err)}`, { cause: err })
  }
  ctx.log.debug({ plugin: plugin.name, section: config.section }, 'plugin loaded')
  return plugin
}

async function findFactory (name: string, configDir: string, fail: Fail): Promise<PluginFactory> {
  let found: ResolvedPlugin
  try {
    found = await resolvePlugin(name, configDir)
  } catch (err) {
    // e.g. a package.json that is not valid JSON
    throw fail('import-failed', `resolving the plugin failed: ${messageOf(err)}`, { cause: err })
  }
  if (found.kind === 'builtin') return found.factory
  if (found.kind === 'not-found') throw fail('not-found', found.detail, { tried: found.tried })
  let mod: unknown
  try {
    mod = await import(pathToFileURL(found.file).href)
  } catch (err) {
    throw fail('import-failed', `importing ${found.file} threw: ${messageOf(err)}`, { cause: err })
  }
  const factory = pickFactory(mod)
  if (typeof factory === 'string') throw fail('bad-shape', `${found.file}: ${factory}`)
  return factory
}
