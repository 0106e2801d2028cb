/**
 * A local HTTP server that plays an S3 endpoint badly on purpose, for the
 * failures a real RGW will not produce on demand: a body cut short, a
 * stall halfway, a transient 503. It checks no signature. It counts TCP
 * connections, so tests can see whether a client pools them.
 *
 *   const s3 = await fakeS3(t, (req, res) => { ... })   // closed when t ends
 *   new S3Backend({ bucket: 'b', endpoint: s3.url, ...FAKE_S3_CREDENTIALS, log })
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { TeardownOwner } from './tmp.js'

export interface FakeS3 {
  readonly url: string
  readonly connections: () => number
  /** Method and URL of every request, in order. */
  readonly requests: string[]
}

export const FAKE_S3_SETTINGS = {
  region: 'us-east-1', credentials: { accessKeyId: 'AK', secretAccessKey: 'SK' }
} as const

export async function fakeS3 (t: TeardownOwner, handler: (req: IncomingMessage, res: ServerResponse, n: number) => void): Promise<FakeS3> {
  let connections = 0
  const requests: string[] = []
  const srv = createServer((req, res) => {
    requests.push(`${req.method ?? ''} ${req.url ?? ''}`)
    handler(req, res, requests.length)
  })
  srv.on('connection', () => { connections++ })
  await new Promise<void>(resolve => srv.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise(resolve => { srv.closeAllConnections(); srv.close(resolve) }))
  return { url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`, connections: () => connections, requests }
}

/** Headers of an object as S3 sends them with a GetObject or HeadObject answer. */
export function objectHeaders (size: number, etag = '"abc"'): Record<string, string> {
  return { 'Content-Length': String(size), ETag: etag, 'Last-Modified': new Date(0).toUTCString() }
}
