/**
 * The answer to a `Range: bytes=FIRST-LAST` GET, as the bytes asked for.
 * Only 206 with a matching Content-Range counts: a 200 means the server
 * ignores ranges and is sending the whole file, which a range reader must
 * not mistake for the slice (nor download in full to cut one out), so it is
 * refused with kind invalid. The server may end the range early at the end
 * of the file; then fewer bytes come back, as with a short pread.
 */
import type { IncomingMessage } from 'node:http'
import { BackendError } from '../src/errors.js'
import { readBody } from './http-body.js'
import { describeUrl } from './http-errors.js'
import { parseContentRange } from './http-meta.js'

export function rangeHeader (offset: number, length: number): Record<string, string> {
  return { range: `bytes=${offset}-${offset + length - 1}` }
}

/** Throws BackendError(invalid) unless offset and length are whole, non-negative and safe. */
export function checkRange (path: string, offset: number, length: number): void {
  const ok = (n: number): boolean => Number.isSafeInteger(n) && n >= 0
  if (!ok(offset) || !ok(length) || !Number.isSafeInteger(offset + length)) {
    throw new BackendError('invalid', `readRange ${path}: offset ${offset} and length ${length} must be whole numbers ≥ 0`)
  }
}

/**
 * The slice from a 206 answer; undefined for any other status, which the
 * caller reports (416 excepted: reported here, with the file's size).
 */
export async function rangeBody (res: IncomingMessage, url: URL, offset: number, length: number,
  signal?: AbortSignal): Promise<Buffer | undefined> {
  const asked = `bytes ${offset}-${offset + length - 1}`
  const where = `GET ${describeUrl(url)} (${asked})`
  if (res.statusCode === 200) {
    res.destroy()
    throw new BackendError('invalid', `${where}: the server ignores Range requests (200 with the whole file)`)
  }
  if (res.statusCode === 416) {
    res.resume()
    const size = /^bytes \*\/(\d+)$/.exec(res.headers['content-range'] ?? '')?.[1]
    const of = size === undefined ? '' : ` of ${size} bytes`
    throw new BackendError('invalid', `${where}: 416 Range Not Satisfiable: the range starts past the end of the file${of}`)
  }
  if (res.statusCode !== 206) return undefined
  const got = parseContentRange(res.headers['content-range'])
  if (got === undefined || got.start !== offset || got.end > offset + length - 1) {
    res.destroy()
    throw new BackendError('invalid', `${where}: answered with Content-Range "${res.headers['content-range'] ?? ''}"`)
  }
  return await readBody(res, url, got.end - got.start + 1, signal)
}
