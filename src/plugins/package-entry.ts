/**
 * Finds the file `import()` should load for a plugin package folder. Node's
 * own resolver cannot be pointed at an arbitrary folder without flags
 * (`import.meta.resolve` takes no parent on Node 20), so this follows its
 * rules for the main entry: "exports" with the conditions node, import and
 * default, else "main", else index.js.
 */
import { readFile, stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'

const conditions = ['node', 'import', 'default']

/** The entry file of the package in `dir`, or undefined; every file looked at is pushed to `tried`. */
export async function packageEntry (dir: string, tried: string[]): Promise<string | undefined> {
  const pkgFile = join(dir, 'package.json')
  tried.push(pkgFile)
  const pkg = await readJson(pkgFile)
  if (pkg === undefined) return firstFile(['index.js', 'index.mjs', 'index.cjs'].map(f => join(dir, f)), tried)
  if (pkg['exports'] !== undefined && pkg['exports'] !== null) {
    const target = exportTarget(pkg['exports'])
    // a package with "exports" but no entry for us is closed to import(), as Node would treat it
    return target === undefined ? undefined : firstFile([resolve(dir, target)], tried)
  }
  const main = pkg['main']
  if (typeof main === 'string' && main !== '') {
    const m = resolve(dir, main)
    return firstFile([m, m + '.js', join(m, 'index.js')], tried)
  }
  return firstFile([join(dir, 'index.js')], tried)
}

/** The "." target of an "exports" value for our conditions, in the package's key order. */
export function exportTarget (value: unknown): string | undefined {
  if (typeof value === 'string') return value
  if (Array.isArray(value)) {
    for (const v of value) {
      const t = exportTarget(v)
      if (t !== undefined) return t
    }
    return undefined
  }
  if (typeof value !== 'object' || value === null) return undefined
  const map = value as Record<string, unknown>
  const keys = Object.keys(map)
  if (keys.some(k => k.startsWith('.'))) return exportTarget(map['.'])
  for (const k of keys) {
    if (!conditions.includes(k)) continue
    const t = exportTarget(map[k])
    if (t !== undefined) return t
  }
  return undefined
}

async function firstFile (candidates: readonly string[], tried: string[]): Promise<string | undefined> {
  for (const c of candidates) {
    if (!tried.includes(c)) tried.push(c)
    if (await isFile(c)) return c
  }
  return undefined
}

export async function isFile (p: string): Promise<boolean> {
  return stat(p).then(s => s.isFile(), () => false)
}

async function readJson (file: string): Promise<Record<string, unknown> | undefined> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch {
    return undefined
  }
  const value: unknown = JSON.parse(text)
  if (typeof value !== 'object' || value === null) throw new Error(`${file} is not a JSON object`)
  return value as Record<string, unknown>
}
