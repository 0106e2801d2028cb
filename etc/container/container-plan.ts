/**
 * What the container entrypoint mounts, from its environment alone: either
 * a mounted config file (STALK_CONFIG) or a config object built from a few
 * STALK_* variables, which the config loader then validates like a file
 * (messages name "STALK_* environment" and the INI section and key). A
 * problem with the variables themselves is a StemError with exit code 2,
 * the container's equivalent of a bad command line.
 *
 * Credentials never pass through here: the loader reads them from the same
 * environment (STALK_<SECTION>_<KEY>, e.g. STALK_MOTD_PASSWORD for the file
 * section [motd]), and the S3 SDK reads AWS_* itself.
 */
import { isAbsolute } from 'node:path'
import type { ConfigObject, ConfigSection } from '../../src/config/config-object.js'
import { StemError } from '../../src/exit-codes.js'
import type { Verbosity } from '../../src/log/create-logger.js'

export const ENV_CONFIG_LABEL = 'STALK_* environment'

export interface ContainerPlan {
  readonly mode: 'push' | 'pull'
  /** A config file's path (STALK_CONFIG), or the config built from the variables. */
  readonly config: string | ConfigObject
  readonly mountpoint: string
  /** Written once the mount is live, removed when it stops: the readiness signal. */
  readonly readyFile: string
  readonly allowOther: boolean
  /** The device name `mount` shows. */
  readonly name: string
  readonly logLevel: Verbosity
}

/** Variables that build a config; none may be set together with STALK_CONFIG. */
const BUILDERS = {
  push: ['STALK_ROOT', 'STALK_TARGET', 'STALK_TIMEOUT', 'STALK_STATE_DIR', 'STALK_SHUTDOWN_GRACE', 'STALK_LAZY'],
  pull: ['STALK_ORIGIN', 'STALK_NAME', 'STALK_ORIGINS', 'STALK_CACHEDIR', 'STALK_CACHETIME', 'STALK_CACHE_MAX_SIZE',
    'STALK_LAZY', 'STALK_ENDPOINT', 'STALK_REGION', 'STALK_SSH_KEY', 'STALK_SSH_KNOWN_HOSTS']
} as const

/** Push variable → [global] key; pull ones are mapped in pullConfig. */
const PUSH_GLOBAL = { STALK_TIMEOUT: 'timeout', STALK_STATE_DIR: 'state_dir', STALK_SHUTDOWN_GRACE: 'shutdown_grace', STALK_LAZY: 'lazy' } as const
const PULL_GLOBAL = {
  STALK_CACHEDIR: 'cachedir', STALK_CACHE_MAX_SIZE: 'cache_max_size', STALK_LAZY: 'lazy', STALK_ENDPOINT: 'endpoint',
  STALK_REGION: 'region', STALK_SSH_KEY: 'ssh_key', STALK_SSH_KNOWN_HOSTS: 'ssh_known_hosts'
} as const

export function containerPlan (env: NodeJS.ProcessEnv): ContainerPlan {
  const get = (name: string): string | undefined => {
    const v = env[name]?.trim()
    return v === undefined || v === '' ? undefined : v
  }
  const mode = get('STALK_MODE') ?? 'push'
  if (mode !== 'push' && mode !== 'pull') throw usage(`STALK_MODE: "${mode}" is neither push nor pull`)
  const mountpoint = absolute('STALK_MOUNTPOINT', get('STALK_MOUNTPOINT'), 'where to mount, shared with the other containers')
  const file = get('STALK_CONFIG')
  const set = [...new Set([...BUILDERS.push, ...BUILDERS.pull])].filter(n => get(n) !== undefined)
  if (file !== undefined && set.length > 0) throw usage(`STALK_CONFIG is set, and so is ${set.join(', ')}: give the config file or the variables, not both`)
  const other = set.filter(n => !(BUILDERS[mode] as readonly string[]).includes(n))
  if (other.length > 0) throw usage(`${other.join(', ')}: not used in ${mode} mode (STALK_MODE=${mode})`)
  const config = file !== undefined
    ? absolute('STALK_CONFIG', file, 'the config file')
    : mode === 'push' ? pushConfig(get) : pullConfig(get)
  const logLevel = get('STALK_LOG_LEVEL') ?? 'info'
  if (logLevel !== 'warn' && logLevel !== 'info' && logLevel !== 'debug') throw usage(`STALK_LOG_LEVEL: "${logLevel}" is not warn, info or debug`)
  const allowOther = get('STALK_ALLOW_OTHER') ?? 'yes'
  if (allowOther !== 'yes' && allowOther !== 'no') throw usage(`STALK_ALLOW_OTHER: "${allowOther}" is not yes or no`)
  return {
    mode, config, mountpoint, logLevel, allowOther: allowOther === 'yes',
    readyFile: absolute('STALK_READY_FILE', get('STALK_READY_FILE') ?? '/run/stalk/ready', 'the readiness file'),
    name: get('STALK_FSNAME') ?? 'stalk'
  }
}

