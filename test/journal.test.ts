import t from 'tap'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { Journal, JOURNAL_FILE } from '../src/push/journal.js'
import { StateLockedError } from '../src/push/state-lock.js'

const sorted = (s: Iterable<string>): string[] => [...s].sort()

/** A journal whose targets start with nothing owed, as after a clean earlier run. */
async function settled (dir: string, labels: readonly string[], o = {}): Promise<Journal> {
  const j = await Journal.open(dir, labels, o)
  for (const l of labels) j.markDelivered(l, j.pending(l))
  return j
}

t.test('a first run owes every target a full mirror', async t => {
  const j = await Journal.open(t.testdir(), ['a', 'b'])
  t.ok(j.hasPending())
  t.equal(j.pending('a').all, true)
  j.markDelivered('a', j.pending('a'))
  t.equal(j.pending('a').all, false)
  t.equal(j.pending('b').all, true, 'per target')
  await j.close()
})

t.test('records are pending per target until that target has them', async t => {
  const j = await settled(t.testdir(), ['a', 'b'])
  t.equal(j.hasPending(), false)
  j.record('x/1.rpm')
  j.record('x/2.rpm')
  j.record('x/1.rpm')
  t.same(sorted(j.pending('a')), ['x/1.rpm', 'x/2.rpm'])
  j.markDelivered('a', j.pending('a'))
  t.same(sorted(j.pending('a')), [])
  t.same(sorted(j.pending('b')), ['x/1.rpm', 'x/2.rpm'])
  t.same(j.pendingCount('b'), { paths: 2, all: false })
  t.same(sorted(j.pending('unknown')), [])
  await j.close()
})

t.test('a path recorded again after the snapshot stays pending', async t => {
  const j = await settled(t.testdir(), ['a'])
  j.record('p')
  j.record('q')
  const snap = j.pending('a')
  j.record('p')
  j.markDelivered('a', snap)
  t.same(sorted(j.pending('a')), ['p'])
  await j.close()
})

t.test('a clean close and reopen keeps exactly the pending set', async t => {
  const dir = t.testdir()
  const j = await settled(dir, ['a', 'b'])
  j.record('one')
  j.record('two')
  j.markDelivered('b', j.pending('b'))
  j.record('three')
  await j.close()
  await j.close()
  t.throws(() => j.record('late'), /closed/)
  const k = await Journal.open(dir, ['a', 'b'])
  t.same(sorted(k.pending('a')), ['one', 'three', 'two'])
  t.same(sorted(k.pending('b')), ['three'])
  t.equal(k.pending('a').all || k.pending('b').all, false, 'a clean log owes no full mirror')
  await k.close()
})

t.test('records are written in groups, not one write per record', async t => {
  const dir = t.testdir()
  const j = await settled(dir, ['a'], { flushDelayMs: 30 })
  await j.flush()
  j.record('batched')
  t.notMatch(await readFile(join(dir, JOURNAL_FILE), 'utf8'), /batched/, 'not written at record time')
  // Polled, not a fixed sleep: fdatasync on a busy disk may take longer than the group delay.
  let text = ''
  for (let waited = 0; waited < 5000 && !text.includes('batched'); waited += 20) {
    await sleep(20)
    text = await readFile(join(dir, JOURNAL_FILE), 'utf8')
  }
  t.match(text, /batched/, 'written by the group commit, without a flush()')
  await j.close()
})

t.test('what was flushed survives SIGKILL', async t => {
  const dir = t.testdir()
  await (await settled(dir, ['a', 'b'])).close()
  const fixture = fileURLToPath(new URL('./fixtures/journal-writer.ts', import.meta.url))
  const child = spawn(process.execPath, [...process.execArgv, fixture, dir, 'a,b', 'r/1.rpm', 'r/2.rpm'], { stdio: ['ignore', 'pipe', 'inherit'] })
  t.teardown(() => { child.kill('SIGKILL') })
  let out = ''
  for await (const chunk of child.stdout) {
    out += String(chunk)
    if (out.includes('flushed\n')) break
  }
  t.equal(out, 'flushed\n')
  child.kill('SIGKILL')
  await once(child, 'exit')
  const j = await Journal.open(dir, ['a', 'b'])
  const a = j.pending('a')
  t.ok(a.has('r/1.rpm') && a.has('r/2.rpm'), 'both flushed records are back')
  t.ok(j.pending('b').has('r/2.rpm'))
  t.equal(a.all, true, 'after a crash every target is owed a full mirror (unflushed records may be lost)')
  await j.close()
})

