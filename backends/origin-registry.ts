/**
 * The one place that maps a pull origin string to a Backend. Origins that
 * can share a connection (same host, port, user and credentials; same S3
 * endpoint and bucket) get the same Backend instance, so many files from one
 * server use one pool. src/ asks only for `open(file)` and `close()`.
 */
import { createHash } from 'node:crypto'
import { isAbsolute, resolve } from 'node:path'
import type { PullFileConfig } from '../src/config/types.js'
import { BackendError, describe } from '../src/errors.js'
import { StemError } from '../src/exit-codes.js'
import type { Logger } from '../src/logger.js'
import type { Backend } from './backend.js'
import { HttpBackend } from './http-backend.js'
import { parseHttpOrigin } from './http-origin.js'
import { RsyncOriginBackend } from './rsync-origin-backend.js'
import { parseRsyncOrigin } from './rsync-origin.js'
import { S3Backend } from './s3-backend.js'
import { parseS3Origin } from './s3-origin.js'
import { SftpBackend } from './sftp-backend.js'
import { parseSftpOrigin } from './sftp-origin.js'

export interface OpenedOrigin {
  readonly backend: Backend
  /** The object's path within the backend; for a directory origin the folder's, ending in '/' (or '' for a bucket, module or login folder). */
  readonly path: string
}

export interface OriginRegistryOptions {
  readonly log: Logger
  /** The config file's folder: relative key/CA paths start there. */
  readonly configDir: string
  /** HTTP(S): connect and silence limit. */
  readonly httpTimeoutMs?: number
}

interface Plan { readonly key: string; readonly path: string; readonly make: () => Backend }

/** `http_user` + `password`: HTTP basic authentication (the password may come from a file or the environment). */
function basicAuth (opts: ReadonlyMap<string, string>): Record<string, string> | undefined {
  const user = opts.get('http_user')
  if (user === undefined || user === '') return undefined
  const password = opts.get('password') ?? ''
  return { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` }
}

function digest (s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 12)
}

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//

export class OriginRegistry {
  private readonly backends = new Map<string, Backend>()

  constructor (private readonly o: OriginRegistryOptions) {}

  /** The backend and path for a file section; throws StemError(configInvalid) naming the section. */
  open (file: PullFileConfig): OpenedOrigin {
    let plan: Plan
    try {
      plan = this.plan(file)
    } catch (err) {
      if (err instanceof BackendError || err instanceof RangeError) {
        throw new StemError('configInvalid', `[${file.section}] origin: ${describe(err)}`, { cause: err })
      }
      throw err
    }
    let backend = this.backends.get(plan.key)
    if (backend === undefined) {
      backend = plan.make()
      this.backends.set(plan.key, backend)
    }
    return { backend, path: plan.path }
  }

  /** Every backend opened so far (for preflight checks and status). */
  all (): readonly Backend[] { return [...this.backends.values()] }

  async close (): Promise<void> {
    await Promise.allSettled([...this.backends.values()].map(b => b.close()))
    this.backends.clear()
  }

  private plan (file: PullFileConfig): Plan {
    const scheme = SCHEME.exec(file.origin)?.[1]?.toLowerCase()
    const log = this.o.log.child({ part: 'origin' })
    const opts = file.options
    // A directory origin (the config gives it a listing cache time) names a folder: its path ends in '/'.
    const folder = file.dirCachetimeMs !== undefined
    if (scheme === 'http' || scheme === 'https') {
      const h = parseHttpOrigin(file.origin)
      if (folder && !h.path.endsWith('/')) throw new BackendError('invalid', `"${file.origin}": a folder origin ends in "/" (and has no ?query)`)
      const ca = this.path(opts.get('ca'))
      const timeoutMs = this.o.httpTimeoutMs ?? 60_000
      const headers = basicAuth(opts)
      return {
        // files with different credentials must not share one backend: the key carries a digest, not the secret
        key: `${h.key} ca=${ca ?? ''} auth=${headers === undefined ? '' : digest(headers['authorization'] ?? '')}`,
        path: h.path,
        make: () => new HttpBackend({ baseUrl: h.baseUrl, timeoutMs, log, ...(ca === undefined ? {} : { ca }), ...(headers === undefined ? {} : { headers }) })
      }
    }
    if (scheme === 's3') {
      const s = parseS3Origin(file.origin, opts, undefined, folder)
      return { key: `s3 ${s.key}`, path: s.path, make: () => new S3Backend({ ...s.settings, log }) }
    }
    if (scheme === 'sftp') {
      const s = parseSftpOrigin(file.origin, opts, undefined, { configDir: this.o.configDir, folder })
      return { key: `sftp ${s.key}`, path: s.path, make: () => new SftpBackend({ ...s.settings, log }) }
    }
    const r = parseRsyncOrigin(file.origin, opts, undefined, this.o.configDir, folder)
    return { key: `rsync ${r.key}`, path: r.path, make: () => new RsyncOriginBackend(r.settings, { log }) }
  }

  private path (p: string | undefined): string | undefined {
    if (p === undefined || p === '') return undefined
    return isAbsolute(p) ? p : resolve(this.o.configDir, p)
  }
}
