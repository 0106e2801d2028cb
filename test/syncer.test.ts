import t from 'tap'
import { TargetError } from '../backends/backend.js'
import type { StalkPlugin, SyncEvent } from '../plugins/api.js'
import type { PluginSlot, SyncFailure } from '../src/push/syncer.js'
import { gate, hang } from './helpers/push-fakes.js'
import { at, MAX_WAIT, QUIET, rig, sorted, T0 } from './helpers/syncer-rig.js'

t.test('no round before quietMs of silence; each change re-arms the quiet timer', async t => {
  const r = await rig(t)
  r.write('x/1.rpm')
  t.equal(r.syncer.status().state, 'pending')
  await r.clock.advance(QUIET - 1)
  t.equal(r.rounds.length, 0)
  r.write('x/2.rpm')
  await r.clock.advance(QUIET - 1)
  t.equal(r.rounds.length, 0, 'still quiet-1 after the second change')
  await r.clock.advance(1)
  t.equal(r.rounds.length, 1)
  t.equal(r.rounds[0]?.reason, 'quiet')
  t.equal(r.rounds[0]?.startedAt, T0 + 2 * QUIET - 1)
  t.same(r.targets[0]?.calls.map(c => c.changed), [['x/1.rpm', 'x/2.rpm']])
  t.equal(r.syncer.status().state, 'idle')
  await r.clock.advance(10 * MAX_WAIT)
  t.equal(r.rounds.length, 1, 'nothing more without changes')
})

t.test('a writer that never pauses still gets a round at maxWait', async t => {
  const r = await rig(t)
  while (r.rounds.length === 0 && at(r) < 2 * MAX_WAIT) {
    r.write(`f${at(r)}`)
    await r.clock.advance(QUIET / 2)
  }
  t.equal(r.rounds[0]?.reason, 'max-wait')
  t.equal(r.rounds[0]?.startedAt, T0 + MAX_WAIT)
  t.equal(r.rounds[0]?.changed.size, MAX_WAIT / (QUIET / 2), 'every change before the deadline')
})

t.test('changes during a round make exactly one more round, with exactly those paths', async t => {
  const r = await rig(t, { labels: ['a'] })
  const g = gate()
  r.targets[0]?.script.push(g.behaviour)
  r.write('first')
  await r.clock.advance(QUIET)
  t.equal(r.syncer.status().state, 'running')
  await r.clock.advance(1000)
  r.write('second', 'third')
  await r.clock.advance(1000)
  r.write('second')
  g.open()
  await r.clock.settle()
  t.same(r.rounds.map(x => sorted(x.changed)), [['first']])
  t.same(sorted(r.journal.pending('a')), ['second', 'third'], 'changes made during the round stay pending')
  await r.clock.advance(QUIET - 1)
  t.equal(r.rounds.length, 1, 'the next round waits for quiet after the last change')
  await r.clock.advance(1)
  t.same(r.rounds.map(x => sorted(x.changed)), [['first'], ['second', 'third']])
  await r.clock.advance(10 * MAX_WAIT)
  t.equal(r.rounds.length, 2)
  t.equal(r.journal.hasPending(), false)
})

t.test('plugins run in config order before the targets, and afterSync after them', async t => {
  const events: SyncEvent[] = []
  const results: unknown[] = []
  const order: string[] = []
  const plugin = (name: string): StalkPlugin => ({
    apiVersion: 1,
    name,
    beforeSync: e => { order.push(`${name}.before`); events.push(e) },
    afterSync: e => { order.push(`${name}.after`); results.push(e.results) }
  })
  const r = await rig(t, { plugins: [plugin('p1'), { plugin: plugin('p2') }] })
  r.targets.forEach(x => { x.otherwise = async () => { order.push(`${x.label}.mirror`) } })
  r.write('repo/a.rpm', 'repo/b.rpm')
  await r.clock.advance(QUIET)
  t.same(order, ['p1.before', 'p2.before', 'a.mirror', 'b.mirror', 'p1.after', 'p2.after'])
  t.same(events.map(e => [e.reason, e.root, sorted(e.changed)]), [
    ['quiet', '/srv/root', ['repo/a.rpm', 'repo/b.rpm']], ['quiet', '/srv/root', ['repo/a.rpm', 'repo/b.rpm']]])
  t.match(results[0], [{ target: 'a', ok: true }, { target: 'b', ok: true }])
})

t.test('a throwing plugin is logged and the targets still sync', async t => {
  const failures: SyncFailure[] = []
  const bad: StalkPlugin = { apiVersion: 1, name: 'createrepo', beforeSync: () => { throw new Error('createrepo: exit 1') } }
  const r = await rig(t, { plugins: [bad] })
  r.syncer.on('error', e => failures.push(e))
  r.write('p')
  await r.clock.advance(QUIET)
  t.match(r.rounds[0]?.results, [{ ok: true }, { ok: true }])
  t.equal(r.journal.hasPending(), false)
  t.ok(r.logs.some(l => l.level === 'error' && /createrepo: exit 1/.test(l.msg)))
  t.match(failures, [{ source: 'plugin', subject: 'createrepo' }])
})

