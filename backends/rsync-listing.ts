/**
 * Reads the lines `rsync --list-only` prints, one per file:
 *
 *   -rw-r--r--     12,345,678 2026/11/21 10:00:16 big file.bin
 *   drwxr-xr-x          4,096 2026/11/21 10:00:16 d
 *
 * The size is grouped with ',' by default since rsync 3.1 (or '.' in a locale
 * whose decimal mark is ','); stalk passes --no-h, but any grouping is read.
 * The time is whole seconds in the local time zone of the rsync that prints
 * the listing (ours, not the server's), so stalk runs rsync with TZ=UTC and
 * reads it as UTC. rsync prints bytes it considers unprintable in the current
 * locale as `\#ooo` (octal); the name is decoded back to the real bytes.
 */

export type ListingType = 'file' | 'dir' | 'symlink' | 'other'

export interface ListingEntry {
  readonly type: ListingType
  /** The permission string as printed: "-rw-r--r--". */
  readonly mode: string
  readonly size: number
  /** Milliseconds since the epoch, a whole second. */
  readonly mtimeMs: number
  /** The name as rsync printed it, escapes decoded; a symlink's " -> target" is kept. */
  readonly name: string
}

const LINE = /^([-dlbcps])([-rwxsStT]{9})\S*\s+(\d[\d,.]*)\s+(\d{4})\/(\d\d)\/(\d\d) (\d\d):(\d\d):(\d\d) (.*)$/

const TYPES: Readonly<Record<string, ListingType>> = { '-': 'file', d: 'dir', l: 'symlink' }

/** One listing line, or undefined when the line is not one (a daemon's greeting, a warning). */
export function parseListingLine (line: string): ListingEntry | undefined {
  const m = LINE.exec(line.replace(/\r$/, ''))
  if (m === null) return undefined
  const [, kind = '', perms = '', size = '', y, mo, d, h, mi, s, name = ''] = m
  const bytes = Number(size.replace(/[,.]/g, ''))
  const mtimeMs = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s))
  if (!Number.isSafeInteger(bytes) || Number.isNaN(mtimeMs)) return undefined
  return { type: TYPES[kind] ?? 'other', mode: kind + perms, size: bytes, mtimeMs, name: decodeName(name) }
}

/** The first listing line of rsync's stdout, skipping anything else it printed. */
export function firstListingEntry (stdout: string): ListingEntry | undefined {
  for (const line of stdout.split('\n')) {
    const entry = parseListingLine(line)
    if (entry !== undefined) return entry
  }
  return undefined
}

/** Undoes rsync's `\#ooo` escapes, which stand for single bytes of the (usually UTF-8) name. */
function decodeName (printed: string): string {
  if (!printed.includes('\\#')) return printed
  const bytes: number[] = []
  for (let i = 0; i < printed.length;) {
    const esc = /^\\#([0-7]{3})/.exec(printed.slice(i, i + 5))
    if (esc !== null) {
      bytes.push(parseInt(esc[1] ?? '0', 8))
      i += 5
      continue
    }
    const cp = printed.codePointAt(i) ?? 0
    const ch = String.fromCodePoint(cp)
    bytes.push(...Buffer.from(ch, 'utf8'))
    i += ch.length
  }
  return Buffer.from(bytes).toString('utf8')
}
