import t from 'tap'
import { manualClock, systemClock } from '../src/push/clock.js'

t.test('manual clock fires due timers in order and moves time to each', async t => {
  const c = manualClock(1000)
  const fired: string[] = []
  c.setTimeout(() => fired.push(`b@${c.now()}`), 20)
  c.setTimeout(() => fired.push(`a@${c.now()}`), 10)
  c.setTimeout(() => fired.push(`c@${c.now()}`), 20)
  t.equal(c.nextDue(), 1010)
  await c.advance(15)
  t.same(fired, ['a@1010'])
  t.equal(c.now(), 1015)
  await c.advance(5)
  t.same(fired, ['a@1010', 'b@1020', 'c@1020'], 'same due time: in the order they were set')
  t.equal(c.nextDue(), undefined)
})

t.test('cleared timers do not fire; foreign handles are ignored', async t => {
  const c = manualClock()
  let fired = false
  const h = c.setTimeout(() => { fired = true }, 5)
  c.clearTimeout(h)
  c.clearTimeout({})
  await c.advance(10)
  t.equal(fired, false)
})

t.test('timers armed by work a timer started fire within the same advance', async t => {
  const c = manualClock()
  const at: number[] = []
  c.setTimeout(() => {
    void Promise.resolve().then(() => c.setTimeout(() => at.push(c.now()), 10))
  }, 10)
  await c.advance(25)
  t.same(at, [20])
})

t.test('system clock runs and cancels real timers', async t => {
  let fired = 0
  const h = systemClock.setTimeout(() => { fired++ }, 1)
  systemClock.clearTimeout(h)
  await new Promise<void>(resolve => systemClock.setTimeout(resolve, 5))
  t.equal(fired, 0)
  t.ok(Math.abs(systemClock.now() - Date.now()) < 1000)
})
