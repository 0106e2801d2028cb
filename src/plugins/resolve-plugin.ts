/**
 * Turns a `[plugin] name` into something to load:
 *   - a built-in name: command, command_plugin, null;
 *   - a path (starts with ./, ../ or /), relative to the config file's
 *     folder: a .js/.mjs/.cjs file (the extension may be left out) or a
 *     package folder;
 *   - otherwise a package: stalk-plugin-NAME first, then NAME
 *     (@scope/NAME: @scope/stalk-plugin-NAME, then @scope/NAME), looked up in
 *     the node_modules folders above the config file, then above stalk itself.
 */
import { stat } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { PluginFactory } from '../../plugins/api.js'
import { builtinPlugins } from './builtin-plugins.js'
import { isFile, packageEntry } from './package-entry.js'

export type ResolvedPlugin =
  | { readonly kind: 'builtin'; readonly factory: PluginFactory }
  | { readonly kind: 'file'; readonly file: string }
  | { readonly kind: 'not-found'; readonly detail: string; readonly tried: readonly string[] }

const stalkDir = dirname(fileURLToPath(import.meta.url))

export async function resolvePlugin (name: string, configDir: string): Promise<ResolvedPlugin> {
  const factory = builtinPlugins.get(name)
  if (factory !== undefined) return { kind: 'builtin', factory }
  return isPathName(name) ? resolvePath(resolve(configDir, name)) : resolvePackage(name, configDir)
}

export function isPathName (name: string): boolean {
  return name.startsWith('./') || name.startsWith('../') || name.startsWith('/') || name === '.' || name === '..'
}

async function resolvePath (path: string): Promise<ResolvedPlugin> {
  const tried: string[] = []
  const isDir = await stat(path).then(s => s.isDirectory(), () => false)
  const file = isDir ? await packageEntry(path, tried) : await firstExisting([path, path + '.js', path + '.mjs', path + '.cjs'], tried)
  if (file !== undefined) return { kind: 'file', file }
  return { kind: 'not-found', detail: `not found; tried ${tried.join(', ')}`, tried }
}

/** The package names tried for `name`, the stalk-plugin- prefixed one first. */
export function packageCandidates (name: string): string[] {
  const m = /^(@[^/]+\/)?(.+)$/.exec(name)
  const scope = m?.[1] ?? ''
  const bare = m?.[2] ?? name
  return bare.startsWith('stalk-plugin-') ? [name] : [`${scope}stalk-plugin-${bare}`, name]
}

async function resolvePackage (name: string, configDir: string): Promise<ResolvedPlugin> {
  const names = packageCandidates(name)
  const dirs = [...new Set([...nodeModulesDirs(configDir), ...nodeModulesDirs(stalkDir)])]
  const tried: string[] = []
  for (const pkg of names) {
    for (const nm of dirs) {
      const dir = join(nm, pkg)
      const exists = await stat(dir).then(s => s.isDirectory(), () => false)
      if (!exists) {
        tried.push(dir)
        continue
      }
      const file = await packageEntry(dir, tried)
      if (file !== undefined) return { kind: 'file', file }
    }
  }
  const detail = `not found: no built-in plugin, and no package ${names.join(' or ')} in ${dirs.join(', ')}`
  return { kind: 'not-found', detail, tried }
}

/** The node_modules folders Node would search from `dir` upwards. */
export function nodeModulesDirs (dir: string): string[] {
  const out: string[] = []
  for (let d = resolve(dir); ; d = dirname(d)) {
    if (basename(d) !== 'node_modules') out.push(join(d, 'node_modules'))
    if (dirname(d) === d) return out
  }
}

async function firstExisting (candidates: readonly string[], tried: string[]): Promise<string | undefined> {
  for (const c of candidates) {
    tried.push(c)
    if (await isFile(c)) return c
  }
  return undefined
}
