/**
 * OpenSSH's known_hosts format (sshd(8), "SSH_KNOWN_HOSTS FILE FORMAT"):
 *
 *   [marker] hostpatterns keytype base64-key [comment]
 *
 * hostpatterns is a comma-separated list of names with * and ? wildcards and
 * !negation, or one hashed name |1|base64(salt)|base64(HMAC-SHA1(salt, name))
 * as written by `ssh-keygen -H` and HashKnownHosts. A server on a port other
 * than 22 is written "[host]:port". Markers: @revoked keys are refused;
 * @cert-authority lines are skipped (certificates are not supported).
 */
import { createHmac, timingSafeEqual } from 'node:crypto'

export interface KnownHostKey {
  readonly revoked: boolean
  readonly keyType: string
  /** The public key blob in SSH wire format, as the server sends it. */
  readonly key: Buffer
  /** 1-based, for messages. */
  readonly line: number
}

interface Entry extends KnownHostKey {
  readonly patterns: string
}

/** The name known_hosts uses for a server: "host", or "[host]:port" off port 22; lower case, as ssh hashes it. */
export function knownHostName (host: string, port: number): string {
  const h = host.toLowerCase()
  return port === 22 ? h : `[${h}]:${port}`
}

/** The keys that `text` lists for `name`, in file order. */
export function knownKeysFor (text: string, name: string): KnownHostKey[] {
  return parseKnownHosts(text)
    .filter(e => hostMatches(e.patterns, name))
    .map(({ revoked, keyType, key, line }) => ({ revoked, keyType, key, line }))
}

function parseKnownHosts (text: string): Entry[] {
  const out: Entry[] = []
  text.split('\n').forEach((raw, i) => {
    const words = raw.trim().split(/\s+/)
    if (words[0] === undefined || words[0] === '' || words[0].startsWith('#')) return
    let revoked = false
    if (words[0].startsWith('@')) {
      if (words[0] !== '@revoked') return
      revoked = true
      words.shift()
    }
    const [patterns, keyType, b64] = words
    if (patterns === undefined || keyType === undefined || b64 === undefined) return
    const key = Buffer.from(b64, 'base64')
    if (key.length === 0) return
    out.push({ patterns, keyType, key, revoked, line: i + 1 })
  })
  return out
}

/** Whether a hostpatterns field names `name` (OpenSSH match_hostname: any negated match wins). */
export function hostMatches (patterns: string, name: string): boolean {
  if (patterns.startsWith('|1|')) return hashedMatches(patterns, name)
  const lower = name.toLowerCase()
  let matched = false
  for (const p of patterns.split(',')) {
    const negated = p.startsWith('!')
    if (!globMatches(negated ? p.slice(1) : p, lower)) continue
    if (negated) return false
    matched = true
  }
  return matched
}

function hashedMatches (field: string, name: string): boolean {
  const [, , salt64, hash64] = field.split('|')
  if (salt64 === undefined || hash64 === undefined) return false
  const want = Buffer.from(hash64, 'base64')
  const got = createHmac('sha1', Buffer.from(salt64, 'base64')).update(name).digest()
  return want.length === got.length && timingSafeEqual(want, got)
}

function globMatches (pattern: string, name: string): boolean {
  const re = pattern.toLowerCase().replace(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*').replaceAll('?', '.')
  return new RegExp(`^${re}$`).test(name)
}

/** The key type named inside a wire-format key blob ("ssh-ed25519"), or undefined. */
export function keyTypeOf (blob: Buffer): string | undefined {
  if (blob.length < 4) return undefined
  const len = blob.readUInt32BE(0)
  return len > 0 && 4 + len <= blob.length ? blob.subarray(4, 4 + len).toString('latin1') : undefined
}
