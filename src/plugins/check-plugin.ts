/**
 * Checks what a plugin module hands over before stalk relies on it, so a
 * mistake shows up at mount time with a plain reason instead of as a
 * TypeError in the middle of a sync round.
 */
import type { PluginFactory, StalkPlugin } from '../../plugins/api.js'

const hooks = ['init', 'beforeSync', 'afterSync', 'close'] as const

/**
 * The factory a module exports: `export const plugin`, `export default`,
 * `module.exports = factory` or `exports.plugin = factory`. A string says
 * what is wrong instead.
 */
export function pickFactory (mod: unknown): PluginFactory | string {
  const ns = asRecord(mod) ?? {}
  const candidate = exportedFactory(ns)
  if (typeof candidate === 'function') return candidate as PluginFactory
  if (candidate !== undefined) return `the module's plugin export is ${describe(candidate)}, not a factory function`
  const names = Object.keys(ns).filter(k => k !== 'default' && k !== 'module.exports')
  return 'the module exports no plugin factory: expected `export const plugin = definePlugin(...)`, ' +
    '`export default`, or `module.exports = factory`' + (names.length > 0 ? ` (it exports ${names.join(', ')})` : '')
}

function exportedFactory (ns: Record<string, unknown>): unknown {
  if (ns['plugin'] !== undefined) return ns['plugin']
  const def = ns['default']
  // CJS `exports.plugin = f` reaches import() as default.plugin when Node's export scan misses it
  const defPlugin = typeof def === 'function' ? undefined : asRecord(def)?.['plugin']
  return defPlugin ?? def
}

/** What is wrong with a factory's result; empty when it is a valid StalkPlugin. */
export function pluginProblems (value: unknown): string[] {
  const p = asRecord(value)
  if (p === undefined) return [`the factory returned ${describe(value)}, not a plugin object`]
  const problems: string[] = []
  if (p['apiVersion'] !== 1) problems.push(`apiVersion is ${describe(p['apiVersion'])}, expected 1`)
  if (typeof p['name'] !== 'string' || p['name'] === '') problems.push(`name is ${describe(p['name'])}, expected a non-empty string`)
  for (const h of hooks) {
    if (p[h] !== undefined && typeof p[h] !== 'function') problems.push(`${h} is ${describe(p[h])}, expected a function`)
  }
  return problems
}

export function isStalkPlugin (value: unknown): value is StalkPlugin {
  return pluginProblems(value).length === 0
}

function asRecord (value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null ? value as Record<string, unknown> : undefined
}

function describe (value: unknown): string {
  if (value === null) return 'null'
  if (value === undefined) return 'missing'
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : `a ${typeof value}`
}
