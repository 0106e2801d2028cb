import t from 'tap'
import { getAttributeSync, listAttributesSync, setAttributeSync } from '@napi-rs/xattr'
import { symlinkSync, writeFileSync } from 'node:fs'
import { constants } from 'node:os'
import { errnoOf } from '../src/errors.js'
import { codeOf, loopbackFixture, userXattrsUnsupported } from './helpers/loopback-fixture.js'

const XATTR_CREATE = 1
const XATTR_REPLACE = 2

const skip = userXattrsUnsupported()

t.test('set, get, list and remove round trip', { skip }, async t => {
  const f = loopbackFixture(t)
  writeFileSync(f.at('/f'), '')
  const value = Buffer.from([0, 1, 2, 255])
  await f.fs.setxattr('/f', 'user.bin', value, 0)
  await f.fs.setxattr('/f', 'user.empty', Buffer.alloc(0), 0)
  t.same(getAttributeSync(f.at('/f'), 'user.bin'), value, 'on the backing file')
  t.same(await f.fs.getxattr('/f', 'user.bin'), value)
  t.equal((await f.fs.getxattr('/f', 'user.empty')).length, 0, 'an empty value is a value')
  t.same([...await f.fs.listxattr('/f')].sort(), ['user.bin', 'user.empty'])
  await f.fs.removexattr('/f', 'user.bin')
  t.same(listAttributesSync(f.at('/f')), ['user.empty'])
  t.same(f.takeChanges(), ['f', 'f', 'f'], 'set, set, remove; gets and lists report nothing')
})

t.test('errors carry their errno name', { skip }, async t => {
  const f = loopbackFixture(t)
  writeFileSync(f.at('/f'), '')
  t.equal(await codeOf(() => f.fs.getxattr('/f', 'user.none')), 'ENODATA')
  t.equal(await codeOf(() => f.fs.getxattr('/missing', 'user.a')), 'ENOENT', 'not hidden behind ENODATA')
  t.equal(await codeOf(() => f.fs.listxattr('/missing')), 'ENOENT')
  t.equal(await codeOf(() => f.fs.removexattr('/f', 'user.none')), 'ENODATA')
  t.equal(await codeOf(() => f.fs.setxattr('/missing', 'user.a', Buffer.from('v'), 0)), 'ENOENT')
  const bogus = await codeOf(() => f.fs.setxattr('/f', 'bogus.a', Buffer.from('v'), 0))
  t.equal(errnoOf({ code: bogus }), -constants.errno.EOPNOTSUPP, `unknown namespace: ${bogus}`)
  t.same(f.changes, [])
})

t.test('XATTR_CREATE and XATTR_REPLACE', { skip }, async t => {
  const f = loopbackFixture(t)
  writeFileSync(f.at('/f'), '')
  t.equal(await codeOf(() => f.fs.setxattr('/f', 'user.a', Buffer.from('1'), XATTR_REPLACE)), 'ENODATA')
  await f.fs.setxattr('/f', 'user.a', Buffer.from('1'), XATTR_CREATE)
  t.equal(await codeOf(() => f.fs.setxattr('/f', 'user.a', Buffer.from('2'), XATTR_CREATE)), 'EEXIST')
  await f.fs.setxattr('/f', 'user.a', Buffer.from('3'), XATTR_REPLACE)
  t.equal((await f.fs.getxattr('/f', 'user.a')).toString(), '3')
  t.equal(await codeOf(() => f.fs.setxattr('/f', 'user.a', Buffer.from('4'), 3)), 'EINVAL')
  t.equal(await codeOf(() => f.fs.setxattr('/f', 'user.a', Buffer.from('4'), 8)), 'EINVAL')
  t.same(f.takeChanges(), ['f', 'f'])
})

t.test('a symlink is never followed', { skip }, async t => {
  const f = loopbackFixture(t)
  writeFileSync(f.at('/target'), '')
  setAttributeSync(f.at('/target'), 'user.t', 'x')
  symlinkSync('target', f.at('/link'))
  t.same(await f.fs.listxattr('/link'), [], "the link's own (empty) list")
  t.equal(await codeOf(() => f.fs.getxattr('/link', 'user.t')), 'ENODATA')
  // Linux allows no user.* attributes on symlinks
  t.equal(await codeOf(() => f.fs.setxattr('/link', 'user.t', Buffer.from('y'), 0)), 'EPERM')
  t.equal(getAttributeSync(f.at('/target'), 'user.t')?.toString(), 'x', 'the target is untouched')
})
