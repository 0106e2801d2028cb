/**
 * Splits an http(s) origin from the config into the part that picks a
 * backend (one HttpBackend, one connection pool, per scheme+host+port) and
 * the object's path on it.
 *
 *   parseHttpOrigin('https://Example.com/a%2Fb/file.rpm?v=1')
 *   → { key: 'https://example.com:443', baseUrl: 'https://example.com', path: '/a%2Fb/file.rpm?v=1' }
 *
 * The path is what goes on the request line: percent-encoding is kept as
 * written (never decoded, so %2F stays one path segment), characters a URL
 * cannot carry (spaces, non-ASCII) are encoded, dot segments are resolved
 * and the #fragment is dropped, as WHATWG URL parsing does.
 */
import { BackendError } from '../src/errors.js'

export interface HttpOrigin {
  /** Which backend serves it: scheme://host:port, the port always written out. */
  readonly key: string
  /** For HttpBackend's baseUrl and for logs: scheme://host[:port], the default port left out. */
  readonly baseUrl: string
  /** Pathname and query, percent-encoded: "/dir/file", "/" at least. */
  readonly path: string
}

const DEFAULT_PORT: Readonly<Record<string, string>> = { 'http:': '80', 'https:': '443' }

export function parseHttpOrigin (origin: string): HttpOrigin {
  let url: URL
  try {
    url = new URL(origin)
  } catch {
    throw new BackendError('invalid', `"${redactUserinfo(origin)}" is not a URL`)
  }
  const defaultPort = DEFAULT_PORT[url.protocol]
  if (defaultPort === undefined) {
    throw new BackendError('invalid', `"${redactUserinfo(origin)}": only http:// and https:// origins are served by the HTTP backend`)
  }
  if (url.username !== '' || url.password !== '') {
    // They would be written into every log line and status output that names the origin.
    throw new BackendError('invalid',
      `"${redactUserinfo(origin)}": credentials in the URL are not supported; give them as a header option instead`)
  }
  if (url.hostname === '') throw new BackendError('invalid', `"${redactUserinfo(origin)}" has no host`)
  return {
    key: `${url.protocol}//${url.hostname}:${url.port === '' ? defaultPort : url.port}`,
    baseUrl: url.origin,
    path: `${url.pathname === '' ? '/' : url.pathname}${url.search}`
  }
}

/** `scheme://user:pass@host/…` → `scheme://…@host/…`, so a refusal never echoes a password. */
export function redactUserinfo (s: string): string {
  return s.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/?#]*@/, '$1…@')
}
