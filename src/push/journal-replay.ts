/**
 * Rebuilds the journal's state from the log a previous run left behind, and
 * decides what that run may have lost.
 *
 * Records are appended in groups (see journal.ts), so a crash can lose the
 * last few tens of milliseconds of records, of writes the application saw
 * succeed. A log that does not end in a clean-close line therefore owes every
 * target a full mirror, as does a log with an unreadable line before its end.
 * A torn last line alone was never acknowledged and is just dropped.
 */
import { readFile } from 'node:fs/promises'
import { JOURNAL_VERSION, parseLog, type JournalEntry } from './journal-entry.js'
import { JournalState } from './journal-state.js'
import type { Logger } from '../logger.js'

export interface Replayed {
  readonly state: JournalState
  /** Targets owed a full mirror because they are new since the last run. */
  readonly added: readonly string[]
  /** Targets dropped because the config no longer has them. */
  readonly removed: readonly string[]
  /** The previous run did not close the log: every target is owed a full mirror. */
  readonly unclean: boolean
}

async function readLog (file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}

function headerOf (entries: readonly JournalEntry[], file: string): { labels: readonly string[] } | undefined {
  const first = entries[0]
  if (first === undefined || !('v' in first)) return undefined
  if (first.v > JOURNAL_VERSION) {
    // Replaying a format we do not know could clear records it meant to keep.
    throw new Error(`${file} was written by a newer stalk (journal version ${first.v}); move it away to start afresh`)
  }
  return first
}

export async function replayJournal (file: string, labels: readonly string[], log: Logger): Promise<Replayed> {
  const text = await readLog(file)
  const state = new JournalState(labels)
  if (text === undefined) {
    // A first run knows nothing about what the targets hold.
    for (const l of labels) state.apply({ s: state.seq + 1, all: l })
    return { state, added: labels, removed: [], unclean: false }
  }
  const parsed = parseLog(text)
  const header = headerOf(parsed.entries, file)
  for (const e of parsed.entries) state.apply(e)
  const known = new Set(header?.labels ?? [])
  const added = labels.filter(l => !known.has(l))
  const removed = [...known].filter(l => !labels.includes(l))
  const last = parsed.entries.at(-1)
  const unclean = parsed.corrupt || header === undefined || last === undefined || !('c' in last)
  for (const l of unclean ? labels : added) state.apply({ s: state.seq + 1, all: l })
  if (parsed.corrupt || header === undefined) log.warn({ file }, 'journal has unreadable lines: every target gets a full mirror')
  else if (unclean) log.warn({ file, torn: parsed.torn }, 'stalk did not stop cleanly: every target gets a full mirror')
  if (added.length > 0) log.info({ targets: added }, 'new targets get a full mirror')
  if (removed.length > 0) log.info({ targets: removed }, 'targets no longer configured: their pending changes are dropped')
  return { state, added, removed, unclean }
}
