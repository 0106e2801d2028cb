// SftpPool with in-memory connections: the limit, waiting, idle expiry, the
// one retry when a reused connection dies under a request, aborts, close().
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { SftpPool } from '../backends/sftp-pool.js'
import { waitFor } from './helpers/wait-for.js'

class FakeConn {
  static made: FakeConn[] = []
  alive = true
  closed = false
  readonly n = FakeConn.made.push(this)
  async close (): Promise<void> { this.alive = false; this.closed = true }
}

interface FakePoolOptions {
  max?: number
  idleMs?: number
  open?: (signal?: AbortSignal) => Promise<FakeConn>
  onRetry?: (err: unknown) => void
}

function pool (o: FakePoolOptions = {}): SftpPool<FakeConn> {
  const p = new SftpPool<FakeConn>(o.open ?? (async () => new FakeConn()),
    { max: o.max ?? 2, idleMs: o.idleMs ?? 60_000, ...(o.onRetry === undefined ? {} : { onRetry: o.onRetry }) })
  t.teardown(() => p.close())
  return p
}

t.beforeEach(() => { FakeConn.made = [] })

t.test('reuses an idle connection', async t => {
  const p = pool()
  for (let i = 0; i < 5; i++) await p.use(async c => c.n)
  t.equal(p.opened, 1)
  t.equal(p.size, 1)
})

t.test('never more than max; the others wait their turn', async t => {
  const p = pool({ max: 2 })
  let running = 0
  let peak = 0
  await Promise.all(Array.from({ length: 8 }, () => p.use(async () => {
    peak = Math.max(peak, ++running)
    await sleep(5)
    running--
  })))
  t.equal(peak, 2)
  t.equal(p.opened, 2)
})

t.test('idle connections are closed after idleMs', async t => {
  const p = pool({ idleMs: 30 })
  await p.use(async () => {})
  await waitFor('the idle connection to close', () => FakeConn.made[0]?.closed)
  t.equal(p.size, 0)
  await p.use(async () => {})
  t.equal(p.opened, 2, 'a new one afterwards')
})

t.test('a dead idle connection is not handed out', async t => {
  const p = pool()
  await p.use(async () => {})
  const first = FakeConn.made[0] as FakeConn
  first.alive = false
  t.equal(await p.use(async c => c.n), 2)
  t.ok(first.closed, 'and it is closed')
})

t.test('a reused connection that dies under a request: one retry on a new one', async t => {
  const retried: unknown[] = []
  const p = pool({ onRetry: err => { retried.push(err) } })
  await p.use(async () => {})
  const seen: number[] = []
  const r = await p.use(async c => {
    seen.push(c.n)
    if (c.n === 1) { c.alive = false; throw new Error('No response from server') }
    return 'ok'
  })
  t.equal(r, 'ok')
  t.same(seen, [1, 2])
  t.match(retried, [{ message: 'No response from server' }], 'the retry is reported')
})

t.test('no retry when the error is not a dead connection, or the connection was new', async t => {
  const p = pool()
  await t.rejects(p.use(async () => { throw new Error('no such file') }), /no such file/, 'alive: the error stands')
  let calls = 0
  const fresh = pool()
  await t.rejects(fresh.use(async c => { calls++; c.alive = false; throw new Error('lost') }), /lost/)
  t.equal(calls, 1, 'a fresh connection that dies is not retried')
  let again = 0
  await p.use(async () => {})
  await t.rejects(p.use(async c => { again++; c.alive = false; throw new Error('lost') }), /lost/)
  t.equal(again, 2, 'one retry, not more')
})

t.test('a failed open rejects its caller and the pool recovers', async t => {
  let fail = true
  const p = pool({ open: async () => { if (fail) throw new Error('refused'); return new FakeConn() } })
  await t.rejects(p.use(async () => {}), /refused/)
  fail = false
  t.equal(await p.use(async () => 'ok'), 'ok')
})

t.test('abort while waiting for a connection', async t => {
  const p = pool({ max: 1 })
  let release = (): void => {}
  const holder = p.use(() => new Promise<void>(resolve => { release = resolve }))
  await sleep(5)
  const ac = new AbortController()
  const waiting = p.use(async () => 'never', ac.signal)
  ac.abort(new Error('gave up'))
  await t.rejects(waiting, /gave up/)
  release()
  await holder
  t.equal(await p.use(async () => 'next'), 'next', 'the pool still serves')
  t.equal(p.opened, 1)
})

t.test('close() closes idle and busy connections and refuses new work', async t => {
  const p = pool({ max: 1 })
  await p.use(async () => {})
  let release = (): void => {}
  const busy = p.use(() => new Promise<void>(resolve => { release = resolve }))
  await sleep(5)
  const waiting = p.use(async () => 'never')
  await p.close()
  await t.rejects(waiting, /closed/, 'waiters are rejected')
  t.ok(FakeConn.made.every(c => c.closed), 'every connection closed')
  release()
  await busy
  await t.rejects(p.use(async () => {}), /closed/)
})

t.test('close() while a connection is opening closes it once it arrives', async t => {
  let opened: FakeConn | undefined
  const p = pool({ open: async signal => { await sleep(30); opened = new FakeConn(); void signal; return opened } })
  const pending = p.use(async () => 'x')
  await sleep(5)
  await p.close()
  await t.rejects(pending)
  t.ok(opened?.closed, 'closed')
})
