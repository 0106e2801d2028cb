import t from 'tap'
import { backoffDelay } from '../src/push/backoff.js'

const exact = { minMs: 5000, maxMs: 60_000, random: () => 0 }

t.test('doubles from minMs and stops at maxMs', async t => {
  const delays = [1, 2, 3, 4, 5, 6, 7].map(n => backoffDelay(n, exact))
  t.same(delays, [5000, 10_000, 20_000, 40_000, 60_000, 60_000, 60_000])
})

t.test('a very long outage stays at the cap instead of overflowing', async t => {
  t.equal(backoffDelay(5000, exact), 60_000)
})

t.test('jitter only shortens, by at most its fraction', async t => {
  const most = backoffDelay(2, { ...exact, random: () => 0.999999 })
  t.ok(most < 10_000 && most >= 8000, `${most} within [8000, 10000)`)
  t.equal(backoffDelay(2, { ...exact, random: () => 0.5, jitter: 0.5 }), 7500)
  t.equal(backoffDelay(10, { ...exact, random: () => 0.5 }), 54_000, 'jitter applies below the cap too')
})

t.test('failures below 1 behave as the first failure', async t => {
  t.equal(backoffDelay(0, exact), 5000)
})
