/**
 * Splits a config value into arguments the way a POSIX shell splits words,
 * without any expansion: the command plugin never runs a shell, so `$HOME`,
 * `*` and `;` stay literal. Supported: whitespace between words, '…' (all
 * literal), "…" (where \" and \\ are escapes) and a backslash outside quotes
 * that keeps the next character literal. `''` gives an empty argument.
 */

type Quote = '' | "'" | '"'

interface State {
  readonly args: string[]
  word: string
  /** True once the current word has begun, so '' can make an empty argument. */
  inWord: boolean
  quote: Quote
}

/** Splits `value` into arguments; throws on an unterminated quote. */
export function splitArgs (value: string): string[] {
  const s: State = { args: [], word: '', inWord: false, quote: '' }
  for (let i = 0; i < value.length; i++) {
    const c = value.charAt(i)
    const next = value.charAt(i + 1)
    if (s.quote === "'") {
      if (c === "'") s.quote = ''
      else s.word += c
    } else if (s.quote === '"') {
      i += doubleQuoted(s, c, next)
    } else {
      i += unquoted(s, c, next)
    }
  }
  if (s.quote !== '') throw new Error(`unterminated ${s.quote} quote in: ${value}`)
  endWord(s)
  return s.args
}

/** Handles one character inside "…"; returns how many extra characters it used. */
function doubleQuoted (s: State, c: string, next: string): number {
  if (c === '"') {
    s.quote = ''
    return 0
  }
  if (c === '\\' && (next === '"' || next === '\\')) {
    s.word += next
    return 1
  }
  s.word += c
  return 0
}

/** Handles one character outside quotes; returns how many extra characters it used. */
function unquoted (s: State, c: string, next: string): number {
  if (/\s/.test(c)) {
    endWord(s)
    return 0
  }
  s.inWord = true
  if (c === "'" || c === '"') {
    s.quote = c
    return 0
  }
  if (c === '\\' && next !== '') {
    s.word += next
    return 1
  }
  s.word += c
  return 0
}

function endWord (s: State): void {
  if (s.inWord) s.args.push(s.word)
  s.word = ''
  s.inWord = false
}
