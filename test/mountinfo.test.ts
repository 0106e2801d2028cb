import t from 'tap'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { findMount, parseMountinfo } from '../src/mount/mountinfo.js'

const sample = [
  '22 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw,discard',
  '63 27 0:39 / /tmp/with\\040space rw,nosuid,nodev,relatime shared:30 - fuse.stalk yum rw,user_id=0,group_id=0',
  '64 63 0:40 / /tmp/with\\040space rw,relatime - fuse.stalk second rw',
  ''
].join('\n')

t.test('parses fields, unescapes octal, reads the connection minor', async t => {
  const e = parseMountinfo(sample)
  t.equal(e.length, 3)
  t.same(e[1], { mountpoint: '/tmp/with space', fstype: 'fuse.stalk', source: 'yum', minor: 39, superOptions: 'rw,user_id=0,group_id=0' })
  t.equal(e[0]?.fstype, 'ext4', 'optional fields before " - " are skipped')
})

t.test('findMount returns the topmost mount at a path', async t => {
  const file = join(t.testdir({}), 'mountinfo')
  writeFileSync(file, sample)
  t.equal(findMount('/tmp/with space', file)?.source, 'second', 'stacked mounts: the last one is visible')
  t.equal(findMount('/tmp', file), undefined)
  t.equal(findMount('/', '/proc/self/mountinfo')?.mountpoint, '/', 'the real file parses')
})
