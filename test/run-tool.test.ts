import t from 'tap'
import { runTool } from '../backends/run-tool.js'

const node = process.execPath

t.test('stdout is kept only when asked for, up to the limit', async t => {
  const print = [node, '-e', 'process.stdout.write("x".repeat(1 << 20)); process.stderr.write("err\\n")']
  const without = await runTool(print)
  t.equal(without.code, 0)
  t.notOk('stdout' in without, 'no stdout by default')
  const limited = await runTool(print, { stdoutLimit: 10 })
  t.equal(limited.code, 0, 'a child writing past the limit still runs to its end (the pipe is drained)')
  t.equal(limited.stdout, 'xxxxxxxxxx')
  t.equal(limited.stderr, 'err\n')
  const lines = await runTool([node, '-e', 'console.log("a"); console.log("b ü")'], { stdoutLimit: 1024 })
  t.equal(lines.stdout, 'a\nb ü\n')
})

t.test('exit codes, signals and abort as before', async t => {
  t.equal((await runTool([node, '-e', 'process.exit(23)'])).code, 23)
  const ac = new AbortController()
  const p = runTool([node, '-e', 'setInterval(() => {}, 1000)'], { signal: ac.signal, stdoutLimit: 10 })
  setTimeout(() => { ac.abort() }, 200)
  const r = await p
  t.equal(r.aborted, true)
  t.equal(r.signal, 'SIGTERM')
  t.equal(r.stdout, '')
  await t.rejects(runTool(['/no/such/program']), { code: 'ENOENT' })
})
