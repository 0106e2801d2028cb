import t from 'tap'
import { manualClock } from '../src/push/clock.js'
import { DeadlineError, withDeadline } from '../src/push/with-deadline.js'

t.test('resolves with the step result and leaves no timer behind', async t => {
  const clock = manualClock()
  t.equal(await withDeadline(() => 42, { ms: 100, clock, what: 'x' }), 42)
  t.equal(clock.nextDue(), undefined)
})

t.test('a step that ignores its signal is abandoned at the time limit', async t => {
  const clock = manualClock()
  let seen: AbortSignal | undefined
  const p = withDeadline(signal => { seen = signal; return new Promise<void>(() => {}) }, { ms: 100, clock, what: 'sync to eu' })
  const outcome = p.then(() => 'resolved', (err: unknown) => err)
  await clock.advance(99)
  t.equal(seen?.aborted, false)
  await clock.advance(1)
  const err = await outcome
  t.type(err, DeadlineError)
  t.match((err as Error).message, /sync to eu took longer than 100 ms/)
  t.equal(seen?.aborted, true, 'the step was told to stop')
})

t.test('the parent signal aborts the step with its reason', async t => {
  const clock = manualClock()
  const parent = new AbortController()
  const p = withDeadline(() => new Promise<void>(() => {}), { ms: Infinity, clock, parent: parent.signal, what: 'x' })
  parent.abort(new Error('grace passed'))
  await t.rejects(p, { message: 'grace passed' })
  await t.rejects(withDeadline(() => 1, { ms: 0, clock, parent: parent.signal, what: 'x' }), { message: 'grace passed' },
    'an already aborted parent stops the step before it starts')
})

t.test('a step that throws rejects with its error', async t => {
  await t.rejects(withDeadline(() => { throw new Error('boom') }, { ms: 10, clock: manualClock(), what: 'x' }), { message: 'boom' })
})
