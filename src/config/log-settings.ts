/**
 * The log keys shared by both modes: `log` (a file; relative to the config
 * file's folder), `log_max_size` and `log_keep` for rotation.
 */
import type { SectionReader } from './section-reader.js'
import type { LogSettings } from './types.js'

export const LOG_KEYS: readonly string[] = ['log', 'log_max_size', 'log_keep']

/** Default rotation: 10 MiB per file, 5 old files, so a chatty log stays under ~60 MiB. */
export function readLogSettings (global: SectionReader, dir: string): LogSettings {
  const file = global.path('log', dir)
  return Object.freeze({
    ...(file === undefined ? {} : { file }),
    maxBytes: global.size('log_max_size', 10 * 1024 * 1024),
    keep: global.integer('log_keep', 5, 0, 1000)
  })
}
