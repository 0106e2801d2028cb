/**
 * Reads the command plugin's `[plugin]` keys. `command` names the program;
 * the reserved keys below tune how it runs; every other key is arguments,
 * in the order of the key names (as the original command_plugin did), and
 * the root folder is always the last argument.
 */
import { isAbsolute, resolve } from 'node:path'
import { splitWords } from '../src/config/split-words.js'

export type OnFailure = 'continue' | 'abort'

export interface CommandSettings {
  readonly program: string
  /** Every argument except the root, which the plugin appends last. */
  readonly args: readonly string[]
  readonly cwd: string
  readonly timeoutMs: number
  readonly onFailure: OnFailure
}

/** Keys that configure the plugin instead of becoming arguments. */
export const reservedKeys: readonly string[] = ['name', 'command', 'timeout', 'on_failure', 'cwd']

export const defaultTimeoutMs = 10 * 60_000

const units: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/** Parses the options map; throws an Error naming the bad key. */
export function parseCommandSettings (options: ReadonlyMap<string, string>, root: string): CommandSettings {
  const words = splitKey(options, 'command')
  const program = words[0]
  if (program === undefined || program === '') throw new Error('the key "command" is required: the program to run, e.g. createrepo')
  const keys = [...options.keys()].filter(k => !reservedKeys.includes(k)).sort()
  const args = [...words.slice(1), ...keys.flatMap(k => splitKey(options, k))]
  const cwdValue = options.get('cwd')
  return {
    program,
    args,
    // a relative cwd is taken from root, the folder the command works on
    cwd: cwdValue === undefined || cwdValue === '' ? root : isAbsolute(cwdValue) ? cwdValue : resolve(root, cwdValue),
    timeoutMs: parseTimeout(options.get('timeout')),
    onFailure: parseOnFailure(options.get('on_failure'))
  }
}

function splitKey (options: ReadonlyMap<string, string>, key: string): string[] {
  try {
    return splitWords(options.get(key) ?? '')
  } catch (err) {
    throw new Error(`the key "${key}": ${(err as Error).message}`)
  }
}

/** Seconds (`600`, `1.5`) or a number with a unit (`500ms`, `30s`, `10m`, `1h`). */
export function parseTimeout (value: string | undefined): number {
  if (value === undefined || value.trim() === '') return defaultTimeoutMs
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(value.trim())
  const ms = m === null ? NaN : Number(m[1]) * (units[m[2] ?? 's'] ?? NaN)
  if (!(ms > 0)) throw new Error(`the key "timeout" must be a duration above zero such as 600 or 10m, not "${value}"`)
  return Math.round(ms)
}

function parseOnFailure (value: string | undefined): OnFailure {
  const v = (value ?? '').trim().toLowerCase()
  if (v === '' || v === 'continue') return 'continue'
  if (v === 'abort') return 'abort'
  throw new Error(`the key "on_failure" must be "continue" or "abort", not "${value ?? ''}"`)
}
