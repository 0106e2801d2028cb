/**
 * The loopback through a real FUSE mount: what the kernel sends for common
 * file operations lands on root, xattrs work through the mount, and reads
 * report no change. The daemon runs on this test's JS thread, so everything
 * done on the mountpoint uses async calls (fs/promises, the binding's async
 * functions): a sync call would block the thread that has to answer it.
 */
import t, { type Test } from 'tap'
import { getAttribute, getAttributeSync, listAttributes, setAttribute, setAttributeSync } from '@napi-rs/xattr'
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import {
  appendFile, chmod, link, lstat, mkdir, readFile, readdir, rename, rm, stat, symlink, truncate, unlink, utimes, writeFile
} from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { silentLogger } from '../src/logger.js'
import { createLoopbackFs } from '../src/push/loopback-fs.js'
import { userXattrsUnsupported } from './helpers/loopback-fixture.js'
import { fuseUnavailable, mountFsOps } from './helpers/mount.js'

async function mountedLoopback (t: Test): Promise<{ root: string; mnt: string; changes: string[] }> {
  const root = mkdtempSync(join(tmpdir(), 'stalk-root-'))
  t.teardown(() => rmSync(root, { recursive: true, force: true }))
  const changes: string[] = []
  const ops = createLoopbackFs({ root, onChange: rel => changes.push(rel), log: silentLogger })
  const m = await mountFsOps(t, ops)
  return { root, mnt: m.mountpoint, changes }
}

t.test('files made through the mount land on root', { skip: fuseUnavailable() }, async t => {
  const { root, mnt, changes } = await mountedLoopback(t)
  await writeFile(join(mnt, 'a.txt'), 'hello')
  await appendFile(join(mnt, 'a.txt'), ' world')
  t.equal(readFileSync(join(root, 'a.txt'), 'utf8'), 'hello world')
  await mkdir(join(mnt, 'dir'))
  await rename(join(mnt, 'a.txt'), join(mnt, 'dir/b.txt'))
  await symlink('b.txt', join(mnt, 'dir/link'))
  await link(join(mnt, 'dir/b.txt'), join(mnt, 'hard'))
  await chmod(join(mnt, 'hard'), 0o600)
  await truncate(join(mnt, 'hard'), 5)
  await utimes(join(mnt, 'hard'), 1000, 2000)
  t.same(readdirSync(join(root, 'dir')).sort(), ['b.txt', 'link'])
  t.equal((await lstat(join(mnt, 'hard'))).nlink, 2)
  t.equal(statSync(join(root, 'hard')).mode & 0o777, 0o600)
  t.equal(await readFile(join(mnt, 'dir/link'), 'utf8'), 'hello')
  t.equal(statSync(join(root, 'dir/b.txt')).mtimeMs, 2_000_000)
  t.equal((await stat(join(mnt, 'hard'))).ino, statSync(join(root, 'hard')).ino, 'inode numbers pass through')
  await unlink(join(mnt, 'hard'))
  await rm(join(mnt, 'dir'), { recursive: true })
  t.same(readdirSync(root), [])
  for (const p of ['a.txt', 'dir', 'dir/b.txt', 'dir/link', 'hard']) t.ok(changes.includes(p), `${p} reported`)
})

t.test('reading through the mount reports nothing', { skip: fuseUnavailable() }, async t => {
  const { root, mnt, changes } = await mountedLoopback(t)
  writeFileSync(join(root, 'r.txt'), 'data')
  mkdirSync(join(root, 'd'))
  t.equal(await readFile(join(mnt, 'r.txt'), 'utf8'), 'data')
  t.same((await readdir(mnt)).sort(), ['d', 'r.txt'])
  t.ok((await stat(join(mnt, 'd'))).isDirectory())
  t.same(changes, [])
})

t.test('xattrs work through the mount', { skip: fuseUnavailable() || userXattrsUnsupported() }, async t => {
  const { root, mnt, changes } = await mountedLoopback(t)
  writeFileSync(join(root, 'x'), '')
  setAttributeSync(join(root, 'x'), 'user.probe', '1')
  await setAttribute(join(mnt, 'x'), 'user.color', 'blue')
  t.equal(getAttributeSync(join(root, 'x'), 'user.color')?.toString(), 'blue', 'stored on root')
  t.equal((await getAttribute(join(mnt, 'x'), 'user.color'))?.toString(), 'blue', 'read back through the mount')
  t.same((await listAttributes(join(mnt, 'x'))).sort(), ['user.color', 'user.probe'])
  t.same(changes, ['x'])
})
