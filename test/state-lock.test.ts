import t from 'tap'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { acquireStateLock, LOCK_FILE, StateLockedError } from '../src/push/state-lock.js'

async function deadPid (): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''])
  await once(child, 'exit')
  if (child.pid === undefined) throw new Error('no pid')
  return child.pid
}

t.test('takes a free lock, writes its pid and removes it on release', async t => {
  const dir = t.testdir()
  const lock = await acquireStateLock(dir)
  t.match(await readFile(join(dir, LOCK_FILE), 'utf8'), new RegExp(`^${process.pid}( \\d+)?\\n$`))
  await lock.release()
  await t.rejects(readFile(join(dir, LOCK_FILE)), { code: 'ENOENT' })
  await lock.release()
  t.pass('a second release is harmless')
})

t.test('refused while a live process holds it', async t => {
  const dir = t.testdir()
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'])
  t.teardown(() => { child.kill('SIGKILL') })
  await writeFile(join(dir, LOCK_FILE), `${child.pid}\n`)
  const err: unknown = await acquireStateLock(dir).then(() => undefined, (e: unknown) => e)
  t.type(err, StateLockedError)
  t.equal((err as StateLockedError).pid, child.pid)
  t.equal(await readFile(join(dir, LOCK_FILE), 'utf8'), `${child.pid}\n`, 'the holder keeps its lock')
})

t.test('refused for a second open in the same process', async t => {
  const dir = t.testdir()
  const lock = await acquireStateLock(dir)
  await t.rejects(acquireStateLock(dir), StateLockedError)
  await lock.release()
  const again = await acquireStateLock(dir)
  await again.release()
})

t.test('a lock of a dead pid is taken over', async t => {
  const dir = t.testdir()
  await writeFile(join(dir, LOCK_FILE), `${await deadPid()}\n`)
  const lock = await acquireStateLock(dir)
  t.match(await readFile(join(dir, LOCK_FILE), 'utf8'), new RegExp(`^${process.pid}\\b`))
  await lock.release()
})

t.test('a recycled pid (same number, other start time) does not hold the lock', async t => {
  const dir = t.testdir()
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'])
  t.teardown(() => { child.kill('SIGKILL') })
  await writeFile(join(dir, LOCK_FILE), `${child.pid} 1\n`)
  const lock = await acquireStateLock(dir)
  await lock.release()
})

t.test('our own pid left by an earlier incarnation (container restart) is stale', async t => {
  const dir = t.testdir()
  await writeFile(join(dir, LOCK_FILE), `${process.pid} 1\n`)
  const lock = await acquireStateLock(dir)
  await lock.release()
})

t.test('an unreadable lock is taken over', async t => {
  const dir = t.testdir()
  await writeFile(join(dir, LOCK_FILE), 'garbage')
  const lock = await acquireStateLock(dir)
  await lock.release()
})

t.test('release leaves a lock alone that another daemon has taken since', async t => {
  const dir = t.testdir()
  const lock = await acquireStateLock(dir)
  await writeFile(join(dir, LOCK_FILE), '1\n')
  await lock.release()
  t.equal(await readFile(join(dir, LOCK_FILE), 'utf8'), '1\n')
})
