/**
 * A config file that holds a secret inline (not as `<key>_file` or in the
 * environment) should be readable by its owner only: anyone who can read
 * the file has the credentials. The loader cannot fix that, and refusing
 * would break configs that worked before, so it warns (the log at mount,
 * and `stem check`), naming the file, its mode and the fix.
 */
import type { IniDocument } from './ini-document.js'
import { DEFAULT_SECTION } from './ini-document.js'

/**
 * The keys whose values are secrets. access_key_id is a credential's name,
 * not the credential: a file holding only that is no reason to warn.
 */
export const INLINE_SECRET_KEYS: readonly string[] = ['password', 'secret_access_key', 'session_token', 'key_passphrase']

/** Whether any section ([DEFAULT] included) writes a secret key itself with a value. */
export function holdsInlineSecrets (doc: IniDocument): boolean {
  return [DEFAULT_SECTION, ...doc.sectionNames()].some(section =>
    INLINE_SECRET_KEYS.some(key => doc.isOwn(section, key) && (doc.raw(section, key) ?? '') !== ''))
}

/** The warning for `file` with permission bits `mode`, or undefined when group and others cannot read it. */
export function exposedSecretsWarning (doc: IniDocument, file: string, mode: number): string | undefined {
  if ((mode & 0o044) === 0 || !holdsInlineSecrets(doc)) return undefined
  const octal = (mode & 0o7777).toString(8).padStart(4, '0')
  return `${file} holds secrets and is readable by others (mode ${octal}): chmod 600 it`
}
