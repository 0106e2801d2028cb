/**
 * A parsed INI file with ConfigParser's read semantics: every section
 * inherits the keys of [DEFAULT], `get` interpolates `%(name)s`, and the
 * document remembers which keys a section wrote itself, in what order and on
 * which line, so callers can tell a target label from an inherited default
 * and name the line in a message.
 */
import { interpolate } from './ini-interpolation.js'

export const DEFAULT_SECTION = 'DEFAULT'

/** One key as written: the raw value (continuations joined with '\n') and its line. */
export interface IniEntry {
  readonly value: string
  readonly line: number
}

export interface IniSection {
  readonly name: string
  /** Line of the section's (first) header; 0 for a [DEFAULT] that is never written. */
  readonly line: number
  /** Own keys, lower-cased, in file order. */
  readonly entries: ReadonlyMap<string, IniEntry>
}

export class IniDocument {
  readonly file: string
  readonly defaults: IniSection
  readonly #sections: ReadonlyMap<string, IniSection>

  constructor (file: string, defaults: IniSection, sections: ReadonlyMap<string, IniSection>) {
    this.file = file
    this.defaults = defaults
    this.#sections = sections
  }

  /** Section names in file order, without DEFAULT (as ConfigParser's sections()). */
  sectionNames (): string[] {
    return [...this.#sections.keys()]
  }

  has (section: string): boolean {
    return this.#sections.has(section)
  }

  section (section: string): IniSection | undefined {
    return section === DEFAULT_SECTION ? this.defaults : this.#sections.get(section)
  }

  /** Keys the section wrote itself, in file order; never keys from [DEFAULT]. */
  ownKeys (section: string): string[] {
    return [...(this.section(section)?.entries.keys() ?? [])]
  }

  /** Own keys, then the [DEFAULT] keys the section does not override. */
  keys (section: string): string[] {
    const own = this.ownKeys(section)
    const inherited = [...this.defaults.entries.keys()].filter(k => !own.includes(k))
    return this.has(section) ? [...own, ...inherited] : own
  }

  isOwn (section: string, key: string): boolean {
    return this.section(section)?.entries.has(key) === true
  }

  /** The entry as written in the section, else in [DEFAULT]; undefined for an unknown section. */
  entry (section: string, key: string): IniEntry | undefined {
    const s = this.section(section)
    if (s === undefined) return undefined
    return s.entries.get(key) ?? this.defaults.entries.get(key)
  }

  /** The value without interpolation. */
  raw (section: string, key: string): string | undefined {
    return this.entry(section, key)?.value
  }

  /** The interpolated value, as ConfigParser's get(); throws StemError on a bad reference. */
  get (section: string, key: string): string | undefined {
    const raw = this.raw(section, key)
    if (raw === undefined) return undefined
    return interpolate(raw, k => this.raw(section, k), { file: this.file, section, key })
  }
}
