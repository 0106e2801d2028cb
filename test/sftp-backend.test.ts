// SftpBackend against a real OpenSSH sshd: the backend conformance suite,
// byte ranges, the connection pool (reuse, no sockets left after close, a
// restarted sshd), aborts, and SFTP permission errors.
import { randomBytes } from 'node:crypto'
import { mkdir, readFile, stat, unlink, utimes, writeFile } from 'node:fs/promises'
import { createServer, type AddressInfo, type Socket } from 'node:net'
import { join } from 'node:path'
import t from 'tap'
import { SftpBackend, type SftpBackendOptions } from '../backends/sftp-backend.js'
import { BackendError } from '../src/errors.js'
import { backendConformance } from './helpers/backend-conformance.js'
import { descendantsOf, socketsTo } from './helpers/open-sockets.js'
import { freePort } from './helpers/servers/free-port.js'
import { sshdUnavailable, sshKeygen, startSshd, type SshdServer } from './helpers/servers/sshd.js'
import { restartableSshd } from './helpers/sshd-restart.js'
import { tmpDir } from './helpers/tmp.js'

const skip = sshdUnavailable()
const sshd = skip === undefined ? await startSshd(t) : undefined

function backendFor (s: SshdServer, o: Partial<SftpBackendOptions> = {}): SftpBackend {
  return new SftpBackend({ host: s.host, port: s.port, user: s.user, identityFile: s.keyFile, knownHostsFile: s.knownHostsFile, ...o })
}

/** Writes a file into the server's folder; a rewrite gets an mtime 3 s later, so size+mtime sees the change. */
async function putFile (file: string, data: Buffer): Promise<void> {
  const before = await stat(file).catch(() => undefined)
  await writeFile(file, data)
  if (before !== undefined) {
    const later = Math.floor(before.mtimeMs / 1000) + 3
    await utimes(file, later, later)
  }
}

t.test('conformance', { skip: skip ?? false }, async t => {
  if (sshd === undefined) return
  const dir = join(sshd.remoteDir, 'conformance')
  await mkdir(dir)
  await backendConformance(t, 'sftp (OpenSSH)', {
    validator: 'size-mtime',
    setup: async () => ({
      backend: backendFor(sshd),
      pathOf: name => join(dir, name),
      put: (name, data) => putFile(join(dir, name), data),
      remove: name => unlink(join(dir, name))
    }),
    unreachable: async () => backendFor(sshd, { port: await freePort() }),
    wrongCredentials: async t => {
      const other = join(await tmpDir(t), 'not_authorized')
      await sshKeygen(other)
      return backendFor(sshd, { identityFile: other })
    }
  })
})

t.test('messages and kinds of connection failures', { skip: skip ?? false }, async t => {
  if (sshd === undefined) return
  const other = join(await tmpDir(t), 'not_authorized')
  await sshKeygen(other)
  const bad = backendFor(sshd, { identityFile: other })
  t.teardown(() => bad.close())
  await t.rejects(bad.check(), { kind: 'forbidden', message: `authentication failed for root@127.0.0.1:${sshd.port} (offered: key ${other})` })
  const port = await freePort()
  const down = backendFor(sshd, { port })
  t.teardown(() => down.close())
  await t.rejects(down.stat('/x'), { kind: 'unavailable', message: `root@127.0.0.1:${port}: connection refused (ECONNREFUSED)` })
  const noKey = backendFor(sshd, { identityFile: join(sshd.dir, 'no-such-key') })
  t.teardown(() => noKey.close())
  await t.rejects(noKey.check(), { kind: 'invalid', message: /^cannot read ssh_key .*no-such-key: .*ENOENT/ })
})

t.test('a server that never speaks ssh', { skip: skip ?? false }, async t => {
  if (sshd === undefined) return
  const silent = await listen(() => {})
  const slow = backendFor(sshd, { port: silent, readyTimeoutMs: 300 })
  t.teardown(() => slow.close())
  await t.rejects(slow.check(), { kind: 'timeout', message: `root@127.0.0.1:${silent}: no ssh session within 300 ms` }, 'silence: timeout')
  const http = await listen(sock => { sock.end('HTTP/1.1 400 Bad Request\r\n\r\n') })
  const wrong = backendFor(sshd, { port: http })
  t.teardown(() => wrong.close())
  await t.rejects(wrong.check(), { kind: 'unavailable', message: new RegExp(`^cannot connect to root@127\\.0\\.0\\.1:${http}: `) }, 'not ssh: unavailable')
})

/** A local TCP server that hands each connection to `onConnection`; closed when the test ends. */
async function listen (onConnection: (sock: Socket) => void): Promise<number> {
  const sockets = new Set<Socket>()
  const server = createServer(sock => { sockets.add(sock); onConnection(sock) })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { for (const s of sockets) s.destroy(); server.close() })
  return (server.address() as AddressInfo).port
}

t.test('readRange returns exactly the bytes asked for', { skip: skip ?? false }, async t => {
  if (sshd === undefined) return
  const data = randomBytes(1024 * 1024 + 13)
  const file = join(sshd.remoteDir, 'range.bin')
  await writeFile(file, data)
  const b = backendFor(sshd)
  t.teardown(() => b.close())
  for (const [offset, length] of [[0, 10], [1000, 1000], [300_000, 500_000], [0, data.length]] as const) {
    t.same(await b.readRange(file, offset, length), data.subarray(offset, offset + length), `${length} bytes at ${offset}`)
  }
  t.same(await b.readRange(file, data.length - 5, 100), data.subarray(data.length - 5), 'short at the end of the file')
  t.equal((await b.readRange(file, data.length + 10, 100)).length, 0, 'nothing past the end')
  t.equal((await b.readRange(file, 5, 0)).length, 0, 'zero length')
  await t.rejects(b.readRange(join(sshd.remoteDir, 'missing'), 0, 10), { name: 'BackendError', kind: 'not-found' })
  const ac = new AbortController()
  const p = b.readRange(file, 0, data.length, { signal: ac.signal })
  ac.abort()
  await t.rejects(p, { name: 'AbortError' }, 'abortable')
  t.same(await b.readRange(file, 7, 7), data.subarray(7, 14), 'and the backend still works')
})

