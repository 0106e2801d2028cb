/**
 * Pull mode: [global] (cachedir, log) and one section per file in the mount.
 * Every section other than global, DEFAULT, target*, plugin* is a file
 * section with `name` (the file name in the mount), `origin` and an optional
 * `cachetime`; all its keys, [DEFAULT]'s included, are passed on as backend
 * options (endpoint, region, ...). An origin ending in '/' is a directory
 * origin: `name` is then a folder holding the remote tree, and
 * `dir_cachetime` (default: the section's cachetime) is how long a folder's
 * listing is served without listing it again.
 */
import { stat } from 'node:fs/promises'
import { describe } from '../errors.js'
import { StemError } from '../exit-codes.js'
import { MAX_TIMER_MS } from './durations.js'
import type { ConfigContext } from './config-paths.js'
import type { IniDocument } from './ini-document.js'
import { LOG_KEYS, readLogSettings } from './log-settings.js'
import { applySecrets, SECRET_KEYS } from './pull-secrets.js'
import { SectionReader } from './section-reader.js'
import type { PullConfig, PullFileConfig } from './types.js'

/** Origin options that [global] may set for every file section (a section's own value wins). */
export const BACKEND_KEYS: readonly string[] = [
  'endpoint', 'region', 'path_style', 'checksums', 'ca', 'http_user',
  'ssh_command', 'ssh_port', 'ssh_user', 'ssh_key', 'ssh_known_hosts', 'ssh_options',
  'strict_host_key_checking', 'password_file',
  ...SECRET_KEYS, ...SECRET_KEYS.map(k => `${k}_file`)
]

const GLOBAL_KEYS: ReadonlySet<string> = new Set(['cachedir', 'cache_max_size', 'op_timeout', 'lazy', ...LOG_KEYS, ...BACKEND_KEYS])
const SCHEMES = ['http', 'https', 's3', 'sftp', 'rsync']
const SCHEME_HINT = 'use http://, https://, s3://, sftp://, rsync:// or host:/path'
const URL_SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//
// rsync/scp's remote form: [user@]host:/path, host possibly a bracketed IPv6 address.
const HOST_PATH = /^(?:[^@\s/:]+@)?(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):\//

function isPushSection (s: string): boolean {
  return s === 'target' || s.startsWith('target:') || s === 'plugin' || s.startsWith('plugin:')
}

export async function readPullConfig (doc: IniDocument, c: ConfigContext): Promise<PullConfig> {
  const g = new SectionReader(doc, 'global')
  const sections = doc.sectionNames().filter(s => s !== 'global' && !isPushSection(s))
  if (sections.length === 0) {
    throw new StemError('configInvalid', `${c.file}: no file sections (a [section] with name and origin) to serve`)
  }
  const globalOptions = await readGlobalOptions(doc, g, c)
  const files: PullFileConfig[] = []
  const sectionOfName = new Map<string, string>()
  for (const section of sections) {
    const f = await readFileSection(doc, section, c, globalOptions)
    const first = sectionOfName.get(f.name)
    if (first !== undefined) {
      throw new StemError('configInvalid', `${c.file}: [${section}] name: "${f.name}" is also the name in [${first}]`)
    }
    sectionOfName.set(f.name, section)
    files.push(f)
  }
  const cachedir = g.path('cachedir', c.dir)
  if (cachedir !== undefined) await checkCachedir(g, cachedir)
  const ignored = doc.sectionNames().filter(isPushSection)
    .map(s => `${c.file}:${doc.section(s)?.line ?? 0}: [${s}] is not used in pull mode, ignored`)
  return Object.freeze({
    mode: 'pull',
    file: c.file,
    ...(cachedir === undefined ? {} : { cachedir }),
    ...(g.string('cache_max_size') === undefined ? {} : { cacheMaxBytes: g.size('cache_max_size', 0) }),
    // a cold read waits for the whole download: no FUSE op timeout shorter than a slow origin
    opTimeoutMs: g.duration('op_timeout', 600_000, { minMs: 1000, maxMs: MAX_TIMER_MS }),
    lazy: g.boolean('lazy', false),
    log: readLogSettings(g, c.dir),
    files: Object.freeze(files),
    warnings: Object.freeze([...g.unknownKeys(GLOBAL_KEYS), ...ignored])
  })
}

