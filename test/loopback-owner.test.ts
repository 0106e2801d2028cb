import t from 'tap'
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync } from 'node:fs'
import type { Caller } from '../src/fuse/fs-ops.js'
import { loopbackFixture } from './helpers/loopback-fixture.js'

const notRoot = process.getuid?.() !== 0 && 'only a root daemon hands entries to their creator'
const nobody: Caller = { uid: 65534, gid: 65534, pid: 1 }

t.test('the daemon umask does not strip bits the caller asked for', async t => {
  const old = process.umask(0o077)
  t.teardown(() => { process.umask(old) })
  const f = loopbackFixture(t)
  const fh = await f.fs.create('/shared', 0o100664, f.me)
  await f.fs.release('/shared', fh)
  await f.fs.mkdir('/dir', 0o40775, f.me)
  await f.fs.mknod('/node', 0o100644, 0, f.me)
  t.equal(lstatSync(f.at('/shared')).mode & 0o7777, 0o664)
  t.equal(lstatSync(f.at('/dir')).mode & 0o7777, 0o775)
  t.equal(lstatSync(f.at('/node')).mode & 0o7777, 0o644)
})

t.test('a new directory keeps the setgid bit of its parent', async t => {
  const old = process.umask(0o077)
  t.teardown(() => { process.umask(old) })
  const f = loopbackFixture(t)
  mkdirSync(f.at('/sg'))
  chmodSync(f.at('/sg'), 0o2775)
  await f.fs.mkdir('/sg/child', 0o40755, f.me)
  t.equal(lstatSync(f.at('/sg/child')).mode & 0o7777, 0o2755)
})

t.test('entries created for another user belong to that user', { skip: notRoot }, async t => {
  const f = loopbackFixture(t)
  const fh = await f.fs.create('/file', 0o104755, nobody)
  await f.fs.release('/file', fh)
  await f.fs.mkdir('/dir', 0o40750, nobody)
  await f.fs.symlink('file', '/link', nobody)
  await f.fs.mknod('/fifo', 0o10600, 0, nobody)
  await f.fs.mknod('/reg', 0o100600, 0, nobody)
  for (const p of ['/file', '/dir', '/link', '/fifo', '/reg']) {
    const st = lstatSync(f.at(p))
    t.same([st.uid, st.gid], [65534, 65534], `${p} belongs to the caller`)
  }
  t.equal(lstatSync(f.at('/file')).mode & 0o7777, 0o4755, 'setuid survives the chown')
  t.equal(lstatSync(f.at('/dir')).mode & 0o7777, 0o750)
  t.same(f.takeChanges(), ['file', 'dir', 'link', 'fifo', 'reg'])
})

t.test('in a setgid directory the entry gets the directory group', { skip: notRoot }, async t => {
  const f = loopbackFixture(t)
  mkdirSync(f.at('/team'))
  chownSync(f.at('/team'), 0, 4321)
  chmodSync(f.at('/team'), 0o2777)
  const fh = await f.fs.create('/team/f', 0o100644, nobody)
  await f.fs.release('/team/f', fh)
  await f.fs.mkdir('/team/d', 0o40755, nobody)
  t.same([lstatSync(f.at('/team/f')).uid, lstatSync(f.at('/team/f')).gid], [65534, 4321])
  t.equal(lstatSync(f.at('/team/d')).gid, 4321)
})

t.test('root callers and the daemon own their entries as they are', { skip: notRoot }, async t => {
  const f = loopbackFixture(t)
  await f.fs.mkdir('/mine', 0o40755, { uid: 0, gid: 5, pid: 1 })
  t.same([lstatSync(f.at('/mine')).uid, lstatSync(f.at('/mine')).gid], [0, 0])
})

t.test('a failed hand-over leaves no entry behind', { skip: notRoot }, async t => {
  const f = loopbackFixture(t)
  // an id chown cannot take makes the step after creation fail
  const bad: Caller = { uid: 2 ** 32, gid: 0, pid: 1 }
  await t.rejects(Promise.resolve().then(() => f.fs.create('/c', 0o100644, bad)))
  await t.rejects(Promise.resolve().then(() => f.fs.mkdir('/d', 0o40755, bad)))
  await t.rejects(Promise.resolve().then(() => f.fs.symlink('x', '/s', bad)))
  await t.rejects(Promise.resolve().then(() => f.fs.mknod('/p', 0o10644, 0, bad)))
  for (const p of ['/c', '/d', '/s', '/p']) t.notOk(existsSync(f.at(p)), `${p} removed`)
  t.same(f.changes, [])
})
