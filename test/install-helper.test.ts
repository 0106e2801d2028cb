import t from 'tap'
import { execFile } from 'node:child_process'
import { lstat, mkdir, readFile, stat, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { HELPER_MARKER, installHelper, isOurHelper, projectRoot, renderHelper, uninstallHelper } from '../fstab-helper/install-helper.js'
import { tmpDir } from './helpers/tmp.js'

interface Ran { readonly code: number | null; readonly stdout: string; readonly stderr: string }

function run (file: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<Ran> {
  return new Promise(resolve => {
    execFile(file, args, { env }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : null, stdout, stderr })
    })
  })
}

t.test('install writes an executable shim with both absolute paths, once', async t => {
  const prefix = await tmpDir(t)
  const first = await installHelper({ prefix })
  t.same(first, { path: join(prefix, 'mount.fuse.stalk'), outcome: 'installed' })
  const text = await readFile(first.path, 'utf8')
  t.ok(isOurHelper(text), 'carries the marker')
  t.match(text, `exec '${process.execPath}' '${join(projectRoot(), 'dist/fstab-helper/main.js')}' "$@"`)
  t.equal((await stat(first.path)).mode & 0o777, 0o755)
  const inode = (await stat(first.path)).ino
  t.same(await installHelper({ prefix }), { path: first.path, outcome: 'unchanged' }, 'idempotent')
  t.equal((await stat(first.path)).ino, inode, 'an unchanged helper is not rewritten')
  t.same(await installHelper({ prefix, node: '/opt/node/bin/node' }), { path: first.path, outcome: 'updated' }, 'a new node path updates our own file')
  t.same(await uninstallHelper({ prefix }), { path: first.path, outcome: 'removed' })
  t.same(await uninstallHelper({ prefix }), { path: first.path, outcome: 'absent' }, 'uninstall twice is fine')
})

t.test('a mount.fuse.stalk that is not ours is kept unless forced', async t => {
  const prefix = await tmpDir(t)
  const path = join(prefix, 'mount.fuse.stalk')
  await writeFile(path, '#!/bin/sh\necho another package\n', { mode: 0o755 })
  await t.rejects(installHelper({ prefix }), /was not written by stalk \(no stalk marker\); --force replaces it/)
  await t.rejects(uninstallHelper({ prefix }), /was not written by stalk/)
  t.equal(await readFile(path, 'utf8'), '#!/bin/sh\necho another package\n', 'left as it was')
  t.same(await installHelper({ prefix, force: true }), { path, outcome: 'replaced' })
  t.ok(isOurHelper(await readFile(path, 'utf8')))
  const linked = await tmpDir(t)
  await symlink('/bin/true', join(linked, 'mount.fuse.stalk'))
  await t.rejects(installHelper({ prefix: linked }), /\(a symlink\)/)
  t.same(await uninstallHelper({ prefix: linked, force: true }), { path: join(linked, 'mount.fuse.stalk'), outcome: 'removed' })
  await t.rejects(lstat(join(linked, 'mount.fuse.stalk')), { code: 'ENOENT' }, 'the link itself is gone')
})

t.test('refusals before anything is written', async t => {
  const prefix = await tmpDir(t)
  await t.rejects(installHelper({ prefix, helper: join(prefix, 'nothing.js') }), /does not exist: run `npm run build` first/)
  await t.rejects(installHelper({ prefix, node: 'node' }), /node is not an absolute path/)
  await mkdir(join(prefix, 'mount.fuse.stalk'))
  await t.rejects(installHelper({ prefix }), /is a directory/)
})

t.test('the shim passes every argument and the exit code on, with no PATH at all', async t => {
  const dir = join(await tmpDir(t), "it's here")
  await mkdir(dir)
  const fake = join(dir, 'main.mjs')
  await writeFile(fake, 'console.log(JSON.stringify({ argv: process.argv.slice(2), path: process.env.PATH })); process.exit(7)\n')
  const prefix = await tmpDir(t)
  const { path } = await installHelper({ prefix, helper: fake })
  const r = await run(path, ['my dev', '/mnt/a b', '-o', 'config="/etc/a b.cf",ro', '$HOME'], {})
  t.equal(r.code, 7, 'exit code passed on')
  t.same(JSON.parse(r.stdout), {
    argv: ['my dev', '/mnt/a b', '-o', 'config="/etc/a b.cf",ro', '$HOME'],
    path: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
  }, 'nothing split or expanded; a default PATH for stem\'s own tools')
})

t.test('the template is what install fills in', async t => {
  const template = await readFile(join(projectRoot(), 'fstab-helper/mount.fuse.stalk'), 'utf8')
  t.match(template, HELPER_MARKER)
  t.equal(renderHelper(template, '/n', "/h'x").split('\n').find(l => l.startsWith('exec ')), `exec '/n' '/h'\\''x' "$@"`)
})

t.test('npm run install-helper / uninstall-helper', async t => {
  const main = join(projectRoot(), 'dist/fstab-helper/install-main.js')
  const prefix = await tmpDir(t)
  const ok = await run(process.execPath, [main, 'install', '--prefix', prefix])
  t.same(ok, { code: 0, stdout: `${join(prefix, 'mount.fuse.stalk')}: installed\n`, stderr: '' })
  t.match(await run(process.execPath, [main, 'install', '--prefix', prefix]), { code: 0, stdout: /: unchanged/ })
  t.match(await run(process.execPath, [main, 'install', '--prefix']), { code: 2, stderr: /argument missing/ })
  t.match(await run(process.execPath, [main, 'reinstall']), { code: 2, stderr: /usage: npm run install-helper/ })
  await writeFile(join(prefix, 'mount.fuse.stalk'), 'not ours\n')
  t.match(await run(process.execPath, [main, 'uninstall', '--prefix', prefix]), { code: 1, stderr: /uninstall-helper: .* --force/ })
  t.match(await run(process.execPath, [main, 'uninstall', '--prefix', prefix, '--force']), { code: 0, stdout: /: removed/ })
})
