/**
 * The lines of the journal log (one JSON object per line), and a parser that
 * trusts nothing it reads back from disk.
 *
 *   {"v":1,"labels":["us","eu"],"seq":41}   header: the first line; the targets and seq counter at compaction
 *   {"s":42,"p":"a/b.rpm"}                  path recorded with sequence number 42, pending for every target
 *   {"s":42,"p":"a/b.rpm","l":["eu"]}       the same, pending only for the listed targets (written by compaction)
 *   {"s":43,"all":"eu"}                     target "eu" needs a full mirror (new target, or after a crash)
 *   {"d":"us","u":43,"p":["a/b.rpm"]}       "us" received these paths as recorded up to seq 43
 *   {"d":"us","u":43,"all":true}            "us" received a full mirror of root as of seq 43
 *   {"c":1}                                 clean close: the log is complete
 */

export const JOURNAL_VERSION = 1

export type JournalEntry =
  | { readonly v: number; readonly labels: readonly string[]; readonly seq: number }
  | { readonly s: number; readonly p: string; readonly l?: readonly string[] }
  | { readonly s: number; readonly all: string }
  | { readonly d: string; readonly u: number; readonly p: readonly string[] }
  | { readonly d: string; readonly u: number; readonly all: true }
  | { readonly c: 1 }

type Obj = Record<string, unknown>

const isStrings = (x: unknown): x is string[] => Array.isArray(x) && x.every(e => typeof e === 'string')
const isSeq = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) >= 0

function header (o: Obj): JournalEntry | undefined {
  const { v, labels, seq } = o
  return typeof v === 'number' && isStrings(labels) && isSeq(seq) ? { v, labels, seq } : undefined
}

function recorded (o: Obj): JournalEntry | undefined {
  const { s, p, l, all } = o
  if (!isSeq(s)) return undefined
  if (typeof all === 'string') return { s, all }
  if (typeof p !== 'string') return undefined
  if (l === undefined) return { s, p }
  return isStrings(l) ? { s, p, l } : undefined
}

function delivered (o: Obj): JournalEntry | undefined {
  const { d, u, p, all } = o
  if (typeof d !== 'string' || !isSeq(u)) return undefined
  if (all === true) return { d, u, all }
  return isStrings(p) ? { d, u, p } : undefined
}

/** One line as an entry, or undefined when it is torn or not ours. */
export function parseEntry (line: string): JournalEntry | undefined {
  let o: unknown
  try {
    o = JSON.parse(line)
  } catch {
    return undefined
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return undefined
  const obj = o as Obj
  if ('v' in obj) return header(obj)
  if ('s' in obj) return recorded(obj)
  if ('d' in obj) return delivered(obj)
  return obj['c'] === 1 ? { c: 1 } : undefined
}

export function formatEntry (e: JournalEntry): string {
  return JSON.stringify(e) + '\n'
}

export interface ParsedLog {
  readonly entries: readonly JournalEntry[]
  /** A line other than the last was unreadable: the log cannot be trusted in full. */
  readonly corrupt: boolean
  /** The last line was cut short (a crash mid-append): it was never acknowledged, so it is dropped. */
  readonly torn: boolean
}

export function parseLog (text: string): ParsedLog {
  const lines = text.split('\n')
  // After a complete log the split leaves one empty string; anything else there is a torn append.
  const last = lines.pop() ?? ''
  const entries: JournalEntry[] = []
  let corrupt = false
  for (const line of lines) {
    if (line === '') continue
    const e = parseEntry(line)
    if (e === undefined) corrupt = true
    else entries.push(e)
  }
  return { entries, corrupt, torn: last !== '' }
}
