/**
 * Secrets for pull origins without putting them in the config file: a
 * secret key may instead be given as `<key>_file` (the file's contents, one
 * trailing newline dropped) or through the environment as
 * STALK_<SECTION>_<KEY> (upper-cased, anything not A-Z/0-9 turned into `_`),
 * which is how containers pass them. The environment wins over the file.
 */
import { readFile } from 'node:fs/promises'
import { describe } from '../errors.js'
import type { SectionReader } from './section-reader.js'

/** The only keys taken from files or the environment: an origin's credentials. */
export const SECRET_KEYS: readonly string[] = ['password', 'secret_access_key', 'access_key_id', 'session_token', 'key_passphrase']

/** The environment variable that supplies `key` of `section`. */
export function secretEnvName (section: string, key: string): string {
  return `STALK_${section}_${key}`.toUpperCase().replace(/[^A-Z0-9]/g, '_')
}

/** Sets each secret key in `options` from its `_file` or its environment variable. */
export async function applySecrets (options: Map<string, string>, r: SectionReader, dir: string,
  env: NodeJS.ProcessEnv): Promise<void> {
  for (const key of SECRET_KEYS) {
    const fileKey = `${key}_file`
    const path = r.path(fileKey, dir)
    if (path !== undefined) {
      if (r.string(key) !== undefined) throw r.fail(fileKey, `give either ${key} or ${fileKey}, not both`)
      options.set(key, await readSecret(r, fileKey, path))
    }
    const fromEnv = env[secretEnvName(r.section, key)]
    if (fromEnv !== undefined && fromEnv !== '') options.set(key, fromEnv)
  }
}

async function readSecret (r: SectionReader, fileKey: string, path: string): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).replace(/\r?\n$/, '')
  } catch (err) {
    throw r.fail(fileKey, `cannot read ${path}: ${describe(err)}`)
  }
}
