/**
 * The plugins that ship inside stalk, by the names a config may give them.
 * `command_plugin` is the original stalk's name for `command`; a package
 * cannot take one of these names.
 */
import type { PluginFactory } from '../../plugins/api.js'
import { plugin as command } from '../../plugins/command.js'
import { plugin as nullPlugin } from '../../plugins/null.js'

export const builtinPlugins: ReadonlyMap<string, PluginFactory> = new Map([
  ['command', command],
  ['command_plugin', command],
  ['null', nullPlugin]
])
