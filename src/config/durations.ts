/**
 * Durations and sizes as people write them in config files. A plain number
 * of seconds keeps the original's configs working (`timeout: 10`); units make
 * new ones readable (`10m`, `1m30s`). Errors are thrown as RangeError with a
 * reason only: the caller adds the file, section and key.
 */

/** The longest delay Node's timers accept; a longer one fires at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1

const unitMs: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000
}

const NUMBER = String.raw`(?:\d+(?:\.\d*)?|\.\d+)`
const PLAIN = new RegExp(`^${NUMBER}$`)
// One "<number><unit>" part; `ms` comes before `m` so that "500ms" is not read as minutes.
const PART = new RegExp(`(${NUMBER})(ms|s|m|h|d)`, 'y')

export interface DurationLimits {
  /** Refuse anything shorter (default 0). */
  readonly minMs?: number
  /** Refuse anything longer (default: no limit beyond a safe integer). */
  readonly maxMs?: number
}

/**
 * Milliseconds for `600` (seconds), `0.5`, `500ms`, `10s`, `10m`, `2h`, `1d`
 * or a combination such as `1h30m` / `1m 30s`. Rounds to whole milliseconds.
 */
export function parseDuration (text: string, limits: DurationLimits = {}): number {
  const s = text.trim()
  const ms = PLAIN.test(s) ? Number(s) * 1000 : sumOfParts(s)
  if (ms === undefined) {
    throw new RangeError(`"${text}" is not a duration (e.g. 600 or 10m)`)
  }
  const rounded = Math.round(ms)
  const max = limits.maxMs ?? Number.MAX_SAFE_INTEGER
  if (rounded > max) {
    throw new RangeError(`"${text}" is too long (at most ${formatDuration(max)})`)
  }
  if (rounded < (limits.minMs ?? 0)) {
    throw new RangeError(`"${text}" is too short (at least ${formatDuration(limits.minMs ?? 0)})`)
  }
  return rounded
}

/** The sum of "<number><unit>" parts, or undefined when anything else is in the text. */
function sumOfParts (s: string): number | undefined {
  if (s === '') return undefined
  let total = 0
  PART.lastIndex = 0
  while (PART.lastIndex < s.length) {
    const m = PART.exec(s)
    if (m === null) return undefined
    total += Number(m[1]) * (unitMs[m[2] ?? ''] ?? Number.NaN)
    // Spaces between parts ("1m 30s") are allowed; skip them here.
    while (s.charAt(PART.lastIndex) === ' ') PART.lastIndex++
  }
  return Number.isFinite(total) ? total : undefined
}

/** A short human form for messages: 90000 → "1m30s". */
export function formatDuration (ms: number): string {
  if (ms < 1000) return `${ms}ms`
  let rest = Math.floor(ms / 1000)
  let out = ''
  for (const [unit, size] of [['d', 86_400], ['h', 3600], ['m', 60]] as const) {
    if (rest >= size) {
      out += `${Math.floor(rest / size)}${unit}`
      rest %= size
    }
  }
  if (rest > 0) out += `${rest}s`
  return ms % 1000 === 0 ? out : `${out}${ms % 1000}ms`
}

const sizeFactor: Readonly<Record<string, number>> = {
  '': 1,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
  t: 1024 ** 4
}
// Binary multiples, as log rotation tools count them: "10M" is 10 MiB.
const SIZE = new RegExp(`^(${NUMBER})\\s*(?:([kmgt])i?b?|b)?$`, 'i')

/** Bytes for `512k`, `10M`, `1G`, `1.5G`, `10MiB`, `10MB` or plain bytes `4096`. */
export function parseSize (text: string): number {
  const m = SIZE.exec(text.trim())
  const factor = sizeFactor[(m?.[2] ?? '').toLowerCase()]
  if (m === null || factor === undefined) {
    throw new RangeError(`"${text}" is not a size (e.g. 10M, 512k or a number of bytes)`)
  }
  const bytes = Math.round(Number(m[1]) * factor)
  if (!Number.isSafeInteger(bytes)) throw new RangeError(`"${text}" is too large`)
  return bytes
}
