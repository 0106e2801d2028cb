import t from 'tap'
import { existsSync, writeFileSync } from 'node:fs'
import { silentLogger } from '../src/logger.js'
import { createLoopbackContext } from '../src/push/loopback-context.js'
import { codeOf, loopbackFixture } from './helpers/loopback-fixture.js'

const ignore = (): void => {}

t.test('mount paths map below root', async t => {
  const ctx = createLoopbackContext({ root: '/srv/data/', onChange: ignore, log: silentLogger })
  t.equal(ctx.real('/'), '/srv/data')
  t.equal(ctx.real('/a/b.txt'), '/srv/data/a/b.txt')
  t.equal(ctx.real('/.hidden/..x/.../x.'), '/srv/data/.hidden/..x/.../x.', 'dots inside names are names')
  const top = createLoopbackContext({ root: '/', onChange: ignore, log: silentLogger })
  t.equal(top.real('/'), '/')
  t.equal(top.real('/etc'), '/etc', 'a root of / gives no double slash')
})

t.test('anything but a normalized absolute path is refused', async t => {
  const ctx = createLoopbackContext({ root: '/srv/data', onChange: ignore, log: silentLogger })
  for (const bad of ['/..', '/a/../../etc', '/a/..', '/./a', '/a/.', '', 'a', '../x']) {
    t.equal(await codeOf(() => ctx.real(bad)), 'EINVAL', JSON.stringify(bad))
  }
})

t.test('changes are reported relative to root', async t => {
  const seen: string[] = []
  const ctx = createLoopbackContext({ root: '/srv', onChange: rel => seen.push(rel), log: silentLogger })
  ctx.changed('/')
  ctx.changed('/a/b')
  t.same(seen, ['', 'a/b'])
})

t.test('a failing listener is logged, the op still succeeds', async t => {
  const f = loopbackFixture(t, () => { throw new Error('journal full') })
  writeFileSync(f.at('/x'), '')
  await f.fs.unlink('/x')
  t.notOk(existsSync(f.at('/x')))
  t.same(f.changes, ['x'])
  t.equal(f.errors.length, 1)
  t.match(f.errors[0], /change listener failed.*journal full/)
})

t.test('no op reaches outside root', async t => {
  const f = loopbackFixture(t)
  t.equal(await codeOf(() => f.fs.getattr('/../etc/passwd')), 'EINVAL')
  t.equal(await codeOf(() => f.fs.mkdir('/../escape', 0o40755, f.me)), 'EINVAL')
  t.notOk(existsSync(`${f.root}/../escape`))
})