t.test('the pool: connections reused, bounded, all closed by close()', { skip: skip ?? false }, async t => {
  if (sshd === undefined) return
  const file = join(sshd.remoteDir, 'pooled.txt')
  await writeFile(file, 'pooled\n')
  const dir = await tmpDir(t)
  const b = backendFor(sshd, { maxConnections: 2 })
  for (let i = 0; i < 10; i++) await b.fetch(file, join(dir, `seq${i}`))
  t.equal(b.connectionsOpened, 1, '10 sequential fetches, one connection')
  await Promise.all([0, 1, 2, 3, 4, 5].map(i => b.fetch(file, join(dir, `par${i}`))))
  t.equal(b.connectionsOpened, 2, '6 concurrent fetches, at most 2 connections')
  t.equal(await socketsTo(sshd.port), 2, 'two sockets open while idle')
  t.equal(await readFile(join(dir, 'par5'), 'utf8'), 'pooled\n')
  await b.close()
  t.equal(await socketsTo(sshd.port), 0, 'no socket left after close()')
  await t.rejects(b.stat(file), { kind: 'unavailable', message: /closed/ }, 'a closed backend refuses requests')
})

t.test('an aborted download costs its connection, not the backend', { skip: skip ?? false }, async t => {
  if (sshd === undefined) return
  const file = join(sshd.remoteDir, 'abort.bin')
  await writeFile(file, randomBytes(32 * 1024 * 1024))
  const dir = await tmpDir(t)
  const b = backendFor(sshd, { maxConnections: 1 })
  t.teardown(() => b.close())
  await b.stat(file)
  const ac = new AbortController()
  const p = b.fetch(file, join(dir, 'a'), { signal: ac.signal })
  setTimeout(() => { ac.abort() }, 20)
  await t.rejects(p, { name: 'AbortError' })
  const r = await b.fetch(file, join(dir, 'b'))
  t.equal(r.status, 'fetched', 'the next fetch works')
  t.equal((await stat(join(dir, 'b'))).size, 32 * 1024 * 1024)
  t.equal(b.connectionsOpened, 2, 'on a new connection')
})

t.test('a restarted sshd: the next request reconnects', { skip: skip ?? false }, async t => {
  const s = await restartableSshd(t)
  const file = join(s.server.remoteDir, 'r.txt')
  await writeFile(file, 'before\n')
  const dir = await tmpDir(t)
  const b = backendFor(s.server)
  t.teardown(() => b.close())
  // Stopping the listener leaves its sessions running; a rebooted host would not keep them.
  const restart = async (): Promise<void> => {
    const sessions = await descendantsOf(s.server.pid)
    await s.down()
    for (const pid of sessions) try { process.kill(pid, 'SIGKILL') } catch {}
  }
  t.equal((await b.fetch(file, join(dir, '1'))).status, 'fetched')
  t.ok((await descendantsOf(s.server.pid)).length > 0, 'the pooled connection has its sshd session')
  await restart()
  await s.up()
  await writeFile(file, 'after\n')
  t.equal((await b.fetch(file, join(dir, '2'))).status, 'fetched', 'restarted: the first request succeeds')
  t.equal(await readFile(join(dir, '2'), 'utf8'), 'after\n')
  t.equal(b.connectionsOpened, 2, 'on a new connection')
})

t.test('sshd down: unavailable; back: served again', { skip: skip ?? false }, async t => {
  const s = await restartableSshd(t)
  const file = join(s.server.remoteDir, 'r.txt')
  await writeFile(file, 'x\n')
  const b = backendFor(s.server)
  t.teardown(() => b.close())
  t.equal((await b.stat(file))?.size, 2)
  const sessions = await descendantsOf(s.server.pid)
  await s.down()
  for (const pid of sessions) try { process.kill(pid, 'SIGKILL') } catch {}
  await t.rejects(b.stat(file), { name: 'BackendError', kind: 'unavailable' }, 'down: unavailable')
  await s.up()
  t.equal((await b.stat(file))?.size, 2, 'back')
})

t.test('SFTP permission denied is forbidden', { skip: skip ?? false }, async t => {
  // Root reads any file, so the server is told to refuse opens instead (sftp-server -P).
  const s = await restartableSshd(t)
  await s.down()
  const config = join(s.server.dir, 'sshd_config')
  await writeFile(config, (await readFile(config, 'utf8')).replace('internal-sftp', 'internal-sftp -P open'))
  await s.up()
  const file = join(s.server.remoteDir, 'locked.txt')
  await writeFile(file, 'x')
  const b = backendFor(s.server)
  t.teardown(() => b.close())
  t.equal((await b.stat(file))?.size, 1, 'stat is allowed')
  const err = await b.fetch(file, join(await tmpDir(t), 'x')).catch((e: unknown) => e)
  t.ok(err instanceof BackendError, String(err))
  t.match(err, { kind: 'forbidden', message: /locked\.txt.*permission denied/ })
})
