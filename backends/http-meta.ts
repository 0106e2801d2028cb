/**
 * RemoteMeta from HTTP response headers, and the request headers that make
 * a fetch conditional on a Validator.
 *
 * - size: Content-Length (for a GET the caller checks the body against it).
 * - mtimeMs: Last-Modified. A server that sends none (generated content)
 *   gets the time of the answer instead: the file then looks new on every
 *   fetch, which is true to what such a server tells us, and an
 *   If-Modified-Since sent later with it can only err towards refetching.
 * - etag: ETag exactly as sent, quotes and W/ included, since that is the
 *   form If-None-Match must carry back.
 */
import type { IncomingHttpHeaders } from 'node:http'
import type { RemoteMeta, Validator } from './backend.js'

/** Content-Length as a number, or undefined when absent or not a plain decimal. */
export function contentLength (headers: IncomingHttpHeaders): number | undefined {
  const v = headers['content-length']
  if (v === undefined || !/^\d+$/.test(v)) return undefined
  const n = Number(v)
  return Number.isSafeInteger(n) ? n : undefined
}

/** Last-Modified in ms, or `answeredAtMs` when the server sent no usable one. */
export function mtimeOf (headers: IncomingHttpHeaders, answeredAtMs: number): number {
  const v = headers['last-modified']
  const ms = v === undefined ? Number.NaN : Date.parse(v)
  return Number.isFinite(ms) ? ms : answeredAtMs
}

export function metaOf (headers: IncomingHttpHeaders, size: number, answeredAtMs: number): RemoteMeta {
  const etag = headers.etag
  return {
    size,
    mtimeMs: mtimeOf(headers, answeredAtMs),
    ...(etag === undefined || etag === '' ? {} : { etag })
  }
}

/**
 * If-None-Match for an etag validator; If-Modified-Since with the mtime for
 * a size+mtime one (HTTP has no size condition, and dates have whole
 * seconds: a sub-second mtime is rounded down, so the server answers 200
 * rather than a wrong 304).
 */
export function conditionalHeaders (v: Validator | undefined): Record<string, string> {
  if (v === undefined) return {}
  if ('etag' in v) return { 'if-none-match': v.etag }
  return { 'if-modified-since': new Date(Math.floor(v.mtimeMs / 1000) * 1000).toUTCString() }
}

/** "bytes 0-99/1234" → { start, end, total } (total undefined for "*"), or undefined. */
export function parseContentRange (v: string | undefined): { start: number; end: number; total?: number } | undefined {
  const m = v === undefined ? null : /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(v.trim())
  if (m === null) return undefined
  const [start, end, total] = [Number(m[1]), Number(m[2]), m[3] === '*' ? undefined : Number(m[3])]
  if (end < start) return undefined
  return total === undefined ? { start, end } : { start, end, total }
}
