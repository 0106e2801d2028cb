/**
 * loadConfig: reads a stalk config file (Python ConfigParser's INI dialect,
 * so the original's files load unchanged) and returns the typed, frozen
 * config for one mode. Every refusal is a StemError whose exit code tells
 * scripts what went wrong and whose message names the file and, where it
 * applies, the line, section and key.
 */
import { readFile, stat } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { StemError } from '../exit-codes.js'
import type { ConfigContext } from './config-paths.js'
import { parseIni } from './ini-parser.js'
import { readPullConfig } from './pull-config.js'
import { readPushConfig } from './push-config.js'
import { exposedSecretsWarning } from './secret-exposure.js'
import type { PullConfig, PushConfig } from './types.js'

export interface LoadOptions {
  /** For secrets (STALK_*) and XDG_STATE_HOME/HOME; default process.env. */
  readonly env?: NodeJS.ProcessEnv
  /** Decides the default state folder (0: /var/lib/stalk); default process.getuid(). */
  readonly uid?: number
  /** The home folder for the default state folder; default $HOME, then os.homedir(). */
  readonly home?: string
}

export function loadConfig (file: string, mode: 'push', o?: LoadOptions): Promise<PushConfig>
export function loadConfig (file: string, mode: 'pull', o?: LoadOptions): Promise<PullConfig>
export function loadConfig (file: string, mode: 'push' | 'pull', o?: LoadOptions): Promise<PushConfig | PullConfig>
export async function loadConfig (file: string, mode: 'push' | 'pull', o: LoadOptions = {}): Promise<PushConfig | PullConfig> {
  const abs = resolve(file)
  const text = await readText(abs)
  const doc = parseIni(text, abs)
  const c: ConfigContext = {
    file: abs,
    dir: dirname(abs),
    env: o.env ?? process.env,
    uid: o.uid ?? process.getuid?.() ?? -1,
    ...(o.home === undefined ? {} : { home: o.home })
  }
  const config = mode === 'push' ? await readPushConfig(doc, c) : await readPullConfig(doc, c)
  // The file was just read, so a stat that fails now is a race not worth a refusal.
  const st = await stat(abs).catch(() => undefined)
  const exposed = st === undefined ? undefined : exposedSecretsWarning(doc, abs, st.mode)
  return exposed === undefined ? config : Object.freeze({ ...config, warnings: Object.freeze([...config.warnings, exposed]) })
}

async function readText (file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8')
  } catch (err) {
    throw new StemError('configUnreadable', `${file}: cannot read the config file: ${osReason(err)}`, { cause: err })
  }
}

/** "ENOENT: no such file or directory" without Node's ", open '/path'" tail, as the path is already said. */
function osReason (err: unknown): string {
  const message = err instanceof Error ? err.message : String(err)
  return message.replace(/, \w+ '.*'$/, '')
}
