import t from 'tap'
import { readFileSync } from 'node:fs'
import { SingleFlight } from '../src/pull/single-flight.js'
import { cacheRig, rejection } from './helpers/file-cache-rig.js'

/** Work that waits until `go()` and reports whether its signal was aborted. */
function gatedWork (): { work: (s: AbortSignal) => Promise<string>; go: () => void; runs: number; signals: AbortSignal[] } {
  let open: () => void = () => {}
  const gate = new Promise<void>(resolve => { open = resolve })
  const state = {
    runs: 0,
    signals: [] as AbortSignal[],
    go: () => { open() },
    work: async (s: AbortSignal): Promise<string> => {
      state.runs++
      state.signals.push(s)
      await gate
      return s.aborted ? 'aborted' : 'done'
    }
  }
  return state
}

t.test('callers of one key share one run; other keys run on their own', async t => {
  const sf = new SingleFlight<string, string>()
  const w = gatedWork()
  const ps = [sf.run('a', w.work), sf.run('a', w.work), sf.run('b', w.work)]
  t.ok(sf.has('a'))
  w.go()
  t.same(await Promise.all(ps), ['done', 'done', 'done'])
  t.equal(w.runs, 2)
  t.notOk(sf.has('a'), 'forgotten when done')
  await sf.run('a', w.work)
  t.equal(w.runs, 3, 'a later call runs again')
})

t.test('one caller aborting does not abort the shared run', async t => {
  const sf = new SingleFlight<string, string>()
  const w = gatedWork()
  const ac = new AbortController()
  const quitter = sf.run('a', w.work, ac.signal)
  const stayer = sf.run('a', w.work, new AbortController().signal)
  ac.abort(new Error('gave up'))
  await t.rejects(quitter, { message: 'gave up' }, 'the aborting caller stops waiting at once')
  t.equal(w.signals[0]?.aborted, false, 'the work goes on')
  w.go()
  t.equal(await stayer, 'done')
})

t.test('all callers aborting aborts the run; a newcomer waits for it and starts anew', async t => {
  const sf = new SingleFlight<string, string>()
  const w = gatedWork()
  const a1 = new AbortController()
  const a2 = new AbortController()
  const p1 = sf.run('a', w.work, a1.signal)
  const p2 = sf.run('a', w.work, a2.signal)
  a1.abort()
  a2.abort()
  await t.rejects(p1)
  await t.rejects(p2)
  t.equal(w.signals[0]?.aborted, true, 'the work is told to stop')
  const p3 = sf.run('a', w.work)
  await new Promise(resolve => setImmediate(resolve))
  t.equal(w.runs, 1, 'no second run while the aborted one winds down')
  w.go()
  t.equal(await p3, 'done')
  t.equal(w.runs, 2, 'then a fresh run')
  await t.rejects(sf.run('a', w.work, AbortSignal.abort()), 'an already aborted signal rejects at once')
})

t.test('ten concurrent ensure() make exactly one fetch', async t => {
  const r = await cacheRig(t)
  r.backend.put('/a', 'shared download')
  const cache = await r.open([r.file('a')])
  const gate = r.backend.hold()
  const ps = Array.from({ length: 10 }, async () => await cache.ensure('a'))
  await r.clock.settle()
  t.equal(gate.waiting, 1, 'one fetch waits at the origin')
  t.equal(cache.status()[0]?.inFlight, true, 'status shows it in flight')
  gate.release()
  const paths = await Promise.all(ps)
  t.equal(new Set(paths).size, 1)
  t.equal(readFileSync(paths[0] ?? '', 'utf8'), 'shared download')
  t.same(r.backend.calls, { stat: 0, fetch: 1, conditional: 0, downloads: 1 })
})

t.test('an ensure() whose caller aborts leaves the fetch to the others', async t => {
  const r = await cacheRig(t)
  r.backend.put('/a', 'hello')
  const cache = await r.open([r.file('a')])
  const gate = r.backend.hold()
  const ac = new AbortController()
  const quitter = cache.ensure('a', { signal: ac.signal })
  const stayer = cache.ensure('a')
  await r.clock.settle()
  ac.abort()
  t.equal(await rejection(quitter), 'EINTR', 'the aborted open answers EINTR')
  gate.release()
  t.equal(readFileSync(await stayer, 'utf8'), 'hello')
  t.equal(r.backend.calls.fetch, 1)
})

t.test('close() aborts fetches in flight and waits for them', async t => {
  const r = await cacheRig(t)
  r.backend.put('/a', 'hello')
  const cache = await r.open([r.file('a')])
  r.backend.hold()
  const p = cache.ensure('a')
  await r.clock.settle()
  await cache.close()
  t.equal(await rejection(p), 'EINTR')
  t.same(r.temps(), [])
})
