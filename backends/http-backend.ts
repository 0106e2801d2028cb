/**
 * A pull origin over HTTP(S): one scheme+host+port ("https://host:8443"),
 * every file on it fetched through one keep-alive connection pool. Paths are
 * URL paths as parseHttpOrigin gives them (percent-encoded, query allowed).
 *
 * - stat: HEAD → size (Content-Length), mtime (Last-Modified), etag; 404/410 → undefined.
 * - fetch: GET, conditional on the validator (If-None-Match for an etag,
 *   If-Modified-Since for size+mtime); 304 → not-modified with destFile
 *   untouched; 200 → the body streamed into destFile and checked against
 *   Content-Length. Error answers never reach destFile.
 * - readRange: GET with Range; only a 206 is accepted.
 * - list: GET of a folder's JSON index (http-index.ts).
 * - check: HEAD of "/" (or of a given path): any answer below 500 except
 *   401/403 means reachable; with a path, 404/410 fail too.
 *
 * Configured headers (Authorization, ...) go to this site only, never to
 * another host a redirect points to, and are never logged.
 */
import type { IncomingMessage } from 'node:http'
import { validateHeaderName, validateHeaderValue } from 'node:http'
import { BackendError, describe } from '../src/errors.js'
import type { Logger } from '../src/logger.js'
import type { Backend, CallOptions, FetchResult, ListEntry, RemoteMeta, Validator } from './backend.js'
import { createSiteAgent, loadCaFile } from './http-agent.js'
import { downloadTo, errorSnippet } from './http-body.js'
import { describeUrl, statusError } from './http-errors.js'
import { readJsonIndex } from './http-index.js'
import { conditionalHeaders, contentLength, metaOf } from './http-meta.js'
import { checkRange, rangeBody, rangeHeader } from './http-range.js'
import { requestFollowingRedirects, type Answer, type HttpSite } from './http-redirects.js'

export interface HttpBackendOptions {
  /** scheme://host[:port], nothing after it: "https://mirror.example.com:8443". */
  readonly baseUrl: string
  /** A PEM file with the certificate(s) of a private CA, trusted besides Node's bundled roots. */
  readonly ca?: string
  /** Sent with every request to this site (e.g. Authorization); never logged. */
  readonly headers?: Readonly<Record<string, string>>
  /** Limit for connecting and for any silence of the server, headers and body alike. */
  readonly timeoutMs: number
  readonly log: Logger
}

export class HttpBackend implements Backend {
  readonly name: string
  readonly #site: HttpSite

