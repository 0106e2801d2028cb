/**
 * sshd restarted while a pull mount is up: the next read succeeds, with the
 * origin's current content. The mount has an sftp origin (a pooled ssh
 * connection, which the restart breaks) and an rsync-over-ssh one (an ssh
 * per request), both with cachetime 0, so every open asks the origin. The
 * server comes back on the same port with the same host key, as a rebooted
 * host does; its sessions are killed too, since a rebooted host would not
 * keep them (stopping sshd's listener alone leaves them running).
 */
import { randomBytes } from 'node:crypto'
import { stat, utimes, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { fuseUnavailable } from './helpers/mount.js'
import { descendantsOf } from './helpers/open-sockets.js'
import { mountPull, pullDirs, pullGlobal, sha256, tool, unmountPull } from './helpers/pull-mount.js'
import { sshdUnavailable } from './helpers/servers/sshd.js'
import { restartableSshd } from './helpers/sshd-restart.js'
import { writeStemConfig } from './helpers/stem.js'

const skip = fuseUnavailable() || (sshdUnavailable() ?? false)

/** Rewrites `file`, its mtime 3 s past the old one, so size+mtime sees a new version whatever the clock did. */
async function rewrite (file: string, data: Buffer): Promise<void> {
  const before = await stat(file)
  await writeFile(file, data)
  const later = Math.floor(before.mtimeMs / 1000) + 3
  await utimes(file, later, later)
}

t.test('sshd restarted under a pull mount: the next read succeeds with current content', { skip }, async t => {
  const [s, d] = await Promise.all([restartableSshd(t), pullDirs(t)])
  const ssh = s.server
  const files = { 'over-sftp.bin': join(ssh.remoteDir, 'a.bin'), 'over-rsync.bin': join(ssh.remoteDir, 'b.bin') }
  const v1 = { 'over-sftp.bin': randomBytes(100_003), 'over-rsync.bin': randomBytes(100_019) }
  // Larger than v1: a size remembered from before the restart would cut the read short.
  const v2 = { 'over-sftp.bin': randomBytes(300_007), 'over-rsync.bin': randomBytes(300_017) }
  for (const name of Object.keys(files) as Array<keyof typeof files>) await writeFile(files[name], v1[name])
  const keys = { ssh_key: ssh.keyFile, ssh_known_hosts: ssh.knownHostsFile, cachetime: 0 }
  await writeStemConfig(d, {
    global: pullGlobal(d),
    sftp: { name: 'over-sftp.bin', origin: `sftp://root@127.0.0.1:${ssh.port}${files['over-sftp.bin']}`, ...keys },
    rsync: { name: 'over-rsync.bin', origin: `127.0.0.1:${files['over-rsync.bin']}`, ssh_port: ssh.port, ...keys }
  })
  const m = await mountPull(d)
  t.equal(m.code, 0, `mounted (stderr: ${m.stderr})`)
  const cat = async (name: keyof typeof files): Promise<string> => {
    const r = await tool('cat', [join(d.mnt, name)])
    t.equal(r.code, 0, `cat ${name} (${r.stderr.trim()})`)
    return sha256(r.stdout)
  }

  for (const name of Object.keys(files) as Array<keyof typeof files>) t.equal(await cat(name), sha256(v1[name]), `${name}: read once`)
  const sessions = await descendantsOf(ssh.pid)
  t.ok(sessions.length > 0, 'the sftp origin holds a connection (an sshd session) across reads')

  for (const name of Object.keys(files) as Array<keyof typeof files>) await rewrite(files[name], v2[name])
  await s.down()
  for (const pid of sessions) try { process.kill(pid, 'SIGKILL') } catch { /* gone with the listener */ }
  await s.up()

  for (const name of Object.keys(files) as Array<keyof typeof files>) {
    t.equal(await cat(name), sha256(v2[name]), `${name}: after the restart, the current content, whole`)
  }
  await unmountPull(d, m.pid)
})
