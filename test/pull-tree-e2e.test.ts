/**
 * Directory origins end to end: `stem -r` with an S3 prefix (Ceph RGW,
 * behind a proxy that records every request) and an SFTP folder (OpenSSH)
 * as two folders of the mount. `find` and `ls -lR` walk both trees with
 * their real sizes and download nothing; `cat` reads nested files; writes
 * are EROFS; a name S3 can hold but a file system cannot is skipped. After
 * a remount within dir_cachetime the trees come from the on-disk index:
 * not one S3 LIST is sent, and a file added upstream meanwhile is not seen.
 */
import { randomBytes } from 'node:crypto'
import { existsSync, readdirSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import t from 'tap'
import { countingProxy } from './helpers/counting-proxy.js'
import { fuseUnavailable } from './helpers/mount.js'
import { logLine, mountPull, pullDirs, pullGlobal, sha256, tool, unmountPull } from './helpers/pull-mount.js'
import { putObject } from './helpers/s3-objects.js'
import { s3Server, s3Unavailable } from './helpers/servers/s3.js'
import { sshdUnavailable, startSshd } from './helpers/servers/sshd.js'
import { stalkMount, writeStemConfig } from './helpers/stem.js'

const skip = fuseUnavailable() || (sshdUnavailable() ?? s3Unavailable() ?? false)

/** Tree path → content, one tree per origin; sizes past one 128 KiB FUSE read where it matters. */
const S3_FILES: Readonly<Record<string, Buffer>> = {
  'root.pem': randomBytes(1000),
  'certs/a.pem': randomBytes(300_007),
  'certs/old/b.pem': randomBytes(17),
  'odd ü dir/we ird [1].txt': randomBytes(33)
}
const SFTP_FILES: Readonly<Record<string, Buffer>> = {
  'readme.txt': randomBytes(120),
  'docs/guide.md': randomBytes(4096),
  'docs/img/logo.bin': randomBytes(200_003)
}

/** What `find` should print under the mount: "d path" and "f path size". */
function expectedFind (): string[] {
  const out = new Set<string>(['d pki', 'd srv'])
  for (const [tree, files] of [['pki', S3_FILES], ['srv', SFTP_FILES]] as const) {
    for (const [rel, data] of Object.entries(files)) {
      out.add(`f ${tree}/${rel} ${data.length}`)
      for (let dir = dirname(rel); dir !== '.'; dir = dirname(dir)) out.add(`d ${tree}/${dir}`)
    }
  }
  return [...out].sort()
}

const dataFiles = (dir: string): string[] =>
  existsSync(dir) ? readdirSync(dir, { recursive: true, withFileTypes: true }).filter(e => e.isFile()).map(e => e.name) : []

t.test('S3 prefix and SFTP folder as trees through one stem -r mount', { skip }, async t => {
  const [ssh, s3, d] = await Promise.all([startSshd(t), s3Server(t), pullDirs(t)])
  const proxy = await countingProxy(t, s3.endpoint)
  const prefix = `${s3.prefix}pki/`
  for (const [rel, data] of Object.entries(S3_FILES)) await putObject(s3, `${prefix}${rel}`, data)
  await putObject(s3, `${prefix}certs//hidden`, Buffer.from('an empty name: no file name here'))
  const srv = join(ssh.remoteDir, 'srv')
  for (const [rel, data] of Object.entries(SFTP_FILES)) {
    await mkdir(dirname(join(srv, rel)), { recursive: true })
    await writeFile(join(srv, rel), data)
  }
  await writeStemConfig(d, {
    global: pullGlobal(d, { endpoint: proxy.url, region: s3.region, access_key_id: s3.accessKeyId, secret_access_key: s3.secretAccessKey }),
    DEFAULT: { cachetime: '10m' },
    bucket: { name: 'pki', origin: `s3://${s3.bucket}/${prefix}` },
    sftp: { name: 'srv', origin: `sftp://root@127.0.0.1:${ssh.port}${srv}/`, ssh_key: ssh.keyFile, ssh_known_hosts: ssh.knownHostsFile }
  })
  const lists = (): string[] => proxy.requests.filter(r => r.includes('list-type=2') && r.includes('delimiter='))
  const objectReads = (): string[] => proxy.requests.filter(r => !r.includes('list-type=2'))

  const m = await mountPull(d)
  t.equal(m.code, 0, `stem -r mounts (stderr: ${m.stderr})`)

  await t.test('find and ls -lR walk both trees with real sizes, and download nothing', async t => {
    const f = await tool('find', [d.mnt, '-mindepth', '1', '-printf', '%y %P %s\\n'])
    t.equal(f.code, 0, `find succeeds, no loop reported (${f.stderr})`)
    const seen = f.stdout.toString().trim().split('\n').map(l => l.startsWith('d ') ? l.replace(/ \d+$/, '') : l).sort()
    t.same(seen, expectedFind(), 'every folder and file, sizes from the listings, nothing else')
    const ls = await tool('ls', ['-lR', d.mnt])
    t.equal(ls.code, 0, `ls -lR (${ls.stderr})`)
    t.match(ls.stdout.toString(), /\b200003 .* logo\.bin/, 'ls -l shows a nested file\'s size')
    t.same(objectReads(), [], 'no HEAD or GET of an object: sizes came from listings')
    t.same([...dataFiles(join(d.cache, 'pki')), ...dataFiles(join(d.cache, 'srv'))], [], 'no data file in the cache')
    t.ok(lists().length >= 4, `S3 folders listed (${lists().length} LIST requests)`)
    await logLine(d, 'cannot be file names', '"certs"')
  })

  await t.test('cat of nested files gives their bytes; copies land in the tree\'s shape', async t => {
    for (const [tree, files] of [['pki', S3_FILES], ['srv', SFTP_FILES]] as const) {
      for (const [rel, data] of Object.entries(files)) {
        const r = await tool('cat', [join(d.mnt, tree, rel)])
        t.equal(r.code, 0, `cat ${tree}/${rel} (${r.stderr})`)
        t.equal(sha256(r.stdout), sha256(data), `${tree}/${rel}: the origin's bytes`)
      }
    }
    t.ok(existsSync(join(d.cache, 'pki', 'certs', 'old', 'b.pem')), 'cache/pki/certs/old/b.pem')
    t.ok(existsSync(join(d.cache, 'srv', 'docs', 'img', 'logo.bin')), 'cache/srv/docs/img/logo.bin')
  })

  await t.test('writes are EROFS, unknown names ENOENT', async t => {
    const dir = join(d.mnt, 'srv', 'docs')
    const changes: ReadonlyArray<readonly [string, readonly string[]]> = [
      ['touch', [join(dir, 'guide.md')]], ['touch', [join(dir, 'new.md')]], ['mkdir', [join(dir, 'sub')]],
      ['rm', ['-f', join(dir, 'guide.md')]], ['mv', [join(dir, 'guide.md'), join(dir, 'moved.md')]],
      ['sh', ['-c', `echo x >> '${join(d.mnt, 'pki', 'certs', 'a.pem')}'`]]
    ]
    for (const [cmd, args] of changes) {
      const r = await tool(cmd, args)
      t.match(r.stderr, /Read-only file system/, `${cmd} ${args.join(' ')}: EROFS`)
    }
    for (const p of ['srv/nope', 'srv/docs/nope/deeper', 'pki/certs/hidden']) {
      t.match((await tool('stat', [join(d.mnt, p)])).stderr, /No such file or directory/, `${p}: ENOENT`)
    }
  })

  const listed = lists().length
  await unmountPull(d, m.pid)
  t.notOk(stalkMount(d.mnt), 'unmounted')

  await t.test('a remount within dir_cachetime lists nothing: the index answers', async t => {
    await writeFile(join(srv, 'docs', 'added-upstream.md'), 'new')
    await putObject(s3, `${prefix}certs/added-upstream.pem`, Buffer.from('new'))
    const again = await mountPull(d)
    t.equal(again.code, 0, `remounted (stderr: ${again.stderr})`)
    t.teardown(() => unmountPull(d, again.pid))
    const f = await tool('find', [d.mnt, '-mindepth', '1', '-printf', '%y %P %s\\n'])
    const seen = f.stdout.toString().trim().split('\n').map(l => l.startsWith('d ') ? l.replace(/ \d+$/, '') : l).sort()
    t.same(seen, expectedFind(), 'the same trees: files added upstream are not seen until their folder\'s listing expires')
    t.same(lists().slice(listed), [], 'not one S3 LIST after the remount')
    const r = await tool('cat', [join(d.mnt, 'srv', 'docs', 'img', 'logo.bin')])
    t.equal(sha256(r.stdout), sha256(SFTP_FILES['docs/img/logo.bin'] ?? Buffer.alloc(0)), 'cached copies are served')
  })
})
