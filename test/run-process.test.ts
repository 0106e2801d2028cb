import t from 'tap'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { runProcess } from '../src/process/run-process.js'
import { HeadBuffer, TailBuffer } from '../src/process/output-buffers.js'

const node = process.execPath

t.test('exit code, stdout and stderr', async t => {
  const r = await runProcess(['sh', '-c', 'echo out; echo err >&2; exit 4'], { cwd: t.testdir(), stdout: 'tail' })
  t.match(r, { code: 4, signal: null, timedOut: false, aborted: false, stdout: 'out\n', stderr: 'err\n' })
  t.equal((await runProcess([node, '-e', 'process.exit(23)'])).code, 23)
})

t.test('stdout is kept only when asked for, from the start up to the limit', async t => {
  const print = [node, '-e', 'process.stdout.write("x".repeat(1 << 20)); process.stderr.write("err\\n")']
  const without = await runProcess(print)
  t.equal(without.code, 0)
  t.equal(without.stdout, '', 'no stdout by default')
  const limited = await runProcess(print, { stdout: 'head', stdoutLimit: 10 })
  t.equal(limited.code, 0, 'a child writing past the limit still runs to its end (the pipe is drained)')
  t.equal(limited.stdout, 'xxxxxxxxxx')
  t.equal(limited.stderr, 'err\n')
  const lines = await runProcess([node, '-e', 'console.log("a"); console.log("b ü")'], { stdout: 'head', stdoutLimit: 1024 })
  t.equal(lines.stdout, 'a\nb ü\n')
})

t.test('a tail is kept from the end, marked or starting at a whole line', async t => {
  const all = Array.from({ length: 10000 }, (_, i) => `${i + 1}\n`).join('')
  const marked = await runProcess(['sh', '-c', 'seq 1 10000'], { stdout: 'tail', stdoutLimit: 100, tailCut: 'mark' })
  t.equal(marked.code, 0)
  t.equal(marked.stdout, `[${all.length - 100} bytes cut]…${all.slice(-100)}`)
  const stderr = await runProcess(['sh', '-c', 'seq 1 10000 >&2'], { stderrLimit: 100 })
  const kept = all.slice(-100)
  t.equal(stderr.stderr, kept.slice(kept.indexOf('\n') + 1), 'the cut first line is dropped')
})

t.test('the buffers, chunk by chunk', async t => {
  const head = new HeadBuffer(5)
  for (const s of ['ab', 'cd', 'ef', 'gh']) head.push(Buffer.from(s))
  t.equal(head.text(), 'abcde')
  const tail = new TailBuffer(6, 'line')
  for (const s of ['one\n', 'two\n', 'three\n', 'four']) tail.push(Buffer.from(s))
  t.equal(tail.text(), 'four', 'starts after the first newline in the kept bytes')
  const uncut = new TailBuffer(100, 'mark')
  uncut.push(Buffer.from('short\n'))
  t.equal(uncut.text(), 'short\n', 'nothing cut, nothing marked')
})

t.test('an abort stops the group with SIGTERM', async t => {
  const ac = new AbortController()
  const p = runProcess([node, '-e', 'setInterval(() => {}, 1000)'], { signal: ac.signal, stdout: 'head', stdoutLimit: 10 })
  setTimeout(() => { ac.abort() }, 200)
  const r = await p
  t.equal(r.aborted, true)
  t.equal(r.timedOut, false)
  t.equal(r.signal, 'SIGTERM')
  t.equal(r.stdout, '')
})

t.test('a program that ignores SIGTERM gets SIGKILL after the grace time', async t => {
  const started = Date.now()
  const r = await runProcess(['sh', '-c', 'trap "" TERM; while :; do sleep 0.05; done'], { timeoutMs: 200, killGraceMs: 300 })
  t.match(r, { code: null, signal: 'SIGKILL', timedOut: true, aborted: false })
  t.ok(Date.now() - started < 3000)
})

t.test('a background grandchild holding the pipes does not hold up the result', async t => {
  const started = Date.now()
  const r = await runProcess(['sh', '-c', 'sleep 10 & echo started'], { stdout: 'tail' })
  t.match(r, { code: 0, stdout: 'started\n' })
  t.ok(Date.now() - started < 8000)
})

t.test('an already aborted signal starts nothing', async t => {
  const dir = t.testdir()
  const ac = new AbortController()
  ac.abort(new Error('stopping'))
  const r = await runProcess(['touch', join(dir, 'ran')], { signal: ac.signal })
  t.match(r, { code: null, signal: null, aborted: true, timedOut: false })
  t.notOk(existsSync(join(dir, 'ran')))
})

t.test('start failures are told apart and keep the errno', async t => {
  const dir = t.testdir({ 'not-exec': 'data' })
  await t.rejects(runProcess(['/no/such/program']), { code: 'ENOENT', message: 'command not found: /no/such/program' })
  await t.rejects(runProcess(['stalk-no-such-program'], { cwd: dir }), { code: 'ENOENT', message: 'command not found: stalk-no-such-program' })
  await t.rejects(runProcess(['true'], { cwd: join(dir, 'gone') }), { message: `working directory not found: ${join(dir, 'gone')}` })
  await t.rejects(runProcess(['./not-exec'], { cwd: dir }), { code: 'EACCES', message: 'command not executable: ./not-exec' })
  await t.rejects(runProcess([]), TypeError)
})
