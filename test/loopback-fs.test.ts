import t from 'tap'
import { chmodSync, constants, lstatSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { codeOf, loopbackFixture } from './helpers/loopback-fixture.js'

const { O_RDONLY, O_WRONLY, O_RDWR, O_TRUNC, O_DIRECT } = constants

t.test('reading never reports a change', async t => {
  const f = loopbackFixture(t)
  writeFileSync(f.at('/r.txt'), 'hello world')
  const fh = await f.fs.open('/r.txt', O_RDONLY, f.me)
  t.ok(fh > 0, 'a handle > 0')
  const buf = Buffer.alloc(64)
  t.equal(await f.fs.read('/r.txt', fh, buf, 5, 6), 5)
  t.equal(buf.subarray(0, 5).toString(), 'world')
  t.equal(await f.fs.read('/r.txt', fh, buf, 64, 0), 11, 'a read past the end is short')
  t.equal(await f.fs.read('/r.txt', fh, buf, 64, 100), 0, 'a read beyond the end is 0')
  t.equal((await f.fs.fgetattr('/r.txt', fh)).size, 11)
  await f.fs.flush('/r.txt', fh)
  await f.fs.fsync('/r.txt', false, fh)
  await f.fs.fsync('/r.txt', true, fh)
  await f.fs.release('/r.txt', fh)
  // a writable open that writes nothing is no change either
  const rw = await f.fs.open('/r.txt', O_RDWR, f.me)
  await f.fs.release('/r.txt', rw)
  t.same(f.changes, [])
})

t.test('create, write and release report the path', async t => {
  const f = loopbackFixture(t)
  const fh = await f.fs.create('/new.txt', 0o100644, f.me)
  t.same(f.takeChanges(), ['new.txt'], 'create')
  t.equal(await f.fs.write('/new.txt', fh, Buffer.from('abcdef'), 6, 0), 6)
  t.equal(await f.fs.write('/new.txt', fh, Buffer.from('XYZ--'), 3, 2), 3, 'length, not the buffer size, is written')
  t.same(f.takeChanges(), ['new.txt', 'new.txt'], 'one call per write')
  await f.fs.release('/new.txt', fh)
  t.same(f.takeChanges(), [], 'release adds nothing')
  t.equal(readFileSync(f.at('/new.txt'), 'utf8'), 'abXYZf')
  t.equal(lstatSync(f.at('/new.txt')).mode & 0o777, 0o644)
})

t.test('create of a name that appeared meanwhile opens it as it is', async t => {
  const f = loopbackFixture(t)
  writeFileSync(f.at('/there'), 'kept')
  chmodSync(f.at('/there'), 0o640)
  const fh = await f.fs.create('/there', 0o100600, f.me)
  const buf = Buffer.alloc(8)
  t.equal(await f.fs.read('/there', fh, buf, 8, 0), 4, 'opened read-write, content kept')
  await f.fs.release('/there', fh)
  t.equal(lstatSync(f.at('/there')).mode & 0o777, 0o640, 'its mode is not changed')
})

t.test('open passes the flags on, reports O_TRUNC, strips O_DIRECT', async t => {
  const f = loopbackFixture(t)
  writeFileSync(f.at('/t.txt'), 'content')
  const fh = await f.fs.open('/t.txt', O_WRONLY | O_TRUNC | O_DIRECT, f.me)
  t.equal(statSync(f.at('/t.txt')).size, 0, 'truncated by open')
  t.same(f.takeChanges(), ['t.txt'])
  // an unaligned buffer and length: EINVAL if O_DIRECT had reached the backing fd
  t.equal(await f.fs.write('/t.txt', fh, Buffer.from('xyz'), 3, 0), 3)
  await f.fs.release('/t.txt', fh)
  const ro = await f.fs.open('/t.txt', O_RDONLY, f.me)
  t.equal(await codeOf(() => f.fs.write('/t.txt', ro, Buffer.from('x'), 1, 0)), 'EBADF', 'read-only fd refuses writes')
  await f.fs.release('/t.txt', ro)
  t.same(f.takeChanges(), ['t.txt'], 'only the successful write')
})

t.test('ftruncate changes the size and reports it', async t => {
  const f = loopbackFixture(t)
  writeFileSync(f.at('/f'), '0123456789')
  const fh = await f.fs.open('/f', O_RDWR, f.me)
  await f.fs.ftruncate('/f', fh, 4)
  t.equal((await f.fs.fgetattr('/f', fh)).size, 4)
  await f.fs.ftruncate('/f', fh, 100)
  t.equal(statSync(f.at('/f')).size, 100, 'extended too')
  await f.fs.release('/f', fh)
  t.same(f.takeChanges(), ['f', 'f'])
})

t.test('a write at 5 GiB makes a sparse file', async t => {
  const f = loopbackFixture(t)
  const fh = await f.fs.create('/sparse', 0o100644, f.me)
  const pos = 5 * 2 ** 30
  t.equal(await f.fs.write('/sparse', fh, Buffer.from('tail'), 4, pos), 4)
  const buf = Buffer.alloc(8)
  t.equal(await f.fs.read('/sparse', fh, buf, 8, pos - 4), 8)
  t.same([...buf], [0, 0, 0, 0, 0x74, 0x61, 0x69, 0x6c], 'a hole reads as zeros, then the data')
  await f.fs.release('/sparse', fh)
  const st = statSync(f.at('/sparse'))
  t.equal(st.size, pos + 4)
  t.ok(st.blocks * 512 < 1024 * 1024, `few blocks allocated (${st.blocks})`)
})

t.test('handle ops on a bad handle fail with EBADF', async t => {
  const f = loopbackFixture(t)
  const bad = 987654
  t.equal(await codeOf(() => f.fs.read('/x', bad, Buffer.alloc(1), 1, 0)), 'EBADF')
  t.equal(await codeOf(() => f.fs.fsync('/x', false, bad)), 'EBADF', 'fsync rejects with the code')
  t.equal(await codeOf(() => f.fs.ftruncate('/x', bad, 0)), 'EBADF')
  t.equal(await codeOf(() => f.fs.release('/x', bad)), 'EBADF')
  t.same(f.changes, [])
})

t.test('open errors carry their code and report nothing', async t => {
  const f = loopbackFixture(t)
  t.equal(await codeOf(() => f.fs.open('/missing', O_RDONLY, f.me)), 'ENOENT')
  t.equal(await codeOf(() => f.fs.open('/', O_WRONLY, f.me)), 'EISDIR')
  writeFileSync(f.at('/file'), '')
  t.equal(await codeOf(() => f.fs.create('/file/x', 0o100644, f.me)), 'ENOTDIR')
  t.same(f.changes, [])
})
