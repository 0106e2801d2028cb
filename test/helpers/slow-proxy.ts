/**
 * A TCP proxy on 127.0.0.1 that passes bytes from client to server at a
 * limited rate (answers flow at full speed), for tests that need a transfer
 * to a real server (RGW, sshd) to take long enough to be aborted halfway.
 *
 *   const p = await slowProxy(t, 18082, 200 * 1024)   // closed when t ends
 *   endpoint = `http://127.0.0.1:${p.port}`
 *
 * Closing it destroys every connection in flight.
 */
import { createConnection, createServer, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import type { TeardownOwner } from './tmp.js'

export interface SlowProxy {
  readonly port: number
  close(): Promise<void>
}

const TICK_MS = 50

export async function slowProxy (t: TeardownOwner, targetPort: number, bytesPerSecond: number): Promise<SlowProxy> {
  const sockets = new Set<Socket>()
  const srv = createServer(client => {
    const server = createConnection({ host: '127.0.0.1', port: targetPort })
    for (const s of [client, server]) {
      sockets.add(s)
      s.on('error', () => { client.destroy(); server.destroy() })
      s.on('close', () => { sockets.delete(s); client.destroy(); server.destroy() })
    }
    server.pipe(client)
    throttle(client, server, bytesPerSecond)
  })
  await new Promise<void>(resolve => srv.listen({ host: '127.0.0.1', port: 0 }, resolve))
  const close = async (): Promise<void> => {
    for (const s of sockets) s.destroy()
    await new Promise<void>(resolve => srv.close(() => { resolve() }))
  }
  t.teardown(close)
  return { port: (srv.address() as AddressInfo).port, close }
}

/** Forwards `from` to `to`, at most bytesPerSecond, by pausing `from` while its budget is spent. */
function throttle (from: Socket, to: Socket, bytesPerSecond: number): void {
  const perTick = Math.max(1, Math.floor(bytesPerSecond * TICK_MS / 1000))
  const queue: Buffer[] = []
  let ended = false
  const timer = setInterval(() => {
    let budget = perTick
    while (budget > 0 && queue.length > 0) {
      const head = queue[0] as Buffer
      const n = Math.min(budget, head.length)
      to.write(head.subarray(0, n))
      budget -= n
      if (n === head.length) queue.shift()
      else queue[0] = head.subarray(n)
    }
    if (queue.length > 0) return
    if (ended) { clearInterval(timer); to.end() } else from.resume()
  }, TICK_MS)
  from.on('data', (b: Buffer) => { queue.push(b); from.pause() })
  from.on('end', () => { ended = true })
  to.on('close', () => { clearInterval(timer) })
}
