/**
 * Push mode: [global] (root, timing, journal, log), the targets and the
 * plugins. The defaults are documented in README.md, "Configuration reference".
 */
import { stat } from 'node:fs/promises'
import { StemError } from '../exit-codes.js'
import { describe } from '../errors.js'
import { defaultStateBase, stateDirFor, type ConfigContext } from './config-paths.js'
import { formatDuration, MAX_TIMER_MS } from './durations.js'
import type { IniDocument } from './ini-document.js'
import { LOG_KEYS, readLogSettings } from './log-settings.js'
import { isPluginSection, readPlugins } from './push-plugins.js'
import { readTargets, TARGET_KEYS } from './push-targets.js'
import { SectionReader } from './section-reader.js'
import type { PushConfig } from './types.js'

const GLOBAL_KEYS: ReadonlySet<string> = new Set([
  'root', 'timeout', 'max_wait', 'retry_min', 'retry_max', 'shutdown_grace', 'target_timeout',
  'state_dir', 'lazy', ...LOG_KEYS, ...TARGET_KEYS
])

const timer = { maxMs: MAX_TIMER_MS }

export async function readPushConfig (doc: IniDocument, c: ConfigContext): Promise<PushConfig> {
  const g = new SectionReader(doc, 'global')
  const root = await readRoot(g, c.dir)
  const quietMs = g.duration('timeout', 100_000, timer)
  // Ten quiet periods, at least ten minutes: a folder that never goes quiet still syncs regularly.
  const maxWaitMs = g.duration('max_wait', Math.min(Math.max(10 * quietMs, 600_000), MAX_TIMER_MS), timer)
  if (maxWaitMs < quietMs) {
    throw g.fail('max_wait', `${formatDuration(maxWaitMs)} is shorter than timeout (${formatDuration(quietMs)})`)
  }
  const retryMinMs = g.duration('retry_min', 5000, { ...timer, minMs: 1 })
  const retryMaxMs = g.duration('retry_max', Math.max(300_000, retryMinMs), timer)
  if (retryMaxMs < retryMinMs) {
    throw g.fail('retry_max', `${formatDuration(retryMaxMs)} is shorter than retry_min (${formatDuration(retryMinMs)})`)
  }
  const shutdownGraceMs = g.duration('shutdown_grace', 60_000, timer)
  const plugins = readPlugins(doc)
  const { targets, warnings } = await readTargets(doc, g, root, c.dir, c.env)
  if (plugins.length === 0 && targets.length === 0) {
    throw new StemError('nothingToDo', `${c.file}: neither a [target] nor a [plugin] is configured, so there is nothing to do`)
  }
  return Object.freeze({
    mode: 'push',
    file: c.file,
    root,
    quietMs,
    maxWaitMs,
    retryMinMs,
    retryMaxMs,
    shutdownGraceMs,
    lazy: g.boolean('lazy', false),
    // An explicit state_dir is used as is; the default gets one folder per root.
    stateDir: g.path('state_dir', c.dir) ?? stateDirFor(defaultStateBase(c), root),
    log: readLogSettings(g, c.dir),
    plugins: Object.freeze(plugins),
    targets,
    warnings: Object.freeze([...g.unknownKeys(GLOBAL_KEYS), ...warnings, ...sectionWarnings(doc)])
  })
}

async function readRoot (g: SectionReader, dir: string): Promise<string> {
  const root = g.path('root', dir)
  if (root === undefined) throw g.fail('root', 'missing (the folder the mount shows and mirrors to the targets)')
  try {
    const st = await stat(root)
    if (!st.isDirectory()) throw g.fail('root', `${root} is not a directory`, 'rootMissing')
  } catch (err) {
    if (err instanceof StemError) throw err
    const reason = (err as { code?: unknown }).code === 'ENOENT' ? 'does not exist' : `cannot be used: ${describe(err)}`
    throw g.fail('root', `${root} ${reason}`, 'rootMissing')
  }
  return root
}

/** Sections push mode does not read, e.g. pull file sections in a shared file. */
function sectionWarnings (doc: IniDocument): string[] {
  return doc.sectionNames()
    .filter(s => s !== 'global' && s !== 'target' && !s.startsWith('target:') && !isPluginSection(s))
    .map(s => `${doc.file}:${doc.section(s)?.line ?? 0}: [${s}] is not used in push mode, ignored`)
}
