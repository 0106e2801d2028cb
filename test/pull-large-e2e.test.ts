/**
 * A 200 MiB file over every origin kind through one `stem -r` mount, its
 * content checked by sha256: http and https (nginx), sftp and rsync over
 * ssh (OpenSSH), an rsync daemon and S3 (Ceph RGW). The file is made once
 * (random bytes written out in full, so no holes), hard-linked into each
 * server's folder (one copy on disk) and uploaded to the bucket; the mount
 * has all six sections and `sha256sum` reads each name through it, all six
 * at once, as six programs reading big files would.
 */
import { createHash, randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { copyFile, link, open } from 'node:fs/promises'
import { join } from 'node:path'
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import t from 'tap'
import { fuseUnavailable } from './helpers/mount.js'
import { mountPull, pullDirs, pullGlobal, tool, unmountPull } from './helpers/pull-mount.js'
import { nginxUnavailable, startNginx } from './helpers/servers/nginx.js'
import { rsyncdUnavailable, startRsyncd } from './helpers/servers/rsyncd.js'
import { s3Server, s3Unavailable } from './helpers/servers/s3.js'
import { sshdUnavailable, startSshd } from './helpers/servers/sshd.js'
import { writeStemConfig } from './helpers/stem.js'

const skip = fuseUnavailable() || (nginxUnavailable() ?? sshdUnavailable() ?? rsyncdUnavailable() ?? s3Unavailable() ?? false)
const MiB = 1 << 20
const SIZE = 200 * MiB

/** Writes SIZE random bytes to `file` a MiB at a time (never all in memory); returns their sha256. */
async function randomFile (file: string): Promise<string> {
  const h = createHash('sha256')
  const fh = await open(file, 'wx', 0o644)
  try {
    for (let done = 0; done < SIZE; done += MiB) {
      const chunk = randomBytes(MiB)
      h.update(chunk)
      await fh.write(chunk)
    }
  } finally {
    await fh.close()
  }
  return h.digest('hex')
}

/** A hard link where the folders share a filesystem (no second copy), else a copy. */
async function place (src: string, dest: string): Promise<void> {
  await link(src, dest).catch(async () => { await copyFile(src, dest) })
}

t.test('a 200 MiB file over each origin kind, checked by sha256 through the mount', { skip }, async t => {
  const [n, ssh, rsd, s3, d] = await Promise.all([startNginx(t), startSshd(t), startRsyncd(t), s3Server(t), pullDirs(t)])
  const started = Date.now()
  const source = join(d.base, 'big.bin')
  const expected = await randomFile(source)
  await place(source, join(n.wwwDir, 'big.bin'))
  await place(source, join(ssh.remoteDir, 'big.bin'))
  await place(source, join(rsd.originDir, 'big.bin'))
  const key = `${s3.prefix}big.bin`
  await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: createReadStream(source), ContentLength: SIZE }))
  // The run's RGW keeps objects in memory and serves every other test file too.
  t.teardown(async () => { await s3.client.send(new DeleteObjectCommand({ Bucket: s3.bucket, Key: key })).catch(() => {}) })
  t.comment(`made and placed the file in ${Date.now() - started} ms`)

  const sshKeys = { ssh_key: ssh.keyFile, ssh_known_hosts: ssh.knownHostsFile }
  const origins = {
    http: { origin: `${n.httpUrl}/big.bin` },
    https: { origin: `${n.httpsUrl}/big.bin`, ca: n.caFile },
    sftp: { origin: `sftp://root@127.0.0.1:${ssh.port}${ssh.remoteDir}/big.bin`, ...sshKeys },
    'rsync-ssh': { origin: `127.0.0.1:${ssh.remoteDir}/big.bin`, ssh_port: ssh.port, ...sshKeys },
    'rsync-daemon': { origin: `${rsd.url}/origin/big.bin` },
    s3: { origin: `s3://${s3.bucket}/${key}`, endpoint: s3.endpoint, region: s3.region, access_key_id: s3.accessKeyId, secret_access_key: s3.secretAccessKey }
  }
  const sections = Object.fromEntries(Object.entries(origins).map(([kind, keys]) => [kind, { name: `${kind}.bin`, ...keys }]))
  await writeStemConfig(d, { global: pullGlobal(d), ...sections })
  const m = await mountPull(d)
  t.equal(m.code, 0, `stem -r mounts (stderr: ${m.stderr})`)

  const readAll = Date.now()
  const runs = await Promise.all(Object.keys(origins).map(async kind => {
    const at = Date.now()
    const r = await tool('sha256sum', [join(d.mnt, `${kind}.bin`)], 180_000)
    return { kind, r, ms: Date.now() - at }
  }))
  for (const { kind, r, ms } of runs) {
    t.equal(r.code, 0, `sha256sum ${kind}.bin (${r.stderr.trim()})`)
    t.equal(r.stdout.toString().split(' ')[0], expected, `${kind}: 200 MiB, sha256 matches the origin's (${ms} ms)`)
  }
  t.comment(`six 200 MiB files read through the mount at once in ${Date.now() - readAll} ms`)
  await unmountPull(d, m.pid)
})
