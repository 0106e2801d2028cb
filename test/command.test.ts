import t from 'tap'
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { isPluginAbortError, PluginAbortError, type PluginContext, type StalkPlugin, type SyncEvent } from '../plugins/api.js'
import { plugin } from '../plugins/command.js'
import { silentLogger, type Logger } from '../src/logger.js'

/** A logger that keeps every record, to check what the plugin reports. */
function recordingLogger (records: Array<Record<string, unknown>>): Logger {
  const fn = (a: Record<string, unknown> | string, msg?: string): void => {
    records.push(typeof a === 'string' ? { msg: a } : { ...a, msg })
  }
  const log: Logger = { error: fn, warn: fn, info: fn, debug: fn, trace: fn, child: () => log }
  return log
}

function context (root: string, log: Logger = silentLogger): PluginContext {
  return { root, mountpoint: '/nonexistent/mnt', configDir: root, log, signal: new AbortController().signal }
}

function event (root: string, changed: string[] = [], signal = new AbortController().signal): SyncEvent {
  return { root, changed: new Set(changed), reason: 'quiet', fullMirror: false, signal }
}

async function make (root: string, options: Record<string, string>, log?: Logger): Promise<StalkPlugin> {
  const ctx = context(root, log)
  const p = await plugin(new Map(Object.entries(options)), ctx)
  await p.init?.(ctx)
  return p
}

async function failure (p: StalkPlugin, e: SyncEvent): Promise<Error> {
  const err: unknown = await Promise.resolve(p.beforeSync?.(e)).then(() => undefined, (x: unknown) => x)
  if (!(err instanceof Error)) throw new Error('beforeSync did not fail')
  return err
}

/** True once `pid` has exited (a zombie counts: it waits only for a parent that may never reap it). */
async function gone (pid: number): Promise<boolean> {
  for (let i = 0; i < 40; i++) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')
    if (stat === '' || / Z /.test(stat)) return true
    await sleep(25)
  }
  return false
}

/** An executable that records its argv, cwd, STALK_* env and the changed lists into cwd/report.json. */
function reporter (dir: string): string {
  const file = join(dir, 'report-args')
  writeFileSync(file, `#!${process.execPath}
const fs = require('node:fs')
const env = process.env
fs.writeFileSync('report.json', JSON.stringify({
  argv: process.argv.slice(2), cwd: process.cwd(),
  root: env.STALK_ROOT, reason: env.STALK_REASON, count: env.STALK_CHANGED_COUNT,
  changedFile: env.STALK_CHANGED_FILE, changed: fs.readFileSync(env.STALK_CHANGED_FILE, 'utf8'),
  changed0: fs.readFileSync(env.STALK_CHANGED_FILE0, 'utf8')
}))
console.log('indexed 2 packages')
`)
  chmodSync(file, 0o755)
  return file
}

t.test('argv: extra command words, then other keys by key name, root last; env and changed lists', async t => {
  const dir = t.testdir({ root: {} })
  const root = join(dir, 'root')
  const records: Array<Record<string, unknown>> = []
  const p = await make(root, {
    command: `${reporter(dir)} --first`, z: '--last', b: '--update -q', a: "'two words' \"x y\"",
    timeout: '30s', on_failure: 'continue'
  }, recordingLogger(records))
  await p.beforeSync?.(event(root, ['repo/b.rpm', 'a.rpm', 'new\nline']))
  const r = JSON.parse(readFileSync(join(root, 'report.json'), 'utf8')) as Record<string, string>
  t.same(r['argv'], ['--first', 'two words', 'x y', '--update', '-q', '--last', root])
  t.equal(r['cwd'], root)
  t.match(r, { root, reason: 'quiet', count: '3' })
  t.equal(r['changed'], 'a.rpm\nnew\nline\nrepo/b.rpm\n')
  t.same((r['changed0'] ?? '').split('\0'), ['a.rpm', 'new\nline', 'repo/b.rpm', ''])
  t.notOk(existsSync(r['changedFile'] ?? ''), 'the list is removed after the run')
  t.ok(records.some(x => x['stdout'] === 'indexed 2 packages\n'), 'stdout is logged')
})

