// An abort during a transfer from a real origin: the fetch rejects with the
// abort reason, rsync (and the ssh under it) is gone, and no temporary file
// is left in the caller's folder. The origin file is 1 GiB (sparse on the
// origin's disk), so the transfer is still running when rsync's temporary
// file appears and the abort comes.
import { open, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import type { RsyncOriginBackend } from '../backends/rsync-origin-backend.js'
import { daemonBackend, sshBackend } from './helpers/rsync-origin-fixture.js'
import { waitForNoProcess } from './helpers/process-list.js'
import { rsyncdUnavailable, startRsyncd } from './helpers/servers/rsyncd.js'
import { sshdUnavailable, startSshd } from './helpers/servers/sshd.js'
import { tmpDir } from './helpers/tmp.js'
import { waitFor } from './helpers/wait-for.js'

const sshSkip = sshdUnavailable()
const daemonSkip = rsyncdUnavailable()

async function sparseFile (file: string, bytes: number): Promise<void> {
  const fh = await open(file, 'w')
  await fh.truncate(bytes)
  await fh.close()
}

async function abortMidTransfer (t: Test, backend: RsyncOriginBackend, path: string): Promise<void> {
  const out = await tmpDir(t)
  const ac = new AbortController()
  const p = backend.fetch(path, join(out, 'entry.tmp'), { signal: ac.signal })
  let settled = false
  p.then(() => { settled = true }, () => { settled = true })
  // rsync writes into ".entry.tmp.XXXXXX" beside the destination while the data arrives.
  const seen = await waitFor('rsync\'s temporary file', async () =>
    settled ? 'settled' : (await readdir(out)).some(n => n.startsWith('.entry.tmp.')) && 'transferring', { intervalMs: 5 })
  t.equal(seen, 'transferring', 'the abort comes while the transfer runs')
  ac.abort(new Error('test abort'))
  await t.rejects(p, { message: 'test abort' }, 'the fetch rejects with the abort reason')
  t.same(await waitForNoProcess(out, 10_000), [], 'no rsync or ssh left')
  t.same(await readdir(out), [], 'no temporary file and no destination left')
}

t.test('abort over ssh', { skip: sshSkip ?? false }, async t => {
  const sshd = await startSshd(t)
  await sparseFile(join(sshd.remoteDir, 'huge.bin'), 1 << 30)
  await abortMidTransfer(t, sshBackend(sshd, '/x'), join(sshd.remoteDir, 'huge.bin'))
})

t.test('abort against an rsync daemon', { skip: daemonSkip ?? false }, async t => {
  const rsyncd = await startRsyncd(t)
  await sparseFile(join(rsyncd.originDir, 'huge.bin'), 1 << 30)
  await abortMidTransfer(t, daemonBackend(rsyncd, 'origin', 'x'), 'huge.bin')
})
