// SftpBackend.list against a real OpenSSH sshd: the list conformance suite,
// then what is particular to SFTP: symlinks are followed (to a file, to a
// folder), dangling ones and special files are left out, and the login
// folder is '' ("sftp://host/~/").
import { symlink } from 'node:fs/promises'
import { execFileSync } from 'node:child_process'
import { basename, dirname, join } from 'node:path'
import t from 'tap'
import { SftpBackend } from '../backends/sftp-backend.js'
import { listAll, listConformance, writeServedFile } from './helpers/list-conformance.js'
import { sshdUnavailable, startSshd, type SshdServer } from './helpers/servers/sshd.js'

const skip = sshdUnavailable()
const sshd = skip === undefined ? await startSshd(t) : undefined

/** A file at `file` (its folders made) with `mtimeMs`. */
const put = async (file: string, data: Buffer | string, mtimeMs: number): Promise<void> =>
  await writeServedFile(dirname(file), basename(file), data, mtimeMs)

function backendFor (s: SshdServer): SftpBackend {
  return new SftpBackend({ host: s.host, port: s.port, user: s.user, identityFile: s.keyFile, knownHostsFile: s.knownHostsFile })
}


t.test('sftp list', { skip: skip ?? false }, async t => {
  if (sshd === undefined) return
  const s = sshd
  const root = join(s.remoteDir, 'list')

  await listConformance(t, 'sftp (OpenSSH)', {
    setup: async () => ({ backend: backendFor(s), dirOf: rel => `${root}/${rel}`, put: (rel, data, m) => put(join(root, rel), data, m) }),
    missingFolder: 'not-found',
    keepsMtime: true
  })

  await t.test('symlinks are followed; dangling links and fifos are left out', async t => {
    const dir = join(s.remoteDir, 'links')
    await put(join(dir, 'real.txt'), 'real', 1_700_000_000_000)
    await put(join(dir, 'folder', 'in.txt'), 'in', 1_700_000_000_000)
    await symlink('real.txt', join(dir, 'to-file'))
    await symlink('folder', join(dir, 'to-folder'))
    await symlink('nowhere', join(dir, 'dangling'))
    execFileSync('mkfifo', [join(dir, 'fifo')])
    const b = backendFor(s)
    t.teardown(() => b.close())
    const entries = await listAll(b, `${dir}/`)
    t.same(entries.map(e => [e.name, e.type]), [['folder', 'dir'], ['real.txt', 'file'], ['to-file', 'file'], ['to-folder', 'dir']])
    t.match(entries[2], { meta: { size: 4, mtimeMs: 1_700_000_000_000 }, path: `${dir}/to-file` }, 'the target\'s size and mtime')
    t.same((await listAll(b, entries[3]?.path ?? '')).map(e => e.name), ['in.txt'], 'a linked folder lists')
  })

  await t.test('the login folder is ""', async t => {
    const b = backendFor(s)
    t.teardown(() => b.close())
    const home = process.env['HOME'] ?? '/root'
    const names = (await listAll(b, '')).map(e => e.name)
    t.ok(names.length > 0 && names.every(n => !n.includes('/')), `plain names from ${home}`)
  })
})
