/**
 * A folder of an HTTP origin, read from the server's machine-readable
 * index: nginx's `autoindex on; autoindex_format json;` answers a GET of
 * the folder with
 *
 *   [ { "name": "a b.txt", "type": "file", "mtime": "Sat, 21 Nov 2026 10:00:16 GMT", "size": 12 },
 *     { "name": "sub", "type": "directory", "mtime": "…" } ]
 *
 * Names are plain text (JSON-escaped, not URL-encoded); an entry's path is
 * the folder's path plus the percent-encoded name. An HTML index (nginx's
 * default, Apache's) has no reliable sizes or times, so it is refused with
 * an error that says which setting gives JSON rather than scraped.
 */
import type { IncomingMessage } from 'node:http'
import { BackendError } from '../src/errors.js'
import type { ListEntry } from './backend.js'
import { describeUrl, networkError } from './http-errors.js'
import { abortReason } from './http-request.js'

/** A JSON index is ~100 bytes per entry: room for about 600,000 entries. */
const INDEX_LIMIT = 64 * 1024 * 1024

/** The entries of the JSON index in `res` (a 200 answer to GET `dir`). */
export async function readJsonIndex (res: IncomingMessage, url: URL, dir: string, signal?: AbortSignal): Promise<ListEntry[]> {
  const type = res.headers['content-type'] ?? ''
  if (!/^application\/json\b/i.test(type)) {
    res.destroy()
    const what = /html/i.test(type) ? 'an HTML index' : `"${type === '' ? 'no content type' : type}"`
    throw new BackendError('invalid', `GET ${describeUrl(url)}: the server sent ${what}, not a JSON folder listing ` +
      '(directory origins over HTTP need one, e.g. nginx "autoindex on; autoindex_format json;")')
  }
  const items = parseIndex(await readText(res, url, signal), url)
  const out: ListEntry[] = []
  for (const item of items) {
    const e = entryOf(item, dir, url)
    if (e !== undefined) out.push(e)
  }
  return out
}

async function readText (res: IncomingMessage, url: URL, signal: AbortSignal | undefined): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  try {
    for await (const chunk of res) {
      size += (chunk as Buffer).length
      if (size > INDEX_LIMIT) {
        res.destroy()
        throw new BackendError('invalid', `GET ${describeUrl(url)}: the folder listing is longer than ${INDEX_LIMIT} bytes; not served`)
      }
      chunks.push(chunk as Buffer)
    }
  } catch (err) {
    throw (abortReason(signal) ?? networkError('GET', url, err))
  }
  return Buffer.concat(chunks, size).toString('utf8')
}

function parseIndex (text: string, url: URL): unknown[] {
  let v: unknown
  try {
    v = JSON.parse(text)
  } catch {
    v = undefined
  }
  if (!Array.isArray(v)) throw new BackendError('invalid', `GET ${describeUrl(url)}: the JSON folder listing is not an array`)
  return v
}

/** One index item as an entry; undefined for what is neither file nor folder ("other"). */
function entryOf (item: unknown, dir: string, url: URL): ListEntry | undefined {
  const o = typeof item === 'object' && item !== null ? item as Record<string, unknown> : {}
  const name = o['name']
  const kind = o['type']
  if (typeof name !== 'string') throw new BackendError('invalid', `GET ${describeUrl(url)}: a listing entry without a name`)
  if (kind !== 'file' && kind !== 'directory') return undefined
  const mtime = typeof o['mtime'] === 'string' ? Date.parse(o['mtime']) : Number.NaN
  const size = o['size']
  if (kind === 'file' && (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)) {
    throw new BackendError('invalid', `GET ${describeUrl(url)}: "${name}" has no size in the listing`)
  }
  const meta = { size: typeof size === 'number' ? size : 0, mtimeMs: Number.isNaN(mtime) ? 0 : mtime }
  return kind === 'directory'
    ? { name, type: 'dir', meta, path: `${dir}${encodeURIComponent(name)}/` }
    : { name, type: 'file', meta, path: `${dir}${encodeURIComponent(name)}` }
}
