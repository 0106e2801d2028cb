/**
 * loadConfigObject: the object twin of loadConfig. The object is rendered
 * into the IniDocument a file would parse into (config-object.ts) and read
 * by the same push/pull readers, so both refuse the same things with the
 * same words. Relative paths in an object are relative to the current
 * directory, since there is no file whose folder could anchor them.
 */
import type { ConfigContext } from './config-paths.js'
import { CONFIG_OBJECT_LABEL, configObjectDocument, type ConfigObject } from './config-object.js'
import type { LoadOptions } from './load-config.js'
import { readPullConfig } from './pull-config.js'
import { readPushConfig } from './push-config.js'
import type { PullConfig, PushConfig } from './types.js'

export interface LoadObjectOptions extends LoadOptions {
  /** What messages call the object instead of a file name; default "<config object>". */
  readonly label?: string
}

export function loadConfigObject (config: ConfigObject, mode: 'push', o?: LoadObjectOptions): Promise<PushConfig>
export function loadConfigObject (config: ConfigObject, mode: 'pull', o?: LoadObjectOptions): Promise<PullConfig>
export function loadConfigObject (config: ConfigObject, mode: 'push' | 'pull', o?: LoadObjectOptions): Promise<PushConfig | PullConfig>
export async function loadConfigObject (config: ConfigObject, mode: 'push' | 'pull', o: LoadObjectOptions = {}): Promise<PushConfig | PullConfig> {
  const label = o.label ?? CONFIG_OBJECT_LABEL
  const doc = configObjectDocument(config, label)
  const c: ConfigContext = {
    // `file` only labels messages and the status report; plugins and origins take
    // dirname(file) as their base, which for a label is ".", the current directory too.
    file: label,
    dir: process.cwd(),
    env: o.env ?? process.env,
    uid: o.uid ?? process.getuid?.() ?? -1,
    ...(o.home === undefined ? {} : { home: o.home })
  }
  return mode === 'push' ? await readPushConfig(doc, c) : await readPullConfig(doc, c)
}
