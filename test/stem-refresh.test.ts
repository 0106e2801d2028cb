/**
 * `stem refresh` against real daemons: a pull mount over nginx, counted in
 * its access log. After a refresh the next `cat` asks the origin (a 304 when
 * nothing changed, a 200 with the new bytes when it did) although the
 * cachetime (10 minutes) is far from over; only the named files are asked;
 * a path inside a directory origin works; with nginx gone the copy is still
 * served; a name not in the mount and a push mount are refused with exit 2.
 */
import { randomBytes } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { parseRequest } from '../src/control/control-protocol.js'
import { ExitCode } from '../src/exit-codes.js'
import { putFile } from './helpers/http-fixture.js'
import { fuseUnavailable } from './helpers/mount.js'
import { mountPull, pullDirs, pullGlobal, requestsFor, sha256, tool, unmountPull } from './helpers/pull-mount.js'
import { nginxUnavailable, startNginx } from './helpers/servers/nginx.js'
import { mountStem, runStem, stemDirs, testGlobal, unmountStem, writeStemConfig } from './helpers/stem.js'

const skip = fuseUnavailable() || (nginxUnavailable() ?? false)

/** The statuses nginx logged for GETs of `path`, in order. */
async function gets (accessLog: string, path: string): Promise<number[]> {
  return (await requestsFor(accessLog, path)).filter(r => r.method === 'GET').map(r => r.status)
}

t.test('pull: refresh makes the next open revalidate within cachetime', { skip }, async t => {
  const [n, d] = await Promise.all([startNginx(t), pullDirs(t)])
  const one = randomBytes(70_001)
  const other = randomBytes(1000)
  await putFile(n.wwwDir, 'one.bin', one)
  await putFile(n.wwwDir, 'other.bin', other)
  await mkdir(join(n.wwwDir, 'tree', 'sub'), { recursive: true, mode: 0o755 })
  await writeFile(join(n.wwwDir, 'tree', 'sub', 'x.txt'), 'x\n', { mode: 0o644 })
  await writeStemConfig(d, {
    global: pullGlobal(d),
    DEFAULT: { cachetime: '10m' },
    one: { name: 'one.bin', origin: `${n.httpUrl}/one.bin` },
    other: { name: 'other.bin', origin: `${n.httpUrl}/other.bin` },
    tree: { name: 'tree', origin: `${n.httpUrl}/tree/` }
  })
  const m = await mountPull(d)
  t.equal(m.code, 0, `mounted (stderr: ${m.stderr})`)
  const cat = async (name: string): Promise<Buffer> => {
    const r = await tool('cat', [join(d.mnt, name)])
    t.equal(r.code, 0, `cat ${name} (${r.stderr.trim()})`)
    return r.stdout
  }

  for (const name of ['one.bin', 'other.bin', 'tree/sub/x.txt']) await cat(name)
  for (const name of ['one.bin', 'other.bin', 'tree/sub/x.txt']) await cat(name)
  t.same(await gets(n.accessLog, '/one.bin'), [200], 'fresh: the second cat asked nothing')

  const r = await runStem(['refresh', d.mnt, 'one.bin'])
  t.equal(r.code, 0, `stem refresh: exit 0 (stderr: ${r.stderr.trim()})`)
  t.match(r.stdout, `${d.mnt}: 1 cached file(s) marked stale: one.bin`)
  t.equal(sha256(await cat('one.bin')), sha256(one), 'same bytes')
  t.same(await gets(n.accessLog, '/one.bin'), [200, 304], 'the next cat made a conditional request: 304')
  await cat('other.bin')
  t.same(await gets(n.accessLog, '/other.bin'), [200], 'a file not named was not asked')
  await cat('one.bin')
  t.same(await gets(n.accessLog, '/one.bin'), [200, 304], 'confirmed: fresh again for its cachetime')

  const changed = randomBytes(80_003)
  await putFile(n.wwwDir, 'one.bin', changed)
  t.equal(sha256(await cat('one.bin')), sha256(one), 'changed upstream, but fresh: the old copy (this is what refresh is for)')
  t.equal((await runStem(['refresh', d.mnt])).code, 0, 'stem refresh of everything')
  t.equal(sha256(await cat('one.bin')), sha256(changed), 'the new version')
  t.same(await gets(n.accessLog, '/one.bin'), [200, 304, 200], 'fetched with a 200')
  await cat('other.bin')
  t.same(await gets(n.accessLog, '/other.bin'), [200, 304], 'every file was refreshed')

  const inTree = await runStem(['refresh', d.mnt, join(d.mnt, 'tree/sub/x.txt')])
  t.equal(inTree.code, 0, `a path inside a directory origin, given as a path in the mount (stderr: ${inTree.stderr.trim()})`)
  t.match(inTree.stdout, 'marked stale: tree/sub/x.txt')
  await cat('tree/sub/x.txt')
  t.same(await gets(n.accessLog, '/tree/sub/x.txt'), [200, 304])

  const unknown = await runStem(['refresh', d.mnt, 'one.bin', 'nope.txt'])
  t.equal(unknown.code, ExitCode.usage, 'a name not in the mount: exit 2')
  t.match(unknown.stderr, `stem: ${d.mnt}: "nope.txt": not a file or folder of this mount`)
  const outside = await runStem(['refresh', d.mnt, '/etc/passwd'])
  t.equal(outside.code, ExitCode.usage)
  t.match(outside.stderr, `refresh: /etc/passwd is not inside ${d.mnt}`)
  await cat('one.bin')
  t.same(await gets(n.accessLog, '/one.bin'), [200, 304, 200], 'a refused request marked nothing')

  await n.stop()
  t.equal((await runStem(['refresh', d.mnt, 'one.bin'])).code, 0)
  t.equal(sha256(await cat('one.bin')), sha256(changed), 'origin down: the refreshed copy is still served (not deleted)')
  await unmountPull(d, m.pid)
})

t.test('push: refresh is refused with exit 2', { skip: fuseUnavailable() || false }, async t => {
  const d = await stemDirs(t)
  await writeStemConfig(d, { global: testGlobal(d, { timeout: '1h', max_wait: '2h', lazy: 'yes' }), target: { local: d.target } })
  const m = await mountStem(d)
  t.equal(m.code, 0, `mounted (stderr: ${m.stderr})`)
  const r = await runStem(['refresh', d.mnt])
  t.equal(r.code, ExitCode.usage)
  t.match(r.stderr, `stem: ${d.mnt}: a push mount has no cache to refresh`)
  const usage = await runStem(['refresh'])
  t.equal(usage.code, ExitCode.usage)
  t.match(usage.stderr, 'stem: refresh: missing MOUNTPOINT')
  await unmountStem(d, m.pid)
})

t.test('protocol: refresh takes a list of names', async t => {
  t.same(parseRequest('{"id":1,"cmd":"refresh"}'), { id: 1, cmd: 'refresh' })
  t.same(parseRequest('{"id":2,"cmd":"refresh","names":["motd","pki/a"]}'), { id: 2, cmd: 'refresh', names: ['motd', 'pki/a'] })
  t.same(parseRequest('{"id":3,"cmd":"refresh","names":"motd"}'), { id: 3, error: '"names" must be a list of at most 1000 strings' })
  t.same(parseRequest('{"id":4,"cmd":"refresh","names":[1]}'), { id: 4, error: '"names" must be a list of at most 1000 strings' })
  t.same(parseRequest(JSON.stringify({ id: 5, cmd: 'refresh', names: Array.from({ length: 1001 }, () => 'x') })),
    { id: 5, error: '"names" must be a list of at most 1000 strings' })
})