t.test('a torn last line is dropped; the rest replays', async t => {
  const dir = t.testdir()
  await writeFile(join(dir, JOURNAL_FILE), '{"v":1,"labels":["a"],"seq":0}\n{"s":1,"p":"whole"}\n{"s":2,"p":"to')
  const j = await Journal.open(dir, ['a'])
  t.same(sorted(j.pending('a')), ['whole'])
  t.equal(j.pending('a').all, true, 'a torn line means a crash')
  j.markDelivered('a', j.pending('a'))
  await j.close()
  const k = await Journal.open(dir, ['a'])
  t.equal(k.hasPending(), false, 'the torn bytes are gone after compaction')
  await k.close()
})

t.test('an unreadable line before the end owes every target a full mirror', async t => {
  const dir = t.testdir()
  await writeFile(join(dir, JOURNAL_FILE), '{"v":1,"labels":["a"],"seq":0}\nnot json\n{"s":1,"p":"x"}\n{"c":1}\n')
  const j = await Journal.open(dir, ['a'])
  t.equal(j.pending('a').all, true)
  t.ok(j.pending('a').has('x'))
  await j.close()
})

t.test('a log from a newer version is refused, not guessed at', async t => {
  const dir = t.testdir()
  await writeFile(join(dir, JOURNAL_FILE), '{"v":99,"labels":["a"],"seq":0}\n{"c":1}\n')
  await t.rejects(Journal.open(dir, ['a']), /newer stalk/)
  await t.rejects(readFile(join(dir, 'lock')), { code: 'ENOENT' }, 'the lock was released after the refusal')
})

t.test('compaction keeps exactly the pending set and the file small', async t => {
  const dir = t.testdir()
  const j = await settled(dir, ['a', 'b'], { compactBytes: 4096 })
  const expectA = new Set<string>()
  for (let i = 0; i < 2000; i++) {
    j.record(`dir/file-${i % 300}.rpm`)
    if (i % 7 === 0) j.markDelivered('a', j.pending('a'))
    if (i % 50 === 0) await j.flush()
  }
  for (const p of j.pending('a')) expectA.add(p)
  const expectB = sorted(j.pending('b'))
  await j.flush()
  t.ok((await stat(join(dir, JOURNAL_FILE))).size < 4096 + 300 * 40, 'the log was rewritten as it grew')
  await j.close()
  const k = await Journal.open(dir, ['a', 'b'])
  t.same(sorted(k.pending('a')), sorted(expectA))
  t.same(sorted(k.pending('b')), expectB)
  t.equal(expectB.length, 300)
  await k.close()
})

t.test('targets added between runs owe a full mirror, removed ones are dropped', async t => {
  const dir = t.testdir()
  const j = await settled(dir, ['a', 'b'])
  j.record('p')
  await j.close()
  const k = await Journal.open(dir, ['b', 'c'])
  t.same(k.labels, ['b', 'c'])
  t.same(sorted(k.pending('b')), ['p'])
  t.equal(k.pending('b').all, false)
  t.equal(k.pending('c').all, true)
  t.same(sorted(k.pending('a')), [])
  await k.close()
  const m = await Journal.open(dir, ['a', 'b', 'c'])
  t.equal(m.pending('a').all, true, 'a target that comes back is new again')
  await m.close()
})

t.test('one journal per state dir', async t => {
  const dir = t.testdir()
  const j = await Journal.open(dir, ['a'])
  await t.rejects(Journal.open(dir, ['a']), StateLockedError)
  await j.close()
  const k = await Journal.open(dir, ['a'])
  await k.close()
})
