/**
 * ConfigParser's BasicInterpolation: `%(name)s` is replaced by the value of
 * `name` in the same section (or [DEFAULT]), `%%` is a literal `%`, and any
 * other `%` is an error. Python does this on every `get()`, so the original's
 * configs may rely on it; a value meant to hold a literal `%` had to write `%%`.
 */
import { StemError } from '../exit-codes.js'

/** Where the value came from, for messages. */
export interface ValuePlace {
  readonly file: string
  readonly section: string
  readonly key: string
}

/** Looks up a raw (not yet interpolated) value by lower-cased key. */
export type RawLookup = (key: string) => string | undefined

const REFERENCE = /^%\(([^)]+)\)s/

/** `raw` with every reference expanded; throws StemError(configInvalid) naming section and key. */
export function interpolate (raw: string, lookup: RawLookup, place: ValuePlace): string {
  return expand(raw, lookup, [place.key], place)
}

function expand (text: string, lookup: RawLookup, chain: readonly string[], place: ValuePlace): string {
  let out = ''
  let rest = text
  for (let p = rest.indexOf('%'); p >= 0; p = rest.indexOf('%')) {
    out += rest.slice(0, p)
    rest = rest.slice(p)
    if (rest.startsWith('%%')) {
      out += '%'
      rest = rest.slice(2)
      continue
    }
    const m = REFERENCE.exec(rest)
    if (m === null) {
      throw fail(place, `"%" must be followed by "%" or "(name)s", found "${rest}" (write %% for a literal %)`)
    }
    // ConfigParser lower-cases the referenced name like every key.
    const name = (m[1] ?? '').toLowerCase()
    rest = rest.slice(m[0].length)
    if (chain.includes(name)) {
      throw fail(place, `interpolation loop ${[...chain, name].join(' -> ')}`)
    }
    const value = lookup(name)
    if (value === undefined) {
      throw fail(place, `%(${name})s refers to "${name}", which is not set in [${place.section}] or [DEFAULT]`)
    }
    out += expand(value, lookup, [...chain, name], place)
  }
  return out + rest
}

function fail (place: ValuePlace, message: string): StemError {
  return new StemError('configInvalid', `${place.file}: [${place.section}] ${place.key}: ${message}`)
}