  constructor (o: HttpBackendOptions) {
    const base = parseBase(o.baseUrl)
    const ca = o.ca === undefined ? undefined : loadCaFile(o.ca)
    this.name = base.origin
    this.#site = {
      base,
      agent: createSiteAgent(base, ca),
      headers: checkedHeaders(o.headers ?? {}),
      ...(ca === undefined ? {} : { ca }),
      timeoutMs: o.timeoutMs,
      log: o.log.child({ origin: base.origin })
    }
  }

  async stat (path: string, o: CallOptions = {}): Promise<RemoteMeta | undefined> {
    const { res, url } = await this.#send('HEAD', path, {}, o.signal)
    if (res.statusCode === 404 || res.statusCode === 410) return done(res, undefined)
    if (!isSuccess(res)) throw await failure('HEAD', url, res)
    const size = contentLength(res.headers)
    if (size === undefined) throw new BackendError('invalid', `HEAD ${describeUrl(url)}: no Content-Length, so the size is unknown`)
    return done(res, metaOf(res.headers, size, Date.now()))
  }

  async fetch (path: string, destFile: string, o: CallOptions & { ifNoneMatch?: Validator } = {}): Promise<FetchResult> {
    const conditional = conditionalHeaders(o.ifNoneMatch)
    const { res, url } = await this.#send('GET', path, conditional, o.signal)
    // A 304 to an unconditional GET would be a server bug; it falls through to an error.
    if (res.statusCode === 304 && o.ifNoneMatch !== undefined) return done(res, { status: 'not-modified' })
    if (res.statusCode !== 200) throw await failure('GET', url, res)
    const answeredAt = Date.now()
    const size = await downloadTo(res, url, destFile, contentLength(res.headers), o.signal)
    return { status: 'fetched', meta: metaOf(res.headers, size, answeredAt) }
  }

  /** Folder `dir` (a path ending in '/') from the server's JSON index (http-index.ts). */
  async * list (dir: string, o: CallOptions = {}): AsyncGenerator<ListEntry> {
    const { res, url } = await this.#send('GET', dir, { accept: 'application/json' }, o.signal)
    if (res.statusCode !== 200) throw await failure('GET', url, res)
    yield * await readJsonIndex(res, url, dir, o.signal)
  }

  async readRange (path: string, offset: number, length: number, o: CallOptions = {}): Promise<Buffer> {
    checkRange(path, offset, length)
    if (length === 0) return Buffer.alloc(0)
    const { res, url } = await this.#send('GET', path, rangeHeader(offset, length), o.signal)
    const slice = await rangeBody(res, url, offset, length, o.signal)
    if (slice === undefined) throw await failure('GET', url, res)
    return slice
  }

  async check (o: CallOptions & { path?: string } = {}): Promise<void> {
    const { res, url } = await this.#send('HEAD', o.path ?? '/', {}, o.signal)
    const s = res.statusCode ?? 0
    const missing = o.path !== undefined && (s === 404 || s === 410)
    if (s === 401 || s === 403 || s >= 500 || missing) throw await failure('HEAD', url, res)
    res.resume()
  }

  async close (): Promise<void> {
    this.#site.agent.destroy()
  }

  #send (method: 'GET' | 'HEAD', path: string, headers: Record<string, string>, signal?: AbortSignal): Promise<Answer> {
    return requestFollowingRedirects(this.#site, method, urlOf(this.#site.base, path), headers, signal)
  }
}

function parseBase (baseUrl: string): URL {
  let url: URL
  try {
    url = new URL(baseUrl)
  } catch {
    throw new BackendError('invalid', `HTTP backend: "${baseUrl}" is not a URL`)
  }
  const bare = url.pathname === '/' && url.search === '' && url.username === '' && url.password === ''
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !bare) {
    throw new BackendError('invalid', `HTTP backend: the base URL must be http(s)://host[:port] alone, got ${url.protocol}//${url.host}${url.pathname}`)
  }
  return url
}

/** The site's URL for `path`; a path can never name another host ("//evil/x" stays a path here). */
function urlOf (base: URL, path: string): URL {
  const url = new URL(`${base.origin}${path.startsWith('/') ? '' : '/'}${path}`)
  if (url.origin !== base.origin) throw new BackendError('invalid', `"${path}" is not a path on ${base.origin}`)
  return url
}

/** Names in lower case, so a configured header and one of ours never go out twice. */
function checkedHeaders (headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    try {
      validateHeaderName(name)
      validateHeaderValue(name, value)
    } catch (err) {
      // The value may be a secret: name the header, quote only Node's reason.
      throw new BackendError('invalid', `HTTP backend: header "${name}" cannot be sent: ${describe(err).replace(value, '…')}`)
    }
    out[name.toLowerCase()] = value
  }
  return out
}

function isSuccess (res: IncomingMessage): boolean {
  return res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300
}

/** Finishes with a body-less answer (reads it to the end so the socket returns to the pool). */
function done<T> (res: IncomingMessage, value: T): T {
  res.resume()
  return value
}

async function failure (method: 'GET' | 'HEAD', url: URL, res: IncomingMessage): Promise<BackendError> {
  const snippet = method === 'HEAD' ? done(res, '') : await errorSnippet(res)
  return statusError(method, url, res.statusCode ?? 0, res.statusMessage, snippet)
}