t.test("a failing plugin whose policy is 'abort' holds the targets back for a retry", async t => {
  let fail = true
  const gatekeeper: PluginSlot = {
    plugin: { apiVersion: 1, name: 'check', beforeSync: () => { if (fail) throw new Error('not ready') } },
    onFailure: 'abort'
  }
  const r = await rig(t, { plugins: [gatekeeper] })
  r.write('p')
  await r.clock.advance(QUIET)
  t.equal(r.targets[0]?.calls.length, 0)
  t.match(r.rounds[0]?.results, [{ ok: false, error: /not run/ }, { ok: false }])
  t.ok(r.journal.pending('a').has('p'))
  fail = false
  await r.clock.advance(5000)
  t.equal(r.rounds[1]?.reason, 'retry')
  t.equal(r.journal.hasPending(), false)
})

t.test('a failing target is retried with capped backoff; the others are not held back or repeated', async t => {
  const r = await rig(t)
  const [a, b] = r.targets
  if (a === undefined || b === undefined) throw new Error('two targets')
  const failure = async (): Promise<void> => { throw new TargetError('rsync failed', { exitCode: 23, stderr: 'permission denied\n' }) }
  for (let i = 0; i < 6; i++) a.script.push(failure)
  r.write('p')
  await r.clock.advance(QUIET)
  t.same(sorted(r.journal.pending('a')), ['p'], 'the failed target keeps its change')
  t.same(sorted(r.journal.pending('b')), [], 'the successful one is cleared at once')
  const err = r.logs.find(l => l.level === 'error')
  t.match(err?.msg, /sync to a failed.*rsync failed \(exit 23\): permission denied/)
  const st = r.syncer.status().targets[0]
  t.match(st, { label: 'a', failures: 1, pending: 1, lastError: 'rsync failed (exit 23): permission denied', nextRetryAt: r.clock.now() + 5000 })
  await r.clock.advance(200_000)
  const gaps = a.calls.slice(1).map((c, i) => c.at - (a.calls[i]?.at ?? 0))
  t.same(gaps, [5000, 10_000, 20_000, 40_000, 40_000, 40_000], 'doubling from 5 s, capped at 40 s')
  t.equal(a.calls.length, 7, 'delivered on the seventh attempt, then left alone')
  t.same(a.calls.map(c => c.changed), Array(7).fill(['p']))
  t.equal(b.calls.length, 1, 'b is not re-run for the same paths')
  t.ok(r.rounds.slice(1).every(x => x.reason === 'retry' && x.results.length === 1))
  t.equal(r.journal.hasPending(), false)
  t.match(r.syncer.status().targets[0], { failures: 0, lastError: undefined, nextRetryAt: undefined })
})

t.test('new changes while a target backs off go to the others at once and wait for its retry', async t => {
  const r = await rig(t)
  const [a, b] = r.targets
  if (a === undefined || b === undefined) throw new Error('two targets')
  a.script.push(async () => { throw new Error('down') }, async () => { throw new Error('down') })
  r.write('one')
  await r.clock.advance(QUIET)
  r.write('two')
  await r.clock.advance(QUIET)
  t.same(b.calls.map(c => [c.at - T0, c.changed]), [[QUIET, ['one']], [2 * QUIET, ['two']]], 'b got each change after its quiet time')
  t.same(a.calls.map(c => [c.at - T0, c.changed]), [[QUIET, ['one']], [QUIET + 5000, ['one', 'two']]],
    'a was retried at its backoff, with all it is owed, and left out of the change round')
  await r.clock.advance(5000)
  t.same(a.calls.map(c => c.at - T0), [QUIET, QUIET + 5000, QUIET + 15_000])
  t.equal(r.journal.hasPending(), false)
  t.equal(b.calls.length, 2)
})

t.test('startup with a non-empty journal runs a round at once', async t => {
  const r = await rig(t)
  r.journal.record('left/over.rpm')
  await r.syncer.start()
  t.equal(r.clock.now(), T0, 'no time passed')
  t.same(r.rounds.map(x => x.reason), ['startup'])
  t.same(r.targets.map(x => x.calls.map(c => c.changed)), [[['left/over.rpm']], [['left/over.rpm']]])
  await r.syncer.start()
  t.equal(r.rounds.length, 1, 'an empty journal starts nothing')
})

t.test('a target owed a full mirror is sent "all", and plugins are told', async t => {
  const seen: boolean[] = []
  const plugin = { apiVersion: 1 as const, name: 'p', beforeSync: (e: SyncEvent) => { seen.push(e.fullMirror) } }
  const r = await rig(t, { fresh: true, labels: ['a'], plugins: [plugin] })
  await r.syncer.start()
  t.same(r.targets[0]?.calls.map(c => c.changed), ['all'])
  t.equal(r.journal.hasPending(), false)
  r.journal.record('x')
  r.syncer.notify('x')
  await r.clock.advance(QUIET)
  t.same(seen, [true, false], 'the full-mirror round says so; a plain round does not')
})

