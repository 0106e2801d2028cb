/**
 * Pull mode end to end, as a user runs it: `stem -r` mounts a config in the
 * original stalk's shape ([global] cachedir and log, [DEFAULT] cachetime,
 * one section per file with name and origin) over real servers of every
 * origin kind: nginx (http, and https with a private CA), sshd (sftp, and
 * rsync over ssh), an rsync daemon and Ceph RGW (S3).
 *
 * `ls -l` must show the real sizes before anything is read (the original
 * answered 1, and the kernel then cut every read at one byte); reads give
 * the exact bytes; the rsync files land under their configured names; every
 * change through the mount is refused with EROFS; unknown names are ENOENT.
 */
import { randomBytes } from 'node:crypto'
import { mkdir, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { PutObjectCommand } from '@aws-sdk/client-s3'
import t from 'tap'
import { fuseUnavailable } from './helpers/mount.js'
import {
  countRequests, listSizes, mountPull, pullDirs, pullGlobal, sha256, tool, unmountPull
} from './helpers/pull-mount.js'
import { nginxUnavailable, startNginx } from './helpers/servers/nginx.js'
import { rsyncdUnavailable, startRsyncd } from './helpers/servers/rsyncd.js'
import { s3Server, s3Unavailable } from './helpers/servers/s3.js'
import { sshdUnavailable, startSshd } from './helpers/servers/sshd.js'
import { stalkMount, writeStemConfig } from './helpers/stem.js'

const skip = fuseUnavailable() || (nginxUnavailable() ?? sshdUnavailable() ?? rsyncdUnavailable() ?? s3Unavailable() ?? false)

/** Odd sizes, several past one 128 KiB FUSE read, so a size cut short would show. */
const SIZES = { 'page.html': 70_001, 'ca-bundle.pem': 300_007, motd: 200_003, 'bundle.tar': 150_011, 'daemon.bin': 1_000_003, 'object.bin': 250_013 }
type Name = keyof typeof SIZES

t.test('every origin kind through one stem -r mount', { skip }, async t => {
  const [n, ssh, rsd, s3, d] = await Promise.all([startNginx(t), startSshd(t), startRsyncd(t), s3Server(t), pullDirs(t)])
  const data = Object.fromEntries(Object.entries(SIZES).map(([k, size]) => [k, randomBytes(size)])) as Record<Name, Buffer>
  // Origin basenames differ from the names in the mount on purpose.
  await writeFile(join(n.wwwDir, 'index-src.html'), data['page.html'], { mode: 0o644 })
  await writeFile(join(n.wwwDir, 'bundle-src.pem'), data['ca-bundle.pem'], { mode: 0o644 })
  await writeFile(join(ssh.remoteDir, 'motd-upstream'), data.motd)
  await writeFile(join(ssh.remoteDir, 'upstream-2024.tar'), data['bundle.tar'])
  await mkdir(join(rsd.originDir, 'sub'))
  await writeFile(join(rsd.originDir, 'sub', 'x-v2.bin'), data['daemon.bin'])
  const key = `${s3.prefix}pki/obj-src.bin`
  await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: data['object.bin'] }))

  const sshKeys = { ssh_key: ssh.keyFile, ssh_known_hosts: ssh.knownHostsFile }
  await writeStemConfig(d, {
    global: pullGlobal(d, { endpoint: s3.endpoint, region: s3.region, access_key_id: s3.accessKeyId, secret_access_key: s3.secretAccessKey }),
    DEFAULT: { cachetime: '10m' },
    web: { name: 'page.html', origin: `${n.httpUrl}/index-src.html` },
    tls: { name: 'ca-bundle.pem', origin: `${n.httpsUrl}/bundle-src.pem`, ca: n.caFile },
    sftp: { name: 'motd', origin: `sftp://root@127.0.0.1:${ssh.port}${ssh.remoteDir}/motd-upstream`, ...sshKeys },
    'over-ssh': { name: 'bundle.tar', origin: `127.0.0.1:${ssh.remoteDir}/upstream-2024.tar`, ssh_port: ssh.port, ...sshKeys },
    daemon: { name: 'daemon.bin', origin: `${rsd.url}/origin/sub/x-v2.bin` },
    bucket: { name: 'object.bin', origin: `s3://${s3.bucket}/${key}` }
  })
  const m = await mountPull(d)
  t.equal(m.code, 0, `stem -r mounts (stderr: ${m.stderr})`)
  t.ok(m.pid, 'the daemon runs in the background')
  t.ok(stalkMount(d.mnt), 'mountinfo shows a fuse.stalk mount')

  await t.test('ls -l shows every name with its real size before any read', async t => {
    const sizes = await listSizes(d.mnt)
    t.same([...sizes.keys()].sort(), Object.keys(SIZES).sort(), 'exactly the configured names, no origin basename')
    for (const [name, size] of Object.entries(SIZES)) t.equal(sizes.get(name), size, `${name}: ${size} bytes`)
    t.equal(await countRequests(n.accessLog, '/index-src.html', 'GET'), 0, 'sizes came from a HEAD, not a download')
    const cached = (await readdir(d.cache).catch(() => [])).filter(f => f !== '.stalk')
    t.same(cached, [], 'nothing was downloaded into the cache for ls -l')
  })

  await t.test('cat of each file gives its exact bytes', async t => {
    for (const name of Object.keys(SIZES) as Name[]) {
      const r = await tool('cat', [join(d.mnt, name)])
      t.equal(r.code, 0, `cat ${name} (${r.stderr})`)
      t.equal(r.stdout.length, SIZES[name], `${name}: whole length`)
      t.equal(sha256(r.stdout), sha256(data[name]), `${name}: sha256 matches the origin's`)
    }
    const cached = (await readdir(d.cache)).filter(f => f !== '.stalk').sort()
    t.same(cached, Object.keys(SIZES).sort(), 'copies sit in the cache dir under their configured names')
  })

  await t.test('every change through the mount is refused with EROFS', async t => {
    const f = join(d.mnt, 'page.html')
    const changes: ReadonlyArray<readonly [string, readonly string[]]> = [
      ['touch', [f]], ['touch', [join(d.mnt, 'new-file')]], ['rm', ['-f', f]], ['mv', [f, join(d.mnt, 'renamed')]],
      ['mkdir', [join(d.mnt, 'dir')]], ['sh', ['-c', `echo hi > '${d.mnt}/new.txt'`]], ['sh', ['-c', `echo hi >> '${f}'`]],
      ['chmod', ['600', f]], ['ln', ['-s', 'page.html', join(d.mnt, 'link')]], ['truncate', ['-s', '0', f]]
    ]
    for (const [cmd, args] of changes) {
      const r = await tool(cmd, args)
      t.not(r.code, 0, `${cmd} ${args.join(' ')} fails`)
      t.match(r.stderr, /Read-only file system/, `${cmd} ${args.join(' ')}: EROFS (${r.stderr.trim()})`)
    }
    const after = await tool('cat', [f])
    t.equal(sha256(after.stdout), sha256(data['page.html']), 'the file is unchanged')
    t.same([...(await listSizes(d.mnt)).keys()].sort(), Object.keys(SIZES).sort(), 'no name appeared or vanished')
  })

  await t.test('unknown names are ENOENT', async t => {
    for (const name of ['nope', 'upstream-2024.tar', 'x-v2.bin', '.stalk']) {
      const r = await tool('cat', [join(d.mnt, name)])
      t.not(r.code, 0, `cat ${name} fails`)
      t.match(r.stderr, /No such file or directory/, `${name}: ENOENT`)
    }
    const r = await tool('stat', [join(d.mnt, 'dir', 'deeper')])
    t.match(r.stderr, /No such file or directory/, 'a path below the root: ENOENT')
  })

  await unmountPull(d, m.pid)
  t.notOk(stalkMount(d.mnt), 'umount removes the mount and the daemon exits')
})
