import t from 'tap'
import { join } from 'node:path'
import { runCommand, type RunSpec } from '../plugins/run-command.js'

function spec (cwd: string, program: string, args: string[], more: Partial<RunSpec> = {}): RunSpec {
  return { program, args, cwd, env: process.env, timeoutMs: 10_000, ...more }
}

t.test('exit code, stdout and stderr', async t => {
  const r = await runCommand(spec(t.testdir(), 'sh', ['-c', 'echo out; echo err >&2; exit 4']))
  t.match(r, { code: 4, signal: null, timedOut: false, aborted: false, stdout: 'out\n', stderr: 'err\n' })
})

t.test('output is kept only from the end, and says how much was cut', async t => {
  const r = await runCommand(spec(t.testdir(), 'sh', ['-c', 'seq 1 10000'], { maxOutputBytes: 100 }))
  t.equal(r.code, 0)
  const all = Array.from({ length: 10000 }, (_, i) => `${i + 1}\n`).join('')
  t.equal(r.stdout, `[${all.length - 100} bytes cut]…${all.slice(-100)}`)
})

t.test('a program that ignores SIGTERM gets SIGKILL after the grace time', async t => {
  const started = Date.now()
  const r = await runCommand(spec(t.testdir(), 'sh', ['-c', 'trap "" TERM; while :; do sleep 0.05; done'],
    { timeoutMs: 200, killGraceMs: 300 }))
  t.match(r, { code: null, signal: 'SIGKILL', timedOut: true })
  t.ok(Date.now() - started < 3000)
})

t.test('an already cancelled signal starts nothing', async t => {
  const ac = new AbortController()
  ac.abort(new Error('stopping'))
  await t.rejects(runCommand(spec(t.testdir(), 'true', [], { signal: ac.signal })), { message: 'stopping' })
})

t.test('start failures are told apart', async t => {
  const dir = t.testdir({ 'not-exec': 'data' })
  await t.rejects(runCommand(spec(dir, 'stalk-no-such-program', [])), { message: 'command not found: stalk-no-such-program' })
  await t.rejects(runCommand(spec(join(dir, 'gone'), 'true', [])), { message: `working directory not found: ${join(dir, 'gone')}` })
  await t.rejects(runCommand(spec(dir, './not-exec', [])), { message: 'command not executable: ./not-exec' })
})
