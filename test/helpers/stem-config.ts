/**
 * Config files for end-to-end runs of `stem`: INI text from plain objects,
 * and a [global] section with test timings (1 s quiet time, fast retries, a
 * short shutdown grace), an explicit state_dir and a log file in the test's
 * own folder, so parallel test files never share a journal or a log.
 */
import { writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'

export type Section = Readonly<Record<string, string | number | undefined>>
export type Sections = Readonly<Record<string, Section>>

/** The recording plugin of test/fixtures: one JSON line per round. */
export const RECORDER_PLUGIN = fileURLToPath(new URL('../fixtures/e2e-plugin.mjs', import.meta.url))

/** The folders one e2e test owns; see stemDirs in stem.ts. */
export interface StemPaths {
  readonly base: string
  readonly root: string
  readonly mnt: string
  readonly target: string
  readonly state: string
  readonly log: string
  readonly config: string
  /** Where the recording plugin appends its lines. */
  readonly rounds: string
}

/** INI text; keys whose value is undefined are left out. */
export function iniText (sections: Sections): string {
  const out: string[] = []
  for (const [name, keys] of Object.entries(sections)) {
    out.push(`[${name}]`)
    for (const [k, v] of Object.entries(keys)) if (v !== undefined) out.push(`${k}: ${v}`)
    out.push('')
  }
  return out.join('\n')
}

/** [global] for a test: short timings, state and log inside the test folder; `over` wins. */
export function testGlobal (p: StemPaths, over: Section = {}): Section {
  return {
    root: p.root,
    state_dir: p.state,
    log: p.log,
    timeout: 1,
    retry_min: '500ms',
    retry_max: '2s',
    shutdown_grace: '10s',
    ...over
  }
}

/** The recording plugin's section, writing to p.rounds. */
export function recorderSection (p: StemPaths): Section {
  return { name: RECORDER_PLUGIN, file: p.rounds }
}

/** Writes the config to p.config (or `file`) and returns its path. */
export async function writeStemConfig (p: StemPaths, sections: Sections, file = p.config): Promise<string> {
  await writeFile(file, iniText(sections))
  return file
}
