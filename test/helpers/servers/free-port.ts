/**
 * A TCP port on 127.0.0.1 that was free a moment ago: bind port 0, read the
 * port the kernel chose, release it. Another process may take it before the
 * server binds, so servers started on it retry with a new one when they see
 * "Address already in use" (see startOnFreePort in daemon-process.ts).
 */
import { createServer } from 'node:net'

export function freePort (): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.unref()
    srv.once('error', reject)
    srv.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const addr = srv.address()
      if (addr === null || typeof addr === 'string') {
        srv.close()
        reject(new Error('freePort: no TCP address'))
        return
      }
      srv.close(() => { resolve(addr.port) })
    })
  })
}
