// The SFTP push target against a real OpenSSH sshd: the conformance suite
// (SFTP keeps modes, symlinks and empty folders; times are whole seconds and
// hard links become copies), then: only changed files travel, a restart
// with or without state sends nothing already there, a full comparison
// repairs drift, a large file arrives by temp name and rename, an abort
// leaves nothing half-written under a final name.
import { randomBytes } from 'node:crypto'
import { access, chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { stateFileFor } from '../backends/target-state.js'
import { BIG_FILE } from './helpers/sample-tree.js'
import { sshdUnavailable, startSshd } from './helpers/servers/sshd.js'
import { inodes, replaced, sftpTargetRig } from './helpers/sftp-target-rig.js'
import { slowProxy } from './helpers/slow-proxy.js'
import { targetConformance } from './helpers/target-conformance.js'
import { tmpDir } from './helpers/tmp.js'
import { project, snapshotTree, type TreeSnapshot } from './helpers/tree-snapshot.js'

const skip = sshdUnavailable()
const sshd = skip === undefined ? await startSshd(t) : undefined
const signal = new AbortController().signal
/** SFTP carries whole seconds; folders get new mtimes as their contents change. */
const NO_TIMES = { mtimes: false }
const exists = (p: string): Promise<boolean> => access(p).then(() => true, () => false)

async function listOrEmpty (dir: string): Promise<TreeSnapshot> {
  return await snapshotTree(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return {}
    throw err
  })
}

