/**
 * Splits a config value such as `rsync_options: --bwlimit=1m --exclude '*.tmp'`
 * into argv words. No shell ever sees them, so nothing is expanded: this only
 * lets a word contain spaces. Supported: whitespace between words, '…' (all
 * literal), "…" (\" and \\ are escapes inside), a backslash outside quotes
 * keeps the next character literal; `''` is an empty word.
 */

type Quote = '' | "'" | '"'

/** The words of `value`; throws RangeError on an unterminated quote or a trailing backslash. */
export function splitWords (value: string): string[] {
  const words: string[] = []
  let word = ''
  let inWord = false
  let quote: Quote = ''
  for (let i = 0; i < value.length; i++) {
    const c = value.charAt(i)
    if (quote === "'") {
      if (c === "'") quote = ''
      else word += c
    } else if (quote === '"') {
      if (c === '"') quote = ''
      else if (c === '\\' && (value.charAt(i + 1) === '"' || value.charAt(i + 1) === '\\')) word += value.charAt(++i)
      else word += c
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word)
      word = ''
      inWord = false
    } else {
      inWord = true
      if (c === "'" || c === '"') quote = c
      else if (c === '\\') word += escaped(value, ++i)
      else word += c
    }
  }
  if (quote !== '') throw new RangeError(`unterminated ${quote} quote in "${value}"`)
  if (inWord) words.push(word)
  return words
}

function escaped (value: string, i: number): string {
  if (i >= value.length) throw new RangeError(`"${value}" ends with a lone backslash`)
  return value.charAt(i)
}
