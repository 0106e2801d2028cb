/**
 * A config given as an object (the Node API, the container entrypoint)
 * becomes the same IniDocument a config file parses into, so one set of
 * readers validates both and a refusal names the section and key the same
 * way; only the file name differs ("<config object>"). Values keep INI's
 * meaning: `%(key)s` interpolates, `%%` is a literal `%`, an empty string
 * counts as unset, keys are case-insensitive.
 *
 *   { global: { root: '/srv/root', timeout: 10 },
 *     targets: { local: '/srv/mirror', west: { destination: 'host:/x', ssh_port: 2222 } },
 *     plugins: [{ name: 'command', command: 'createrepo' }] }
 *
 * `targets` writes [target] (label = destination) and, for the object form,
 * [target:LABEL] with the other keys; `plugins` writes [plugin:1],
 * [plugin:2], … in order. Any other key is a section as written in INI
 * ([DEFAULT], [target], pull file sections, …).
 */
import { StemError } from '../exit-codes.js'
import { DEFAULT_SECTION, IniDocument, type IniEntry, type IniSection } from './ini-document.js'

/** What an INI value can be written as: booleans become yes/no, numbers their decimal text. */
export type ConfigValue = string | number | boolean

/** One INI section: keys to values; undefined keys are left out. */
export type ConfigSection = { readonly [key: string]: ConfigValue | undefined }

/** A push target with its own settings ([target:LABEL] keys: ssh_port, rsync_options, timeout, …). */
export type TargetObject = ConfigSection & { readonly destination: string }

/** A plugin: `name` says which (as in [plugin]); the other keys are its options. */
export type PluginObject = ConfigSection & { readonly name: string }

export type TargetsObject = { readonly [label: string]: string | TargetObject }

export interface ConfigObject {
  readonly DEFAULT?: ConfigSection
  readonly global?: ConfigSection
  readonly targets?: TargetsObject
  readonly plugins?: readonly PluginObject[]
  readonly [section: string]: ConfigSection | TargetsObject | readonly PluginObject[] | undefined
}

/** Shown where a file name would be: "<config object>: [global] timeout: …". */
export const CONFIG_OBJECT_LABEL = '<config object>'

type Sections = Map<string, Map<string, IniEntry>>

/** Renders `input` (unchecked: it may come from JavaScript) into an IniDocument labelled `label`. */
export function configObjectDocument (input: unknown, label = CONFIG_OBJECT_LABEL): IniDocument {
  if (!isRecord(input)) throw invalid(label, `a config object must be an object of sections, got ${kindOf(input)}`)
  const sections: Sections = new Map()
  for (const [name, value] of Object.entries(input)) {
    if (value === undefined) continue
    if (name === 'targets') addTargets(sections, value, label)
    else if (name === 'plugins') addPlugins(sections, value, label)
    else addSection(sections, name, value, label)
  }
  const defaults = sections.get(DEFAULT_SECTION) ?? new Map<string, IniEntry>()
  sections.delete(DEFAULT_SECTION)
  const frozen = new Map<string, IniSection>([...sections].map(([name, entries]) => [name, { name, line: 0, entries }]))
  return new IniDocument(label, { name: DEFAULT_SECTION, line: 0, entries: defaults }, frozen)
}

function addTargets (sections: Sections, value: unknown, label: string): void {
  if (!isRecord(value)) throw invalid(label, `targets: expected an object of label: destination, got ${kindOf(value)}`)
  if (sections.has('target') || [...sections.keys()].some(s => s.startsWith('target:'))) {
    throw invalid(label, 'targets: give either targets or [target] sections, not both')
  }
  for (const [name, t] of Object.entries(value)) {
    if (t === undefined) continue
    if (typeof t === 'string') { addSection(sections, 'target', { [name]: t }, label); continue }
    if (!isRecord(t) || typeof t['destination'] !== 'string') {
      throw invalid(label, `[target] ${name.toLowerCase()}: expected a destination string or { destination, … }, got ${kindOf(t)}`)
    }
    const { destination, ...options } = t
    addSection(sections, 'target', { [name]: destination }, label)
    if (Object.keys(options).length > 0) addSection(sections, `target:${name}`, options, label)
  }
}

function addPlugins (sections: Sections, value: unknown, label: string): void {
  if (!Array.isArray(value)) throw invalid(label, `plugins: expected an array of { name, … }, got ${kindOf(value)}`)
  value.forEach((p: unknown, i) => {
    const section = `plugin:${i + 1}`
    if (!isRecord(p)) throw invalid(label, `[${section}]: expected { name, … }, got ${kindOf(p)}`)
    // [plugin:NAME] would take "1" as the plugin's name: here `name` is required.
    if (typeof p['name'] !== 'string' || p['name'].trim() === '') {
      throw invalid(label, `[${section}] name: missing (the plugin to load, e.g. command_plugin)`)
    }
    addSection(sections, section, p, label)
  })
}

function addSection (sections: Sections, name: string, value: unknown, label: string): void {
  if (name.trim() === '' || /[\]\r\n]/.test(name)) throw invalid(label, `"${name}" is not a usable section name`)
  if (!isRecord(value)) throw invalid(label, `[${name}]: expected an object of key: value, got ${kindOf(value)}`)
  const entries = sections.get(name) ?? new Map<string, IniEntry>()
  sections.set(name, entries)
  for (const [rawKey, v] of Object.entries(value)) {
    if (v === undefined) continue
    // ConfigParser's optionxform: keys are case-insensitive, so "Root" and "root" are one key.
    const key = rawKey.trim().toLowerCase()
    if (key === '' || /[\r\n]/.test(key)) throw invalid(label, `[${name}]: "${rawKey}" is not a usable key`)
    if (entries.has(key)) throw new StemError('configSyntax', `${label}: [${name}] key "${key}" appears twice`)
    entries.set(key, { value: render(v, name, key, label), line: 0 })
  }
}

function render (v: unknown, section: string, key: string, label: string): string {
  if (typeof v === 'string') return v
  if (typeof v === 'boolean') return v ? 'yes' : 'no'
  if (typeof v === 'number' && Number.isFinite(v)) return String(v)
  throw invalid(label, `[${section}] ${key}: expected a string, a finite number or a boolean, got ${kindOf(v)}`)
}

function invalid (label: string, message: string): StemError {
  return new StemError('configInvalid', `${label}: ${message}`)
}

function isRecord (v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function kindOf (v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'an array'
  if (typeof v === 'number') return String(v)
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`
}