t.test('SFTP target on OpenSSH', { skip: skip ?? false }, async t => {
  if (sshd === undefined) return

  await targetConformance(t, 'sftp (OpenSSH)', {
    features: { mtimes: false, hardLinks: false },
    setup: async (t, { slow }) => {
      const port = slow ? (await slowProxy(t, sshd.port, 300 * 1024)).port : undefined
      const rig = await sftpTargetRig(t, sshd, { stateDir: await tmpDir(t), ...(port === undefined ? {} : { port }) })
      return {
        target: rig.target,
        listDestination: () => listOrEmpty(rig.dir),
        assertStopped: async t => { t.notOk(await exists(join(rig.dir, BIG_FILE)), 'the big file is not under its final name') }
      }
    }
  })

  await t.test('only changed files are sent, also after a restart', async t => {
    const root = await tmpDir(t)
    const stateDir = await tmpDir(t)
    await mkdir(join(root, 'd'))
    for (const f of ['a.txt', 'c.txt', 'd/b.txt']) await writeFile(join(root, f), `${f}\n`)
    const first = await sftpTargetRig(t, sshd, { stateDir })
    await first.target.mirror(root, 'all', { signal })
    const before = await inodes(first.dir)
    await writeFile(join(root, 'd/b.txt'), 'b, changed\n')
    await first.target.mirror(root, new Set(['d/b.txt']), { signal })
    const after = await inodes(first.dir)
    t.same(replaced(before, after), ['d/b.txt'], 'only the changed file arrived anew')
    t.equal(await readFile(join(first.dir, 'd/b.txt'), 'utf8'), 'b, changed\n')
    await first.target.close()

    const again = await sftpTargetRig(t, sshd, { stateDir, dir: first.dir })
    await again.target.mirror(root, new Set(['a.txt']), { signal })
    await again.target.mirror(root, 'all', { signal })
    t.same(replaced(after, await inodes(first.dir)), [], 'a restarted target with its state sends nothing')
    await rm(stateFileFor(stateDir, again.config.label))
    const lost = await sftpTargetRig(t, sshd, { stateDir, dir: first.dir })
    await lost.target.mirror(root, new Set(), { signal })
    t.same(replaced(after, await inodes(first.dir)), [], 'without its state, size and mtime show what is already there')
  })

  await t.test('a full comparison repairs drift', async t => {
    const root = await tmpDir(t)
    await writeFile(join(root, 'keep.txt'), 'keep\n')
    await writeFile(join(root, 'lost.txt'), 'lost\n')
    await mkdir(join(root, 'sub'))
    const rig = await sftpTargetRig(t, sshd, { stateDir: await tmpDir(t) })
    await rig.target.mirror(root, 'all', { signal })
    await rm(join(rig.dir, 'lost.txt'))
    await rm(join(rig.dir, 'sub'), { recursive: true })
    await mkdir(join(rig.dir, 'extra/deeper'), { recursive: true })
    await writeFile(join(rig.dir, 'extra/deeper/x'), 'x\n')
    await writeFile(join(rig.dir, '.keep.txt.stalk-tmp'), 'a leftover of an aborted upload')
    await chmod(join(rig.dir, 'keep.txt'), 0o600)
    await rig.target.mirror(root, new Set(), { signal })
    t.ok(await exists(join(rig.dir, 'extra')), 'a mirror of a change set does not list the store: drift stays')
    await rig.target.mirror(root, 'all', { signal })
    t.same(project(await snapshotTree(rig.dir), NO_TIMES), project(await snapshotTree(root), NO_TIMES),
      'missing file and folder back, extras and leftovers gone, mode fixed')

    await rm(join(rig.dir, 'sub'), { recursive: true })
    await writeFile(join(root, 'sub/new.txt'), 'new\n')
    await t.rejects(rig.target.mirror(root, new Set(['sub/new.txt']), { signal }), { name: 'TargetError', message: /no such file/ },
      'a change into a folder removed in the store fails...')
    await rig.target.mirror(root, new Set(['sub/new.txt']), { signal })
    t.equal(await readFile(join(rig.dir, 'sub/new.txt'), 'utf8'), 'new\n', '...and the retry, a full comparison, repairs it')
  })

  await t.test('a 40 MiB file is written under a temp name, then renamed', async t => {
    const root = await tmpDir(t)
    const data = randomBytes(40 * 1024 * 1024)
    await writeFile(join(root, 'big.iso'), data)
    const proxy = await slowProxy(t, sshd.port, 16 * 1024 * 1024)
    const rig = await sftpTargetRig(t, sshd, { port: proxy.port })
    const seen = { tmp: false, finalWhileTmp: false }
    const run = rig.target.mirror(root, 'all', { signal })
    let done = false
    void run.finally(() => { done = true }).catch(() => {})
    while (!done) {
      const tmp = await exists(join(rig.dir, '.big.iso.stalk-tmp'))
      if (tmp) seen.tmp = true
      if (tmp && await exists(join(rig.dir, 'big.iso'))) seen.finalWhileTmp = true
      await new Promise(resolve => setTimeout(resolve, 10))
    }
    await run
    t.ok(seen.tmp, 'the bytes went to .big.iso.stalk-tmp')
    t.notOk(seen.finalWhileTmp, 'big.iso did not exist while they were written')
    t.ok((await readFile(join(rig.dir, 'big.iso'))).equals(data), 'big.iso is the file, byte for byte')
    t.notOk(await exists(join(rig.dir, '.big.iso.stalk-tmp')), 'no temp file is left')
  })

  await t.test('abort mid-upload: nothing half-written under the final name; the next full mirror cleans up', async t => {
    const root = await tmpDir(t)
    await writeFile(join(root, 'big.iso'), randomBytes(40 * 1024 * 1024))
    const proxy = await slowProxy(t, sshd.port, 2 * 1024 * 1024)
    const stateDir = await tmpDir(t)
    const rig = await sftpTargetRig(t, sshd, { port: proxy.port, stateDir })
    const ac = new AbortController()
    const run = rig.target.mirror(root, 'all', { signal: ac.signal })
    while (!await exists(join(rig.dir, '.big.iso.stalk-tmp'))) await new Promise(resolve => setTimeout(resolve, 10))
    await new Promise(resolve => setTimeout(resolve, 500))
    ac.abort(new Error('stop now'))
    await t.rejects(run, { name: 'TargetError', message: /aborted: stop now/ })
    t.notOk(await exists(join(rig.dir, 'big.iso')), 'big.iso was never created')
    const direct = await sftpTargetRig(t, sshd, { dir: rig.dir, stateDir })
    await direct.target.mirror(root, 'all', { signal })
    t.same(project(await snapshotTree(rig.dir), NO_TIMES), project(await snapshotTree(root), NO_TIMES),
      'the next full mirror delivers it and removes the temp file')
  })
})
