import t from 'tap'
import { chmodSync, constants, lstatSync, mkdirSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs'
import { codeOf, loopbackFixture } from './helpers/loopback-fixture.js'

const { F_OK, R_OK, W_OK } = constants
const isRoot = process.getuid?.() === 0

t.test('lookups answer from disk and report nothing', async t => {
  const f = loopbackFixture(t)
  mkdirSync(f.at('/dir'))
  writeFileSync(f.at('/dir/a'), 'abc')
  writeFileSync(f.at('/dir/b'), '')
  symlinkSync('a', f.at('/dir/link'))
  const st = await f.fs.getattr('/dir/a')
  t.equal(st.size, 3)
  t.equal(st.ino, statSync(f.at('/dir/a')).ino)
  t.equal(st.mtimeMs, statSync(f.at('/dir/a')).mtimeMs)
  t.ok((await f.fs.getattr('/')).mode & 0o40000, 'the root maps to root itself')
  t.same([...await f.fs.readdir('/dir')].sort(), ['a', 'b', 'link'])
  t.equal(await f.fs.readlink('/dir/link'), 'a')
  const sfs = await f.fs.statfs('/')
  t.ok(sfs.bsize > 0 && sfs.blocks > 0 && sfs.bavail <= sfs.bfree, 'statfs of the backing filesystem')
  t.equal(sfs.namemax, 255)
  await f.fs.access('/dir/a', R_OK | W_OK)
  t.same(f.changes, [])
})

t.test('lookup errors carry their code', async t => {
  const f = loopbackFixture(t)
  writeFileSync(f.at('/file'), '')
  t.equal(await codeOf(() => f.fs.getattr('/missing')), 'ENOENT')
  t.equal(await codeOf(() => f.fs.getattr('/file/x')), 'ENOTDIR')
  t.equal(await codeOf(() => f.fs.readdir('/file')), 'ENOTDIR')
  t.equal(await codeOf(() => f.fs.readlink('/file')), 'EINVAL')
  t.equal(await codeOf(() => f.fs.access('/missing', F_OK)), 'ENOENT')
})

t.test('EACCES from the backing filesystem', { skip: isRoot && 'root bypasses permission checks' }, async t => {
  const f = loopbackFixture(t)
  mkdirSync(f.at('/locked'), 0o000)
  t.equal(await codeOf(() => f.fs.readdir('/locked')), 'EACCES')
  t.equal(await codeOf(() => f.fs.access('/locked', R_OK)), 'EACCES')
  t.equal(await codeOf(() => f.fs.getattr('/locked/x')), 'EACCES')
  chmodSync(f.at('/locked'), 0o700)
})

t.test('truncate, chmod and chown change the file and report it', async t => {
  const f = loopbackFixture(t)
  writeFileSync(f.at('/f'), '0123456789')
  await f.fs.truncate('/f', 3)
  t.equal(statSync(f.at('/f')).size, 3)
  await f.fs.chmod('/f', 0o100600)
  t.equal(statSync(f.at('/f')).mode & 0o7777, 0o600)
  const { uid, gid } = statSync(f.at('/f'))
  await f.fs.chown('/f', uid, gid)
  t.same(f.takeChanges(), ['f', 'f', 'f'])
  t.equal(await codeOf(() => f.fs.truncate('/missing', 0)), 'ENOENT')
  t.equal(await codeOf(() => f.fs.chmod('/missing', 0o644)), 'ENOENT')
  t.equal(await codeOf(() => f.fs.chown('/missing', uid, gid)), 'ENOENT')
  t.same(f.changes, [])
})

t.test('chmod refuses symlinks, chown changes the link itself', async t => {
  const f = loopbackFixture(t)
  writeFileSync(f.at('/target'), '')
  symlinkSync('target', f.at('/link'))
  const before = lstatSync(f.at('/target')).mode
  t.equal(await codeOf(() => f.fs.chmod('/link', 0o777)), 'EOPNOTSUPP')
  t.equal(lstatSync(f.at('/target')).mode, before, 'the target is untouched')
  t.same(f.changes, [])
  if (!isRoot) return
  await f.fs.chown('/link', 65534, 65534)
  t.equal(lstatSync(f.at('/link')).uid, 65534)
  t.equal(lstatSync(f.at('/target')).uid, 0, 'the target keeps its owner')
  await f.fs.chown('/link', 4294967295, 0)
  t.equal(lstatSync(f.at('/link')).uid, 65534, 'uid 2^32-1 leaves the owner as it is')
  t.equal(lstatSync(f.at('/link')).gid, 0)
  t.same(f.takeChanges(), ['link', 'link'])
})

t.test('utimens sets both times, or keeps the one that is null', async t => {
  const f = loopbackFixture(t)
  writeFileSync(f.at('/f'), '')
  const a = 1_600_000_000_000
  const m = 1_500_000_000_000
  await f.fs.utimens('/f', a, m)
  let st = statSync(f.at('/f'))
  t.same([st.atimeMs, st.mtimeMs], [a, m])
  await f.fs.utimens('/f', null, m + 1500)
  st = statSync(f.at('/f'))
  t.same([st.atimeMs, st.mtimeMs], [a, m + 1500], 'atime kept')
  await f.fs.utimens('/f', a + 250, null)
  st = statSync(f.at('/f'))
  t.same([st.atimeMs, st.mtimeMs], [a + 250, m + 1500], 'mtime kept')
  t.same(f.takeChanges(), ['f', 'f', 'f'])
  const ctime = st.ctimeMs
  await f.fs.utimens('/f', null, null)
  t.equal(statSync(f.at('/f')).ctimeMs, ctime, 'both null changes nothing')
  t.same(f.takeChanges(), [], 'and reports nothing')
  t.equal(await codeOf(() => f.fs.utimens('/missing', null, null)), 'ENOENT')
  t.equal(await codeOf(() => f.fs.utimens('/missing', a, m)), 'ENOENT')
})

t.test('utimens on a symlink sets the link, not the target', async t => {
  const f = loopbackFixture(t)
  writeFileSync(f.at('/target'), '')
  utimesSync(f.at('/target'), 1000, 1000)
  symlinkSync('target', f.at('/link'))
  await f.fs.utimens('/link', 2_000_000, 3_000_000)
  t.equal(lstatSync(f.at('/link')).mtimeMs, 3_000_000)
  t.equal(statSync(f.at('/target')).mtimeMs, 1_000_000)
})
