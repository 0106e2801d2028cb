/**
 * A plain HTTP proxy in front of a test server that records every request
 * line it forwards, for tests that must show which requests a daemon made
 * (e.g. that a remount sent no S3 LIST). Requests go through unchanged,
 * Host header included, so signed requests (SigV4 signs the host) stay
 * valid at the server behind it.
 *
 *   const p = await countingProxy(t, s3.endpoint)    // closed when t ends
 *   endpoint = p.url                                  // point the client here
 *   p.requests.filter(r => r.includes('list-type=2'))
 */
import { request, createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { TeardownOwner } from './tmp.js'

export interface CountingProxy {
  /** "http://127.0.0.1:PORT" */
  readonly url: string
  /** "METHOD /path?query" of every request, in order of arrival. */
  readonly requests: string[]
}

export async function countingProxy (t: TeardownOwner, target: string): Promise<CountingProxy> {
  const to = new URL(target)
  const requests: string[] = []
  const forward = (req: IncomingMessage, res: ServerResponse): void => {
    requests.push(`${req.method ?? '?'} ${req.url ?? ''}`)
    const out = request({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers }, answer => {
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    })
    out.once('error', () => { res.destroy() })
    req.pipe(out)
  }
  const server = createServer(forward)
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>(resolve => {
    server.closeAllConnections()
    server.close(() => { resolve() })
  }))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests }
}
