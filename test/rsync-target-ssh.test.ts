// rsync over ssh against a real sshd: each way of failing must reject with
// the real reason and ssh's exit code, and RSYNC_RSH is honoured only when
// the config says nothing about ssh.
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { createTarget } from '../backends/registry.js'
import { silentLogger } from '../src/logger.js'
import { failsBoth } from './helpers/expect-target-error.js'
import { freePort } from './helpers/servers/free-port.js'
import { sshdUnavailable, sshKeygen, startSshd } from './helpers/servers/sshd.js'
import { targetConfig } from './helpers/target-config.js'
import { tmpDir } from './helpers/tmp.js'
import { snapshotTree } from './helpers/tree-snapshot.js'

const log = silentLogger
const skip = sshdUnavailable()
const sshd = skip === undefined ? await startSshd(t) : undefined

t.test('ssh failures say why', { skip: skip ?? false }, async t => {
  if (sshd === undefined) return
  const good = { port: sshd.port, identityFile: sshd.keyFile, knownHostsFile: sshd.knownHostsFile }
  const dest = `root@127.0.0.1:${sshd.remoteDir}/failures`

  await t.test('a key the server does not accept', async t => {
    const other = join(await tmpDir(t), 'other_key')
    await sshKeygen(other)
    await failsBoth(t, createTarget(targetConfig(dest, { ssh: { ...good, identityFile: other } }), { log }),
      { message: /authentication failed/, exitCode: 255 })
  })

  await t.test('a host key that is not in known_hosts', async t => {
    const empty = join(await tmpDir(t), 'known_hosts')
    await writeFile(empty, '')
    await failsBoth(t, createTarget(targetConfig(dest, { ssh: { ...good, knownHostsFile: empty } }), { log }),
      { message: /host key verification failed/, exitCode: 255 })
  })

  await t.test('a port nobody listens on', async t => {
    await failsBoth(t, createTarget(targetConfig(dest, { ssh: { ...good, port: await freePort() } }), { log }),
      { message: /connection refused/, exitCode: 255 })
  })

  await t.test('a destination whose parent folder is missing', async t => {
    const target = createTarget(targetConfig(`root@127.0.0.1:${sshd.remoteDir}/no/such/dir`, { ssh: good }), { log })
    await failsBoth(t, target, { message: /no\/such\/dir does not exist, and its parent .* is not a writable folder/, exitCode: 92 },
      { message: /parent does not exist/, exitCode: 3 })
  })
})

t.test('RSYNC_RSH', { skip: skip ?? false }, async t => {
  if (sshd === undefined) return
  const root = await tmpDir(t)
  await writeFile(join(root, 'hello.txt'), 'hello\n')
  const signal = new AbortController().signal

  await t.test('is used when no ssh settings are configured', async t => {
    const dir = join(sshd.remoteDir, 'via-env')
    const env = { ...process.env, RSYNC_RSH: `ssh -F '${sshd.sshConfigFile}'` }
    const target = createTarget(targetConfig(`${sshd.hostAlias}:${dir}`), { log, env })
    await t.resolves(target.check(), 'check logs in through the ssh_config alias')
    await target.mirror(root, 'all', { signal })
    t.same(Object.keys(await snapshotTree(dir)), ['.', 'hello.txt'])
  })

  await t.test('is ignored when ssh settings are configured', async t => {
    const dir = join(sshd.remoteDir, 'via-settings')
    const env = { ...process.env, RSYNC_RSH: '/bin/false' }
    const ssh = { port: sshd.port, identityFile: sshd.keyFile, knownHostsFile: sshd.knownHostsFile }
    const target = createTarget(targetConfig(`root@127.0.0.1:${dir}`, { ssh }), { log, env })
    await t.resolves(target.check())
    await target.mirror(root, 'all', { signal })
    t.same(Object.keys(await snapshotTree(dir)), ['.', 'hello.txt'])
  })

  await t.test('a broken RSYNC_RSH fails, it is not silently replaced', async t => {
    const env = { ...process.env, RSYNC_RSH: '/bin/false' }
    const target = createTarget(targetConfig(`root@127.0.0.1:${sshd.remoteDir}/never`), { log, env })
    await failsBoth(t, target, { message: /the remote command failed with exit 1/, exitCode: 1 },
      { message: /error in rsync protocol data stream/, exitCode: 12 })
  })
})
