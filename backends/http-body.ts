/**
 * Reading response bodies: a download streamed into a file, a range read
 * into a Buffer, and the head of an error body for a message. A body that
 * ends before its Content-Length is an error (kind unavailable), never a
 * short file reported as complete.
 */
import { createWriteStream } from 'node:fs'
import { rm } from 'node:fs/promises'
import type { IncomingMessage } from 'node:http'
import { finished, pipeline } from 'node:stream/promises'
import { BackendError } from '../src/errors.js'
import { SNIPPET_CHARS, describeUrl, networkError } from './http-errors.js'
import { abortReason } from './http-request.js'

// 1 MiB writes instead of 64 KiB: 16x fewer write calls; in loopback runs against nginx as fast or faster.
const WRITE_BUFFER = 1 << 20

/** Streams `res` into `dest` (created or truncated); returns the byte count. A failed download leaves no file. */
export async function downloadTo (res: IncomingMessage, url: URL, dest: string, expected: number | undefined,
  signal?: AbortSignal): Promise<number> {
  const out = createWriteStream(dest, { highWaterMark: WRITE_BUFFER })
  // What arrived, for the message: the file may not have caught up when the connection fails.
  let received = 0
  res.on('data', (chunk: Buffer) => { received += chunk.length })
  try {
    await pipeline(res, out, ...(signal === undefined ? [] : [{ signal }]))
  } catch (err) {
    if (!out.closed) await new Promise<void>(resolve => out.once('close', () => { resolve() }))
    await rm(dest, { force: true })
    throw bodyError(err, url, received, expected, signal)
  }
  if (expected !== undefined && out.bytesWritten !== expected) {
    await rm(dest, { force: true })
    throw shortBody(url, out.bytesWritten, expected)
  }
  return out.bytesWritten
}

/** The whole body of `res`, which must be exactly `expected` bytes. */
export async function readBody (res: IncomingMessage, url: URL, expected: number, signal?: AbortSignal): Promise<Buffer> {
  const chunks: Buffer[] = []
  let got = 0
  try {
    for await (const chunk of res) {
      const b = chunk as Buffer
      got += b.length
      if (got > expected) {
        res.destroy()
        throw new BackendError('invalid', `GET ${describeUrl(url)}: the server sent more than the ${expected} bytes it announced`)
      }
      chunks.push(b)
    }
  } catch (err) {
    throw bodyError(err, url, got, expected, signal)
  }
  if (got !== expected) throw shortBody(url, got, expected)
  return Buffer.concat(chunks, got)
}

/**
 * Reads a body nobody wants (a redirect's) to its end, so its keep-alive
 * socket is free for the next request; a large or unsized one is cheaper
 * to drop with its connection.
 */
export async function discardBody (res: IncomingMessage): Promise<void> {
  const length = Number(res.headers['content-length'] ?? Number.NaN)
  if (!(length <= 65_536)) {
    res.destroy()
    return
  }
  res.resume()
  await finished(res).catch(() => {})
}

/** The start of a text body (" "-joined, at most SNIPPET_CHARS), or '' for HTML and binary bodies. */
export async function errorSnippet (res: IncomingMessage): Promise<string> {
  const type = res.headers['content-type'] ?? ''
  if (!/^(text\/plain|text\/xml|application\/([\w.-]+\+)?(json|xml))\b/i.test(type)) {
    // An HTML error page says no more than its status line.
    await discardBody(res)
    return ''
  }
  const chunks: Buffer[] = []
  let size = 0
  try {
    for await (const chunk of res) {
      chunks.push(chunk as Buffer)
      size += (chunk as Buffer).length
      if (size >= 4096) break
    }
  } catch { /* what arrived is enough for a message */ }
  const text = Buffer.concat(chunks).toString('utf8').replace(/\s+/g, ' ').trim()
  return text.length > SNIPPET_CHARS ? `${text.slice(0, SNIPPET_CHARS)}…` : text
}

function bodyError (err: unknown, url: URL, got: number, expected: number | undefined, signal?: AbortSignal): unknown {
  const reason = abortReason(signal)
  if (reason !== undefined) return reason
  if (err instanceof BackendError) return err
  // Node reports a connection closed mid-body as a bare "aborted" (ECONNRESET).
  if (err instanceof Error && err.message === 'aborted') return shortBody(url, got, expected)
  return networkError('GET', url, err)
}

function shortBody (url: URL, got: number, expected: number | undefined): BackendError {
  const of = expected === undefined ? '' : ` of ${expected}`
  return new BackendError('unavailable', `GET ${describeUrl(url)}: the connection closed after ${got}${of} bytes`)
}