type Get = (name: string) => string | undefined

function pushConfig (get: Get): ConfigObject {
  const root = absolute('STALK_ROOT', get('STALK_ROOT'), 'the folder behind the mount')
  const target = get('STALK_TARGET')
  if (target === undefined) throw usage('STALK_TARGET: missing (DEST, or LABEL=DEST;LABEL=DEST… for several targets)')
  const targets: Record<string, string> = {}
  for (const [label, dest] of pairs('STALK_TARGET', target, 'target')) targets[label] = dest
  return { global: { root, ...mapped(get, PUSH_GLOBAL) }, targets }
}

function pullConfig (get: Get): ConfigObject {
  const origin = get('STALK_ORIGIN')
  const origins = get('STALK_ORIGINS')
  if (origin !== undefined && origins !== undefined) throw usage('STALK_ORIGIN and STALK_ORIGINS are both set: give one file, or the list')
  let files: Array<readonly [string, string]>
  if (origins !== undefined) {
    if (get('STALK_NAME') !== undefined) throw usage('STALK_NAME names the file of STALK_ORIGIN; in STALK_ORIGINS each entry is NAME=ORIGIN')
    files = pairs('STALK_ORIGINS', origins, undefined)
  } else {
    if (origin === undefined) throw usage('STALK_ORIGIN (with STALK_NAME) or STALK_ORIGINS (NAME=ORIGIN;…): missing, nothing to serve')
    const name = get('STALK_NAME') ?? origin.replace(/\/+$/, '').split('/').pop() ?? ''
    files = [[name, origin]]
  }
  const sections: Record<string, ConfigSection> = {}
  // A file's section is named after the file, so its secrets are STALK_<NAME>_PASSWORD and the like.
  for (const [name, o] of files) sections[name] = { name, origin: o }
  const cachetime = get('STALK_CACHETIME')
  return { ...(cachetime === undefined ? {} : { DEFAULT: { cachetime } }), global: mapped(get, PULL_GLOBAL), ...sections }
}

function mapped (get: Get, table: Readonly<Record<string, string>>): ConfigSection {
  const out: Record<string, string> = {}
  for (const [name, key] of Object.entries(table)) {
    const v = get(name)
    if (v !== undefined) out[key] = v
  }
  return out
}

const LABEL = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/

/**
 * "A=x;B=y" (newlines work as well as ';') into pairs. An entry without a
 * label-like text before '=' is one bare value, labelled `bare` when that
 * is allowed (a single STALK_TARGET needs no label).
 */
function pairs (name: string, text: string, bare: string | undefined): Array<readonly [string, string]> {
  const entries = text.split(/[;\n]/).map(e => e.trim()).filter(e => e !== '')
  const out: Array<readonly [string, string]> = []
  for (const entry of entries) {
    const eq = entry.indexOf('=')
    const label = eq > 0 ? entry.slice(0, eq).trim() : ''
    if (LABEL.test(label)) out.push([label, entry.slice(eq + 1).trim()])
    else if (bare !== undefined && entries.length === 1) out.push([bare, entry])
    else throw usage(`${name}: "${entry}" is not LABEL=VALUE (a label is letters, digits, '.', '_' or '-')`)
  }
  const seen = new Set<string>()
  for (const [label] of out) {
    if (seen.has(label.toLowerCase())) throw usage(`${name}: "${label}" appears twice`)
    seen.add(label.toLowerCase())
  }
  return out
}

function absolute (name: string, value: string | undefined, what: string): string {
  if (value === undefined) throw usage(`${name}: missing (${what})`)
  if (!isAbsolute(value)) throw usage(`${name}: "${value}" is not an absolute path`)
  return value
}

function usage (message: string): StemError {
  return new StemError('usage', message)
}
