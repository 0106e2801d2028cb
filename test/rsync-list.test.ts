// RsyncOriginBackend.list against a real rsync daemon and over ssh to a real
// sshd: the list conformance suite on both, then what is particular to
// rsync: the whole module ('' ), a dangling symlink that makes rsync exit
// 23 without spoiling the listing, wildcard characters in folder names, a
// file where a folder was expected, and a refused login.
import { symlink } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import t from 'tap'
import { rejectsKind } from './helpers/expect-backend-error.js'
import { listAll, listConformance, writeServedFile } from './helpers/list-conformance.js'
import { daemonBackend, sshBackend } from './helpers/rsync-origin-fixture.js'
import { rsyncdUnavailable, startRsyncd } from './helpers/servers/rsyncd.js'
import { sshdUnavailable, startSshd } from './helpers/servers/sshd.js'

const skip = rsyncdUnavailable() ?? sshdUnavailable()
const [rsyncd, sshd] = skip === undefined ? await Promise.all([startRsyncd(t), startSshd(t)]) : [undefined, undefined]


/** A file at `file` (its folders made) with `mtimeMs`. */
const put = async (file: string, data: Buffer | string, mtimeMs: number): Promise<void> =>
  await writeServedFile(dirname(file), basename(file), data, mtimeMs)

t.test('rsync list', { skip: skip ?? false }, async t => {
  if (rsyncd === undefined || sshd === undefined) return
  const d = rsyncd
  const s = sshd

  await listConformance(t, 'rsync daemon', {
    setup: async () => ({
      backend: daemonBackend(d, 'origin', 'x'),
      dirOf: rel => `conf/${rel}`,
      put: (rel, data, m) => put(join(d.originDir, 'conf', rel), data, m)
    }),
    missingFolder: 'not-found',
    keepsMtime: true
  })

  await listConformance(t, 'rsync over ssh', {
    setup: async () => ({
      backend: sshBackend(s, '/x'),
      dirOf: rel => `${s.remoteDir}/conf/${rel}`,
      put: (rel, data, m) => put(join(s.remoteDir, 'conf', rel), data, m)
    }),
    missingFolder: 'not-found',
    keepsMtime: true
  })

  await t.test('the whole module; a dangling symlink is left out, not an error', async t => {
    await put(join(d.originDir, 'links', 'real.txt'), 'real', 1_700_000_000_000)
    await symlink('real.txt', join(d.originDir, 'links', 'to-real'))
    await symlink('nowhere', join(d.originDir, 'links', 'dangling'))
    const b = daemonBackend(d, 'origin', 'x')
    const top = await listAll(b, '')
    t.ok(top.some(e => e.name === 'links' && e.type === 'dir' && e.path === 'links/'), 'the module\'s folders')
    const links = await listAll(b, 'links/')
    t.same(links.map(e => [e.name, e.type, e.meta.size]), [['real.txt', 'file', 4], ['to-real', 'file', 4]])
  })

  await t.test('folder names with wildcard characters are taken literally', async t => {
    await put(join(d.originDir, 'wild', 'a[1]*', 'in.txt'), 'in', 1_700_000_000_000)
    await put(join(d.originDir, 'wild', 'a1x', 'not-this.txt'), 'no', 1_700_000_000_000)
    const b = daemonBackend(d, 'origin', 'x')
    const folder = (await listAll(b, 'wild/')).find(e => e.name === 'a[1]*')
    t.equal(folder?.path, 'wild/a[1]*/')
    t.same((await listAll(b, folder?.path ?? '')).map(e => e.name), ['in.txt'])
  })

  await t.test('a file is not a folder; a refused login is forbidden', async t => {
    await put(join(d.originDir, 'plain.txt'), 'p', 1_700_000_000_000)
    await rejectsKind(t, listAll(daemonBackend(d, 'origin', 'x'), 'plain.txt/'), 'not-found', undefined, 'a file listed as a folder')
    const wrong = daemonBackend(d, d.originAuthModule, 'x', { password: 'wrong' })
    await rejectsKind(t, listAll(wrong, ''), 'forbidden', /auth failed/, 'wrong password')
  })
})