/** [global]'s origin options (secrets from files or the environment applied), the base of every file's options. */
async function readGlobalOptions (doc: IniDocument, g: SectionReader, c: ConfigContext): Promise<ReadonlyMap<string, string>> {
  const options = new Map<string, string>()
  if (!doc.has('global')) return options
  for (const key of doc.ownKeys('global')) {
    if (BACKEND_KEYS.includes(key) && !key.endsWith('_file')) options.set(key, doc.get('global', key) ?? '')
  }
  await applySecrets(options, g, c.dir, c.env)
  return options
}

async function readFileSection (doc: IniDocument, section: string, c: ConfigContext,
  globalOptions: ReadonlyMap<string, string>): Promise<PullFileConfig> {
  const r = new SectionReader(doc, section)
  const name = r.required('name', 'the file name in the mount')
  const bad = badName(name)
  if (bad !== undefined) throw r.fail('name', `"${name}" ${bad}`)
  const origin = r.required('origin', 'where the file comes from, e.g. https://host/path')
  checkOrigin(r, origin)
  const cachetimeMs = r.duration('cachetime', 60_000)
  // Only a directory origin has listings; a dir_cachetime in [DEFAULT] must not turn files into folders.
  const dirCachetimeMs = origin.endsWith('/') ? r.duration('dir_cachetime', cachetimeMs) : undefined
  const options = new Map<string, string>(globalOptions)
  for (const key of doc.keys(section)) options.set(key, doc.get(section, key) ?? '')
  await applySecrets(options, r, c.dir, c.env)
  return Object.freeze({ section, name, origin, cachetimeMs, ...(dirCachetimeMs === undefined ? {} : { dirCachetimeMs }), options })
}

/**
 * Refuses a cachedir that cannot be one, before anything is mounted: the
 * cache would otherwise fail at its first mkdir with a bare ENOTDIR. A
 * missing folder is fine (the cache creates it).
 */
async function checkCachedir (g: SectionReader, dir: string): Promise<void> {
  let isDir: boolean
  try {
    isDir = (await stat(dir)).isDirectory()
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return
    if (code === 'ENOTDIR') throw g.fail('cachedir', `${dir} is not a directory (a file is in the way on its path)`)
    throw g.fail('cachedir', `${dir} cannot be used: ${describe(err)}`)
  }
  if (!isDir) throw g.fail('cachedir', `${dir} is not a directory (a file is there); name a folder, or remove the file`)
}

/** Why `name` cannot be a file name directly in the mount's root, or undefined. */
function badName (name: string): string | undefined {
  if (name.includes('/')) return 'must be a plain file name, without "/"'
  if (name === '.' || name === '..') return 'is not a file name'
  if (name.includes('\0')) return 'contains a NUL character'
  if (Buffer.byteLength(name) > 255) return 'is longer than 255 bytes'
  return undefined
}

function checkOrigin (r: SectionReader, origin: string): void {
  const scheme = URL_SCHEME.exec(origin)?.[1]?.toLowerCase()
  if (scheme === undefined) {
    if (!HOST_PATH.test(origin)) throw r.fail('origin', `"${origin}" is not an origin (${SCHEME_HINT})`)
    return
  }
  if (!SCHEMES.includes(scheme)) throw r.fail('origin', `unknown origin scheme "${scheme}://" (${SCHEME_HINT})`)
  let host = ''
  try {
    host = new URL(origin).hostname
  } catch {
    // leave host empty: reported below
  }
  if (host === '') throw r.fail('origin', `"${origin}" is not a valid ${scheme}:// URL with a host`)
}