t.test('a target that exceeds its time limit is aborted and retried', async t => {
  const r = await rig(t, { labels: ['a'], targetTimeoutMs: 30_000 })
  r.targets[0]?.script.push(hang)
  r.write('p')
  await r.clock.advance(QUIET + 30_000)
  t.equal(r.targets[0]?.calls[0]?.signal.aborted, true)
  t.match(r.rounds[0]?.results, [{ ok: false, error: /took longer than 30000 ms/ }])
  await r.clock.advance(5000)
  t.equal(r.journal.hasPending(), false, 'the retry delivered it')
})

t.test('syncNow runs a round at once and resolves when it is done', async t => {
  const r = await rig(t)
  r.write('p')
  const report = await r.syncer.syncNow()
  t.equal(report.reason, 'manual')
  t.same(sorted(report.changed), ['p'])
  t.equal(r.journal.hasPending(), false)
  const empty = await r.syncer.syncNow()
  t.same(empty.results, [], 'nothing pending: every target is skipped')
  await r.clock.advance(10 * MAX_WAIT)
  t.equal(r.rounds.length, 1, 'the debounced round for p was absorbed by the manual one')
})

t.test('status follows the round', async t => {
  const r = await rig(t, { labels: ['a'] })
  const g = gate()
  r.targets[0]?.script.push(g.behaviour)
  t.match(r.syncer.status(), { state: 'idle', roundsRun: 0, nextRoundAt: undefined })
  r.write('p')
  t.match(r.syncer.status(), { state: 'pending', nextRoundAt: T0 + QUIET, targets: [{ label: 'a', destination: 'fake:a', pending: 1 }] })
  await r.clock.advance(QUIET)
  t.match(r.syncer.status(), { state: 'running', targets: [{ running: true }] })
  g.open()
  await r.clock.settle()
  t.match(r.syncer.status(), {
    state: 'idle', roundsRun: 1, lastRound: { reason: 'quiet', ok: true },
    targets: [{ running: false, pending: 0, lastSuccessAt: T0 + QUIET, failures: 0 }]
  })
})

t.test('shutdown runs a final round and reports what a failing target never got', async t => {
  const r = await rig(t)
  const a = r.targets[0]
  if (a === undefined) throw new Error('target a')
  a.otherwise = async () => { throw new TargetError('host unreachable', { exitCode: 255 }) }
  r.write('late/1.rpm')
  const first = r.syncer.shutdown(5000)
  t.equal(r.syncer.shutdown(1), first, 'a second call gets the same shutdown')
  const res = await first
  t.same(r.rounds.map(x => x.reason), ['shutdown'])
  t.same([...res.undelivered], [['a', ['late/1.rpm']]])
  t.same(res.fullMirrorOwed, [])
  t.equal(r.syncer.status().state, 'stopped')
  r.write('after')
  await r.clock.advance(10 * MAX_WAIT)
  t.equal(r.rounds.length, 1, 'changes after shutdown are only journaled')
  t.same((await r.syncer.syncNow()).results, [])
})

t.test('shutdown with nothing pending runs no round', async t => {
  const r = await rig(t)
  const res = await r.syncer.shutdown(5000)
  t.equal(res.undelivered.size, 0)
  t.equal(r.rounds.length, 0)
})

t.test('shutdown is bounded by its grace: a hung target is aborted', async t => {
  const r = await rig(t)
  r.targets[0]?.script.push(hang)
  r.write('p')
  let done = false
  const res = r.syncer.shutdown(3000).finally(() => { done = true })
  await r.clock.advance(2999)
  t.equal(done, false)
  await r.clock.advance(1)
  t.equal(done, true)
  t.equal(r.targets[0]?.calls[0]?.signal.aborted, true)
  t.same([...(await res).undelivered], [['a', ['p']]])
  t.equal(r.targets[1]?.calls.length, 1, 'the other target was delivered')
})

t.test('shutdown waits for the round in flight, then delivers what came in meanwhile', async t => {
  const r = await rig(t, { labels: ['a'] })
  const g = gate()
  r.targets[0]?.script.push(g.behaviour)
  r.write('one')
  await r.clock.advance(QUIET)
  r.write('two')
  const res = r.syncer.shutdown(60_000)
  await r.clock.settle()
  t.equal(r.targets[0]?.calls.length, 1, 'no second round while the first runs')
  g.open()
  t.equal((await res).undelivered.size, 0)
  t.same(r.rounds.map(x => [x.reason, sorted(x.changed)]), [['quiet', ['one']], ['shutdown', ['two']]])
})

t.test('a grace that passes during the round in flight leaves no time for a final round', async t => {
  const r = await rig(t, { labels: ['a'] })
  r.targets[0]?.script.push(hang)
  r.write('one')
  await r.clock.advance(QUIET)
  r.write('two')
  const res = r.syncer.shutdown(1000)
  await r.clock.advance(1000)
  t.same([...(await res).undelivered], [['a', ['one', 'two']]])
  t.equal(r.targets[0]?.calls.length, 1)
})
