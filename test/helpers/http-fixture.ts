/**
 * HttpBackends pointed at the test nginx (servers/nginx.ts), and the file
 * operations the conformance suite needs on its docroot.
 *
 *   const b = nginxBackend(t, n, { tls: true, auth: 'good' })   // closed when t ends
 *   await putFile(join(n.wwwDir, 'private'), 'a.txt', data)     // new mtime, so a new ETag
 */
import { randomBytes } from 'node:crypto'
import { stat, utimes, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { HttpBackend } from '../../backends/http-backend.js'
import { silentLogger, type Logger } from '../../src/logger.js'
import type { NginxServer } from './servers/nginx.js'
import type { TeardownOwner } from './tmp.js'

export interface NginxBackendOptions {
  /** https with the test CA (default: plain http). */
  readonly tls?: boolean
  /** Send the CA file when tls is on (default true). */
  readonly trustCa?: boolean
  /** Basic auth for /private/: the right password, a wrong one, or none (default 'good'). */
  readonly auth?: 'good' | 'bad' | 'none'
  readonly timeoutMs?: number
  readonly log?: Logger
}

export function basicAuth (user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`
}

export function nginxBackend (t: TeardownOwner, n: NginxServer, o: NginxBackendOptions = {}): HttpBackend {
  const tls = o.tls === true
  const auth = o.auth ?? 'good'
  const password = auth === 'bad' ? 'not-the-password' : n.password
  const b = new HttpBackend({
    baseUrl: tls ? n.httpsUrl : n.httpUrl,
    ...(tls && o.trustCa !== false ? { ca: n.caFile } : {}),
    ...(auth === 'none' ? {} : { headers: { Authorization: basicAuth(n.user, password) } }),
    timeoutMs: o.timeoutMs ?? 10_000,
    log: o.log ?? silentLogger
  })
  t.teardown(() => b.close())
  return b
}

/**
 * Writes `name` under `dir` (world-readable, for nginx's workers) and moves
 * its mtime at least 2 s past the previous one: nginx's ETag is mtime+size,
 * so a same-size rewrite within one second would keep the old ETag.
 */
export async function putFile (dir: string, name: string, data: Buffer): Promise<void> {
  const file = join(dir, name)
  const before = await stat(file).then(s => s.mtimeMs / 1000, () => 0)
  await writeFile(file, data, { mode: 0o644 })
  const next = Math.max(Math.floor(Date.now() / 1000), Math.floor(before) + 2)
  await utimes(file, next, next)
}

/** A random file of `size` bytes in `dir`; returns its content. */
export async function seedFile (dir: string, name: string, size: number): Promise<Buffer> {
  const data = randomBytes(size)
  await putFile(dir, name, data)
  return data
}
