import t from 'tap'
import { splitMountOptions } from '../fstab-helper/split-options.js'

t.test('commas separate, except inside double quotes', async t => {
  t.same(splitMountOptions('ro,noauto'), [
    { name: 'ro', value: undefined, raw: 'ro' },
    { name: 'noauto', value: undefined, raw: 'noauto' }
  ])
  t.same(splitMountOptions('config="/etc/a b,c.cf",ro'), [
    { name: 'config', value: '/etc/a b,c.cf', raw: 'config="/etc/a b,c.cf"' },
    { name: 'ro', value: undefined, raw: 'ro' }
  ], 'the quotes stay in raw, not in value')
})

t.test('values', async t => {
  t.same(splitMountOptions('config=/etc/a=b.cf'), [{ name: 'config', value: '/etc/a=b.cf', raw: 'config=/etc/a=b.cf' }], 'only the first = separates')
  t.same(splitMountOptions('config='), [{ name: 'config', value: '', raw: 'config=' }], 'empty value')
  t.same(splitMountOptions('config=""'), [{ name: 'config', value: '', raw: 'config=""' }], 'quoted empty value')
  t.same(splitMountOptions('x="a"b'), [{ name: 'x', value: '"a"b', raw: 'x="a"b' }], 'a value quoted in part stays as written')
})

t.test('empty items are skipped; an unclosed quote is an error', async t => {
  t.same(splitMountOptions(''), [])
  t.same(splitMountOptions(',ro,,'), [{ name: 'ro', value: undefined, raw: 'ro' }])
  t.same(splitMountOptions('config="/etc/a,ro'), { error: 'unclosed double quote in options: config="/etc/a,ro' })
})
