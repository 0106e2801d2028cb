/**
 * HTTP answers and socket failures as BackendErrors. An error answer is
 * never content: its status becomes a kind, and the message names the
 * request and the status line (plus, for short text bodies, their first
 * ~200 characters). URLs in messages leave out the query, which may carry
 * a signature or token.
 */
import { BackendError, type BackendErrorKind } from '../src/errors.js'

/** At most this much of an error body goes into a message. */
export const SNIPPET_CHARS = 200

/** "https://host:8443/dir/file" (with "?…" when a query was cut off). */
export function describeUrl (url: URL): string {
  return `${url.origin}${url.pathname}${url.search === '' ? '' : '?…'}`
}

export function kindOfStatus (status: number): BackendErrorKind {
  if (status === 404 || status === 410) return 'not-found'
  if (status === 401 || status === 403) return 'forbidden'
  // 408 and 429 say "not now", not "never": let callers treat them like a slow or busy server.
  if (status === 408) return 'timeout'
  if (status === 429 || status >= 500) return 'unavailable'
  return 'invalid'
}

export function statusError (method: string, url: URL, status: number, statusText: string | undefined,
  snippet = ''): BackendError {
  const line = `${status} ${statusText ?? ''}`.trim()
  const body = snippet === '' ? '' : `: ${snippet}`
  return new BackendError(kindOfStatus(status), `${method} ${describeUrl(url)}: ${line}${body}`)
}

const UNREACHABLE: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by the server',
  EPIPE: 'connection closed by the server',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed (temporary DNS failure)',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EADDRNOTAVAIL: 'address not available'
}

/** A socket, DNS or TLS failure of `method url` as a BackendError (BackendErrors pass through). */
export function networkError (method: string, url: URL, err: unknown): BackendError {
  if (err instanceof BackendError) return err
  const code = codeOf(err)
  const detail = err instanceof Error ? err.message : String(err)
  const where = `${method} ${describeUrl(url)}`
  if (isCertificateError(code)) {
    return new BackendError('unavailable',
      `${where}: certificate of ${url.host} not accepted: ${detail} (${code}); for a private CA, give its certificate with the ca option`,
      { cause: err })
  }
  if (code === 'ETIMEDOUT') return new BackendError('timeout', `${where}: connection timed out (${detail})`, { cause: err })
  const what = code === undefined ? undefined : UNREACHABLE[code]
  if (what !== undefined) return new BackendError('unavailable', `${where}: ${what} (${detail})`, { cause: err })
  if (code?.startsWith('ERR_SSL') === true || code?.startsWith('ERR_TLS') === true) {
    return new BackendError('unavailable', `${where}: TLS handshake failed: ${detail}`, { cause: err })
  }
  return new BackendError('unavailable', `${where}: ${detail}`, { cause: err })
}

export function timeoutError (method: string, url: URL, ms: number): BackendError {
  return new BackendError('timeout', `${method} ${describeUrl(url)}: no data from the server for ${ms} ms`)
}

function codeOf (err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined
  const code = (err as { code?: unknown }).code
  return typeof code === 'string' ? code : undefined
}

/** OpenSSL's verify codes as Node reports them (DEPTH_ZERO_SELF_SIGNED_CERT, CERT_HAS_EXPIRED, ...). */
function isCertificateError (code: string | undefined): boolean {
  if (code === undefined) return false
  return code.includes('CERT') || code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' || code === 'ERR_TLS_CERT_ALTNAME_INVALID'
}
