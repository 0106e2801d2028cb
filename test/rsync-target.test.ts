// The target conformance suite against rsync's three kinds of destination,
// each with a real server: a local folder, OpenSSH's sshd (strict host key
// checking against a generated known_hosts, key and known_hosts in a folder
// whose name needs quoting), and an rsync daemon with a password file.
import { copyFile, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { createTarget } from '../backends/registry.js'
import { silentLogger } from '../src/logger.js'
import { waitForNoProcess } from './helpers/process-list.js'
import { rsyncdUnavailable, startRsyncd, type RsyncdServer } from './helpers/servers/rsyncd.js'
import { sshdUnavailable, startSshd, type SshdServer } from './helpers/servers/sshd.js'
import { targetConformance, type TargetFixture } from './helpers/target-conformance.js'
import { SLOW_RSYNC, targetConfig } from './helpers/target-config.js'
import { tmpDir } from './helpers/tmp.js'
import { snapshotTree, type TreeSnapshot } from './helpers/tree-snapshot.js'

const log = silentLogger
let n = 0

/** A destination folder that does not exist yet lists as empty. */
async function listOrEmpty (dir: string): Promise<TreeSnapshot> {
  return await snapshotTree(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return {}
    throw err
  })
}

async function assertStopped (t: Test, root: string): Promise<void> {
  t.same(await waitForNoProcess(root), [], 'no rsync or ssh process for this root is left')
}

await targetConformance(t, 'rsync to a local folder', {
  setup: async (t, { slow }) => {
    const dest = join(await tmpDir(t), 'mirror')
    const target = createTarget(targetConfig(dest, { rsyncOptions: slow ? SLOW_RSYNC : [] }), { log })
    return { target, listDestination: () => listOrEmpty(dest), assertStopped }
  }
})

/** Key and known_hosts copied into a folder whose name has a space, a quote and a '%'. */
async function awkwardlyPlacedKeys (t: Test, sshd: SshdServer): Promise<{ identityFile: string, knownHostsFile: string }> {
  const dir = join(await tmpDir(t), "key dir", "it's 100%")
  await mkdir(dir, { recursive: true })
  const identityFile = join(dir, 'id key')
  const knownHostsFile = join(dir, 'known hosts')
  await copyFile(sshd.keyFile, identityFile)
  await copyFile(sshd.knownHostsFile, knownHostsFile)
  return { identityFile, knownHostsFile }
}

await t.test('over ssh', { skip: sshdUnavailable() ?? false }, async t => {
  const sshd = await startSshd(t)
  const keys = await awkwardlyPlacedKeys(t, sshd)
  await targetConformance(t, 'rsync to root@127.0.0.1:/dir over ssh', {
    setup: async (_t, { slow }): Promise<TargetFixture> => {
      const dir = join(sshd.remoteDir, `dest ${++n}`)
      const cfg = targetConfig(`root@127.0.0.1:${dir}`, {
        rsyncOptions: slow ? SLOW_RSYNC : [],
        ssh: { port: sshd.port, ...keys, options: ['StrictHostKeyChecking=yes'] }
      })
      return { target: createTarget(cfg, { log }), listDestination: () => listOrEmpty(dir), assertStopped }
    }
  })
})

await t.test('to an rsync daemon', { skip: rsyncdUnavailable() ?? false }, async t => {
  const rsyncd: RsyncdServer = await startRsyncd(t)
  await targetConformance(t, 'rsync to rsync://stalk@127.0.0.1:PORT/push/sub', {
    setup: async (_t, { slow }): Promise<TargetFixture> => {
      const sub = `sub${++n}`
      const cfg = targetConfig(rsyncd.pushUrl(sub), {
        rsyncOptions: slow ? SLOW_RSYNC : [], passwordFile: rsyncd.passwordFile
      })
      return { target: createTarget(cfg, { log }), listDestination: () => listOrEmpty(join(rsyncd.pushDir, sub)), assertStopped }
    }
  })
})