t.test('cwd may be set, relative to root', async t => {
  const dir = t.testdir({ root: { sub: {} } })
  const root = join(dir, 'root')
  const p = await make(root, { command: reporter(dir), cwd: 'sub' })
  await p.beforeSync?.(event(root))
  t.ok(existsSync(join(root, 'sub', 'report.json')))
})

t.test('a non-zero exit names the code and the end of stderr; the default policy is a plain Error', async t => {
  const root = t.testdir()
  const p = await make(root, { command: 'sh', a: '-c', b: "'echo noise >&2; echo cannot open repodata >&2; exit 3'" })
  const err = await failure(p, event(root))
  t.match(err.message, /^sh exited with code 3; stderr: noise\ncannot open repodata$/)
  t.notOk(isPluginAbortError(err))
})

t.test('on_failure = abort gives a PluginAbortError', async t => {
  const root = t.testdir()
  const p = await make(root, { command: 'false', on_failure: 'abort' })
  const err = await failure(p, event(root))
  t.type(err, PluginAbortError)
  t.ok(isPluginAbortError(err))
  t.match(err.message, /false exited with code 1/)
})

t.test('the time limit stops the command and everything it started', async t => {
  const root = t.testdir()
  const p = await make(root, { command: 'sh', a: '-c', b: "'sleep 100 & echo $! > bg.pid; sleep 100'", timeout: '300ms' })
  const started = Date.now()
  const err = await failure(p, event(root))
  t.ok(Date.now() - started < 4000, 'did not wait for sleep')
  t.match(err.message, /^sh was killed by SIGTERM after its time limit of 0.3 s/)
  const pid = Number(readFileSync(join(root, 'bg.pid'), 'utf8'))
  t.ok(await gone(pid), 'the background sleep is gone too')
})

t.test('a cancelled round stops the command', async t => {
  const root = t.testdir()
  // through sh: `sleep 100 ROOT` would fail at once on the root argument
  const p = await make(root, { command: 'sh', a: '-c', b: "'sleep 100'" })
  const ac = new AbortController()
  setTimeout(() => { ac.abort() }, 100)
  const err = await failure(p, event(root, [], ac.signal))
  t.match(err.message, /^sh was killed by SIGTERM because the sync round was cancelled$/)
})

t.test('a round cancelled before it starts runs nothing and fails with the reason', async t => {
  const root = t.testdir()
  const p = await make(root, { command: 'touch', a: 'ran' })
  const ac = new AbortController()
  ac.abort(new Error('stopping'))
  const err = await failure(p, event(root, [], ac.signal))
  t.equal(err.message, 'stopping')
  t.notOk(existsSync(join(root, 'ran')), 'the command never ran')
})

t.test('a missing program: init refuses, and a run says so too', async t => {
  const root = t.testdir()
  const ctx = context(root)
  const p = await plugin(new Map([['command', 'stalk-no-such-program']]), ctx)
  await t.rejects(Promise.resolve(p.init?.(ctx)), { message: 'command not found: stalk-no-such-program' })
  const err = await failure(p, event(root))
  t.equal(err.message, 'command not found: stalk-no-such-program')
})

t.test('bad options are refused by the factory', async t => {
  const root = t.testdir()
  const ctx = context(root)
  t.throws(() => plugin(new Map(), ctx), /"command" is required/)
  t.throws(() => plugin(new Map([['command', 'true'], ['timeout', 'soon']]), ctx), /"timeout" must be a duration/)
  t.throws(() => plugin(new Map([['command', 'true'], ['on_failure', 'retry']]), ctx), /"on_failure" must be "continue" or "abort"/)
  t.throws(() => plugin(new Map([['command', 'true'], ['o', "'open"]]), ctx), /the key "o": unterminated ' quote/)
})
