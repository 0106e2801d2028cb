/**
 * Plugins: [plugin] and every [plugin:NAME], in file order. `name` says what
 * to load; in [plugin:NAME] it defaults to NAME. The options a plugin gets
 * are the section's own keys except `name` (never [DEFAULT]'s, which belong
 * to pull file sections), in file order, interpolated.
 */
import { StemError } from '../exit-codes.js'
import type { IniDocument } from './ini-document.js'
import type { PluginConfig } from './types.js'

export function isPluginSection (section: string): boolean {
  return section === 'plugin' || section.startsWith('plugin:')
}

export function readPlugins (doc: IniDocument): PluginConfig[] {
  return doc.sectionNames().filter(isPluginSection).map(section => {
    // Only an own `name` counts: a [DEFAULT] name is a pull file name, not a plugin.
    const written = doc.isOwn(section, 'name') ? doc.get(section, 'name') ?? '' : undefined
    const name = written ?? section.slice('plugin:'.length).trim()
    if (name === '') {
      const why = section === 'plugin'
        ? 'missing (the plugin to load, e.g. command_plugin)'
        : written === undefined ? 'missing (write [plugin:NAME] or a name key)' : 'empty'
      throw new StemError('configInvalid', `${doc.file}: [${section}] name: ${why}`)
    }
    const options = new Map<string, string>()
    for (const key of doc.ownKeys(section)) {
      if (key !== 'name') options.set(key, doc.get(section, key) ?? '')
    }
    return Object.freeze({ section, name, options })
  })
}
