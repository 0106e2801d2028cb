// Conflicts and failures of the SFTP push target on a real OpenSSH sshd: a
// file changed on the server behind stalk's back is kept as
// NAME.conflict-… (default) or stops the target naming it; check() and
// mirror() fail with the real reason (a folder the user may not write, a
// missing parent, a refused key, an unknown host key).
import { chmod, mkdir, mkdtemp, readFile, readdir, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import type { SftpRigOptions, SftpTargetRig } from './helpers/sftp-target-rig.js'
import { sftpTargetRig } from './helpers/sftp-target-rig.js'
import { sshdUnavailable, sshKeygen, startSshd, type SshdServer } from './helpers/servers/sshd.js'
import { removeTree, tmpDir } from './helpers/tmp.js'

const skip = sshdUnavailable()
const sshd = skip === undefined ? await startSshd(t) : undefined
const signal = new AbortController().signal
const CONFLICT = /^(.*)\.conflict-\d{8}T\d{6}\.\d{3}Z$/

/** root with a.txt and b.txt, mirrored once. */
async function mirrored (t: Test, sshd: SshdServer, o: SftpRigOptions = {}): Promise<{ root: string; rig: SftpTargetRig }> {
  const root = await tmpDir(t)
  await writeFile(join(root, 'a.txt'), 'ours\n')
  await writeFile(join(root, 'b.txt'), 'b\n')
  const rig = await sftpTargetRig(t, sshd, { stateDir: await tmpDir(t), ...o })
  await rig.target.mirror(root, 'all', { signal })
  return { root, rig }
}

/** Someone edits a file on the server (a new size and an mtime an hour away, so that whole seconds tell). */
async function editRemote (file: string, text: string): Promise<void> {
  await writeFile(file, text)
  const later = Date.now() / 1000 + 3600
  await utimes(file, later, later)
}

t.test('SFTP target conflicts and failures', { skip: skip ?? false }, async t => {
  if (sshd === undefined) return

  await t.test('keep (the default): the changed file is renamed aside, then root wins', async t => {
    const { root, rig } = await mirrored(t, sshd)
    await editRemote(join(rig.dir, 'a.txt'), 'theirs, longer\n')
    await writeFile(join(root, 'a.txt'), 'ours, changed\n')
    await rig.target.mirror(root, new Set(['a.txt']), { signal })
    const names = (await readdir(rig.dir)).sort()
    const copy = names.find(n => CONFLICT.test(n))
    t.equal(CONFLICT.exec(copy ?? '')?.[1], 'a.txt', `a conflict copy of a.txt: ${String(copy)}`)
    t.equal(await readFile(join(rig.dir, copy ?? 'none'), 'utf8'), 'theirs, longer\n', 'it holds the server\'s version')
    t.equal(await readFile(join(rig.dir, 'a.txt'), 'utf8'), 'ours, changed\n', 'a.txt holds root\'s')
    await rig.target.mirror(root, 'all', { signal })
    t.same((await readdir(rig.dir)).sort(), names, 'a full comparison leaves the conflict copy alone')
  })

  await t.test('stop: the target fails naming the path, and leaves it alone', async t => {
    const { root, rig } = await mirrored(t, sshd, { onConflict: 'stop' })
    await editRemote(join(rig.dir, 'b.txt'), 'theirs, longer\n')
    await writeFile(join(root, 'b.txt'), 'ours, changed\n')
    await writeFile(join(root, 'c.txt'), 'new\n')
    await t.rejects(rig.target.mirror(root, new Set(['b.txt', 'c.txt']), { signal }),
      { name: 'TargetError', message: /changed in the store since stalk delivered them.*on_conflict = stop.*: b\.txt\b/ })
    t.equal(await readFile(join(rig.dir, 'b.txt'), 'utf8'), 'theirs, longer\n', 'the server\'s b.txt is untouched')
    t.same((await readdir(rig.dir)).sort(), ['a.txt', 'b.txt', 'c.txt'], 'the other change was delivered; no copy made')
  })

  await t.test('check() and mirror() failures say the real reason', async t => {
    const other = join(await tmpDir(t), 'other_key')
    await sshKeygen(other)
    const emptyKnownHosts = join(await tmpDir(t), 'known_hosts')
    await writeFile(emptyKnownHosts, '')
    const cases: Array<[string, SftpRigOptions, RegExp]> = [
      ['a missing parent folder', { dir: join(sshd.remoteDir, 'no/such/dir') }, /no\/such\/dir does not exist, and neither does its parent folder/],
      ['a key the server refuses', { ssh: { identityFile: other } }, /authentication failed for root@127\.0\.0\.1/],
      ['an unknown host key', { ssh: { knownHostsFile: emptyKnownHosts } }, /is not in known_hosts/]
    ]
    for (const [what, o, message] of cases) {
      const rig = await sftpTargetRig(t, sshd, o)
      await t.rejects(rig.target.check(), { name: 'TargetError', message }, `check: ${what}`)
      await t.rejects(rig.target.mirror(await tmpDir(t), 'all', { signal }), { name: 'TargetError', message }, `mirror: ${what}`)
    }
  })

  await t.test('a folder the login user may not write', async t => {
    // root may write anywhere, so the test logs in as nobody: sshd takes the test key for every
    // user, and reads authorized_keys as that user, so the server's folder must be open to it.
    const dir = await mkdtemp(join(tmpdir(), 'stalk-ro-'))
    await chmod(dir, 0o755)
    const open = await startSshd({ dir })
    t.teardown(async () => { await open.stop(); await removeTree(dir) })
    await mkdir(join(dir, 'mirror'), { mode: 0o755 })
    const rig = await sftpTargetRig(t, open, { user: 'nobody', dir: join(dir, 'mirror') })
    await t.rejects(rig.target.check(), { name: 'TargetError', message: /write check of .*mirror on nobody@.*: permission denied/ })
    const root = await tmpDir(t)
    await writeFile(join(root, 'f'), 'f\n')
    await t.rejects(rig.target.mirror(root, 'all', { signal }), { name: 'TargetError', message: /permission denied/ })
  })
})
