/**
 * Typed reads of one section's keys, with every refusal worded the same way:
 * `<file>: [<section>] <key>: <reason>`. A reader may fall back to another
 * (a [target:X] falls back to [global]); messages then name the section the
 * value actually came from.
 */
import { isAbsolute, resolve } from 'node:path'
import { StemError, type ExitCodeName } from '../exit-codes.js'
import { parseDuration, parseSize, type DurationLimits } from './durations.js'
import type { IniDocument } from './ini-document.js'

export interface Found {
  readonly value: string
  readonly section: string
}

export class SectionReader {
  readonly doc: IniDocument
  readonly section: string
  readonly fallback: SectionReader | undefined

  constructor (doc: IniDocument, section: string, fallback?: SectionReader) {
    this.doc = doc
    this.section = section
    this.fallback = fallback
  }

  /** The interpolated value and the section it came from; an empty value counts as unset. */
  find (key: string): Found | undefined {
    const value = this.doc.get(this.section, key)
    if (value !== undefined && value !== '') return { value, section: this.section }
    return this.fallback?.find(key)
  }

  string (key: string): string | undefined {
    return this.find(key)?.value
  }

  required (key: string, what: string): string {
    const found = this.find(key)
    if (found === undefined) throw this.fail(key, `missing (${what})`)
    return found.value
  }

  duration (key: string, defaultMs: number, limits: DurationLimits = {}): number {
    return this.convert(key, defaultMs, v => parseDuration(v, limits))
  }

  size (key: string, defaultBytes: number): number {
    return this.convert(key, defaultBytes, parseSize)
  }

  integer (key: string, defaultValue: number, min: number, max: number): number {
    return this.convert(key, defaultValue, v => parseWholeNumber(v, min, max))
  }

  /** ConfigParser's booleans: yes/no, true/false, on/off, 1/0 (any case). */
  boolean (key: string, defaultValue: boolean): boolean {
    return this.convert(key, defaultValue, v => {
      const t = v.toLowerCase()
      if (['yes', 'true', 'on', '1'].includes(t)) return true
      if (['no', 'false', 'off', '0'].includes(t)) return false
      throw new RangeError(`"${v}" is not a boolean (yes/no, true/false, on/off, 1/0)`)
    })
  }

  /** A path, made absolute against `baseDir` (the config file's folder). */
  path (key: string, baseDir: string): string | undefined {
    const v = this.string(key)
    if (v === undefined) return undefined
    return isAbsolute(v) ? resolve(v) : resolve(baseDir, v)
  }

  /** Parses the value with `parse`, turning its RangeError into a StemError naming the key. */
  convert<T>(key: string, defaultValue: T, parse: (value: string) => T): T {
    const found = this.find(key)
    if (found === undefined) return defaultValue
    try {
      return parse(found.value)
    } catch (err) {
      if (!(err instanceof RangeError)) throw err
      throw this.fail(key, err.message, 'configInvalid', found.section)
    }
  }

  /** Warnings for own keys not in `known`: kept for compatibility with keys we do not use. */
  unknownKeys (known: ReadonlySet<string>): string[] {
    return this.doc.ownKeys(this.section).filter(k => !known.has(k)).map(k => {
      const line = this.doc.entry(this.section, k)?.line ?? 0
      return `${this.doc.file}:${line}: [${this.section}] ${k}: unknown key, ignored`
    })
  }

  fail (key: string, reason: string, code: ExitCodeName = 'configInvalid', section = this.section): StemError {
    return new StemError(code, `${this.doc.file}: [${section}] ${key}: ${reason}`)
  }
}

/** A whole number from `min` to `max`, written in plain digits; RangeError otherwise. */
export function parseWholeNumber (v: string, min: number, max: number): number {
  const n = /^\d+$/.test(v) ? Number(v) : Number.NaN
  if (!(n >= min && n <= max)) throw new RangeError(`"${v}" is not a whole number from ${min} to ${max}`)
  return n
}
