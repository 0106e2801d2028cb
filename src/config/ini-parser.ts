/**
 * A reader for Python ConfigParser's INI dialect, so that the original
 * stalk's configs load unchanged. It follows ConfigParser's defaults line by
 * line (`_read` in Lib/configparser.py, strict=True):
 * - `[name]` opens a section (case-sensitive; text after the last `]` is
 *   ignored, as Python does); [DEFAULT] is inherited by every section and may
 *   be opened more than once, any other repeated section is an error;
 * - `key: value` / `key = value` split at the first `:` or `=`, both sides
 *   trimmed, keys lower-cased; a repeated key in one section is an error;
 * - lines whose first non-blank character is `#` or `;` are comments; a `#`
 *   or `;` later in a line is part of the value;
 * - a line indented deeper than its key continues the value ('\n'-joined),
 *   blank lines inside such a value are kept, trailing ones dropped.
 * Errors are StemError(configSyntax) naming the file and line.
 */
import { StemError } from '../exit-codes.js'
import { DEFAULT_SECTION, IniDocument, type IniEntry, type IniSection } from './ini-document.js'

interface OpenEntry { readonly lines: string[]; readonly line: number }
interface OpenSection {
  readonly name: string
  /** First header line; [DEFAULT] learns it late, as it exists before it is written. */
  line: number
  readonly entries: Map<string, OpenEntry>
}

interface State {
  readonly file: string
  readonly defaults: OpenSection
  readonly sections: Map<string, OpenSection>
  current: OpenSection | undefined
  /** The key a deeper-indented line would continue; unset right after a header. */
  key: string | undefined
  /** Indentation of the line that set `key`. */
  indent: number
}

const HEADER = /^\[(.+)\]/
const OPTION = /^(.*?)\s*([=:])\s*(.*)$/

/** Parses `text` (the contents of `file`; `file` is used in messages only). */
export function parseIni (text: string, file: string): IniDocument {
  const st: State = {
    file,
    defaults: { name: DEFAULT_SECTION, line: 0, entries: new Map() },
    sections: new Map(),
    current: undefined,
    key: undefined,
    indent: 0
  }
  // Python reads with universal newlines; a UTF-8 BOM is dropped as editors add it invisibly.
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/)
  lines.forEach((line, i) => { readLine(st, line, i + 1) })
  return new IniDocument(file, close(st.defaults), new Map(
    [...st.sections].map(([name, s]) => [name, close(s)])
  ))
}

function readLine (st: State, line: string, n: number): void {
  const text = line.trim()
  if (text === '' || text.startsWith('#') || text.startsWith(';')) {
    // A blank line may sit inside a continued value; a comment line never adds to it.
    if (text === '' && st.key !== undefined) st.current?.entries.get(st.key)?.lines.push('')
    return
  }
  const indent = line.search(/\S/)
  if (st.current !== undefined && st.key !== undefined && indent > st.indent) {
    st.current.entries.get(st.key)?.lines.push(text)
    return
  }
  st.indent = indent
  const header = HEADER.exec(text)
  if (header !== null) {
    openSection(st, header[1] ?? '', n)
    return
  }
  if (st.current === undefined) {
    throw syntax(st, n, `"${clip(text)}" comes before any [section] header`)
  }
  addOption(st, st.current, text, n)
}

function openSection (st: State, name: string, n: number): void {
  st.key = undefined
  if (name === DEFAULT_SECTION) {
    if (st.defaults.line === 0) st.defaults.line = n
    st.current = st.defaults
    return
  }
  const seen = st.sections.get(name)
  if (seen !== undefined) {
    throw syntax(st, n, `section [${name}] appears twice (first at line ${seen.line})`)
  }
  st.current = { name, line: n, entries: new Map() }
  st.sections.set(name, st.current)
}

function addOption (st: State, section: OpenSection, text: string, n: number): void {
  const m = OPTION.exec(text)
  if (m === null) {
    throw syntax(st, n, `expected "key: value" or "[section]", got "${clip(text)}"`)
  }
  // ConfigParser's optionxform: keys are case-insensitive.
  const key = (m[1] ?? '').toLowerCase()
  if (key === '') throw syntax(st, n, `missing key before "${m[2] ?? ''}" in "${clip(text)}"`)
  const seen = section.entries.get(key)
  if (seen !== undefined) {
    throw syntax(st, n, `[${section.name}] key "${key}" appears twice (first at line ${seen.line})`)
  }
  section.entries.set(key, { lines: [m[3] ?? ''], line: n })
  st.key = key
}

function close (s: OpenSection): IniSection {
  const entries = new Map<string, IniEntry>()
  for (const [key, e] of s.entries) {
    entries.set(key, { value: e.lines.join('\n').trimEnd(), line: e.line })
  }
  return { name: s.name, line: s.line, entries }
}

function syntax (st: State, n: number, message: string): StemError {
  return new StemError('configSyntax', `${st.file}:${n}: ${message}`)
}

/** Long lines are cut in messages so the error stays one readable line. */
function clip (text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text
}
