/**
 * Push targets: each own key of [target] is a label and its value a
 * destination; an optional [target:LABEL] holds that target's ssh/rsync
 * settings, falling back to the same keys in [global]. Keys inherited from
 * [DEFAULT] never become labels. A destination that is root, inside root or
 * around root is refused: rsync --delete would then eat the root itself.
 */
import { isAbsolute } from 'node:path'
import { StemError } from '../exit-codes.js'
import { canonicalPath, localPathOf, overlapOf } from './config-paths.js'
import { MAX_TIMER_MS } from './durations.js'
import type { IniDocument } from './ini-document.js'
import { isStoreDestination, readStoreKeys, REMOTE_TARGET_KEYS } from './remote-target-keys.js'
import { SectionReader } from './section-reader.js'
import { splitWords } from './split-words.js'
import { readSshSettings } from './ssh-settings.js'
import type { TargetConfig } from './types.js'

/** Keys of [target:X], also accepted in [global] as defaults (except `timeout`). */
export const TARGET_KEYS: ReadonlySet<string> = new Set([
  'ssh_command', 'ssh_port', 'ssh_user', 'ssh_key', 'ssh_known_hosts', 'ssh_options',
  'rsync_options', 'password_file', 'timeout', ...REMOTE_TARGET_KEYS
])

export interface TargetsResult {
  readonly targets: readonly TargetConfig[]
  readonly warnings: readonly string[]
}

/**
 * Reads [target] and every [target:X]; `global` supplies defaults, `root` is absolute.
 * `env` supplies secrets of s3:// and sftp:// targets (STALK_TARGET_<LABEL>_<KEY>).
 */
export async function readTargets (doc: IniDocument, global: SectionReader, root: string, dir: string,
  env: NodeJS.ProcessEnv = process.env): Promise<TargetsResult> {
  const labels = doc.ownKeys('target')
  const sections = targetSections(doc, labels)
  const warnings = [...sections.values()].flatMap(s => new SectionReader(doc, s).unknownKeys(TARGET_KEYS))
  const defaultTimeoutMs = global.duration('target_timeout', 3_600_000, { minMs: 1, maxMs: MAX_TIMER_MS })
  const where = new SectionReader(doc, 'target')
  const targets: TargetConfig[] = []
  for (const label of labels) {
    const destination = doc.get('target', label) ?? ''
    if (destination === '') throw where.fail(label, 'empty destination (e.g. host:/path)')
    await refuseRoot(where, label, destination, root)
    // Without its own section a target reads a section that does not exist: all [global] defaults.
    const section = sections.get(label) ?? `target:${label}`
    const cfg = readTarget(new SectionReader(doc, section), global, label, destination, dir, defaultTimeoutMs)
    const store = isStoreDestination(destination)
      ? await readStoreKeys(new SectionReader(doc, section, global), global, { dir, root, env })
      : {}
    targets.push(Object.freeze({ ...cfg, ...store }))
  }
  return { targets: Object.freeze(targets), warnings }
}

/** Label → its [target:X] section; refuses a section for an unknown label or a second one for a label. */
function targetSections (doc: IniDocument, labels: readonly string[]): Map<string, string> {
  const sectionOf = new Map<string, string>()
  for (const section of doc.sectionNames().filter(s => s.startsWith('target:'))) {
    // Labels are keys, which ConfigParser lower-cases; the section name keeps its case.
    const label = section.slice('target:'.length).trim().toLowerCase()
    if (!labels.includes(label)) {
      throw new StemError('configInvalid',
        `${doc.file}: [${section}]: there is no target "${label}" in [target] (labels there: ${labels.join(', ') || 'none'})`)
    }
    const first = sectionOf.get(label)
    if (first !== undefined) {
      throw new StemError('configInvalid', `${doc.file}: [${section}]: target "${label}" is already configured in [${first}]`)
    }
    sectionOf.set(label, section)
  }
  return sectionOf
}

function readTarget (own: SectionReader, global: SectionReader, label: string, destination: string,
  dir: string, defaultTimeoutMs: number): TargetConfig {
  const r = new SectionReader(own.doc, own.section, global)
  const rsync = r.convert('rsync_options', [], splitWords)
  const passwordFile = r.path('password_file', dir)
  return Object.freeze({
    label,
    destination,
    ssh: readSshSettings({
      string: k => r.string(k), path: k => r.path(k, dir), convert: (k, parse) => r.convert(k, undefined, parse)
    }),
    rsyncOptions: Object.freeze(rsync),
    ...(passwordFile === undefined ? {} : { passwordFile }),
    // [global] timeout is the quiet time, so the per-target default is [global] target_timeout.
    timeoutMs: own.duration('timeout', defaultTimeoutMs, { minMs: 1, maxMs: MAX_TIMER_MS })
  })
}

async function refuseRoot (where: SectionReader, label: string, destination: string, root: string): Promise<void> {
  const local = localPathOf(destination)
  if (local === undefined) return
  if (!isAbsolute(local)) {
    // rsync would resolve it against the daemon's working folder, which nobody means.
    throw where.fail(label, `"${destination}" is a relative local path; write it absolute`)
  }
  const overlap = overlapOf(await canonicalPath(local), await canonicalPath(root))
  if (overlap === undefined) return
  const how = overlap === 'same'
    ? 'is the root folder itself'
    : overlap === 'inside' ? `is inside the root folder ${root}` : `contains the root folder ${root}`
  throw where.fail(label, `"${destination}" ${how}; a target must be outside root`, 'targetIsRoot')
}
