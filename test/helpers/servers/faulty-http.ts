/**
 * A small node:http server that misbehaves on purpose, in ways nginx will
 * not: bodies shorter than their Content-Length, answers that never come or
 * stop halfway, no Last-Modified, Range ignored, a keep-alive connection
 * dropped when reused. On 127.0.0.1 and a port of its own; closed when t ends.
 *
 *   /short           Content-Length 1000, 100 bytes, then the connection is closed
 *   /hang            headers never sent
 *   /stall           headers and 10 of 1000 bytes, then silence
 *   /plain           200 "plain body\n" without Last-Modified and ETag (Range ignored)
 *   /chunked         200 without Content-Length (chunked)
 *   /status?code=N   an empty answer with status N ("Location: ftp://x/" for 3xx)
 *   /text-error      503 with a long text/plain body, chunked
 *   /flaky           200 on a fresh connection; a reused one is dropped without an answer
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { TeardownOwner } from '../tmp.js'

export const TEXT_ERROR = `${'overloaded '.repeat(40)}END-OF-BODY`

const requestsOn = new WeakMap<Socket, number>()

function handle (req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://x')
  const n = (requestsOn.get(req.socket) ?? 0) + 1
  requestsOn.set(req.socket, n)
  switch (url.pathname) {
    case '/short':
      res.writeHead(200, { 'content-length': '1000' })
      res.write(Buffer.alloc(100, 1), () => { req.socket.destroy() })
      return
    case '/hang':
      return
    case '/stall':
      res.writeHead(200, { 'content-length': '1000' })
      res.write(Buffer.alloc(10, 2))
      return
    case '/plain':
      res.writeHead(200, { 'content-length': '11' }).end(req.method === 'HEAD' ? undefined : 'plain body\n')
      return
    case '/chunked':
      res.write('part one, ')
      res.end('part two\n')
      return
    case '/status':
      res.writeHead(Number(url.searchParams.get('code')), { location: 'ftp://x/' }).end()
      return
    case '/text-error':
      res.writeHead(503, { 'content-type': 'text/plain' }).end(TEXT_ERROR)
      return
    case '/flaky':
      if (n > 1) req.socket.destroy()
      else res.end('fresh\n')
      return
    default:
      res.writeHead(404).end()
  }
}

/** Starts the server; resolves with its base URL ("http://127.0.0.1:PORT"). */
export async function startFaultyHttp (t: TeardownOwner): Promise<string> {
  const server = createServer(handle)
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>(resolve => {
    server.closeAllConnections()
    server.close(() => { resolve() })
  }))
  const addr = server.address()
  if (addr === null || typeof addr === 'string') throw new Error('no TCP address')
  return `http://127.0.0.1:${addr.port}`
}
