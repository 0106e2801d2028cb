/**
 * The pull cache when the origin fails, and its limits, through a real
 * `stem -r` mount: with nginx stopped a cached copy is still served (and
 * the log says so) while a file never fetched is EIO, and the mount stays
 * up; once nginx is back on its port the next read fetches again. A mount
 * without cachedir keeps its copies in a private folder that is gone after
 * umount. cache_max_size evicts the least recently used copies, never one
 * that is open.
 */
import { randomBytes } from 'node:crypto'
import { mkdir, open, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { putFile, seedFile } from './helpers/http-fixture.js'
import { fuseUnavailable } from './helpers/mount.js'
import {
  countRequests, logLine, mountPull, pullDirs, pullGlobal, sha256, tool, unmountPull
} from './helpers/pull-mount.js'
import { findTool } from './helpers/servers/find-tool.js'
import { nginxFiles } from './helpers/servers/nginx-config.js'
import { runNginx } from './helpers/servers/nginx-process.js'
import { nginxUnavailable, startNginx } from './helpers/servers/nginx.js'
import { stalkMount, writeStemConfig } from './helpers/stem.js'
import { tmpDir } from './helpers/tmp.js'

const skip = fuseUnavailable() || (nginxUnavailable() ?? false)
const MiB = 1 << 20

t.test('origin down and back, with a private cache dir', { skip }, async t => {
  // Our own folder, so the server can be stopped and started again on the same ports.
  const dir = await tmpDir(t, 'stalk-nginx-')
  const n = await startNginx({ dir })
  t.teardown(n.stop)
  const d = await pullDirs(t)
  const tmp = join(d.base, 'tmp')
  await mkdir(tmp)
  const kept = await seedFile(n.wwwDir, 'kept.txt', 5000)
  const never = await seedFile(n.wwwDir, 'never.txt', 3000)
  await writeStemConfig(d, {
    global: pullGlobal(d, { cachedir: undefined }),
    kept: { name: 'kept.txt', origin: `${n.httpUrl}/kept.txt`, cachetime: '1s' },
    never: { name: 'never.txt', origin: `${n.httpUrl}/never.txt` }
  })
  const m = await mountPull(d, { env: { TMPDIR: tmp } })
  t.equal(m.code, 0, `stem -r mounts (${m.stderr})`)
  const privateDirs = await readdir(tmp)
  t.match(privateDirs, [/^stalk-cache-/], 'the private cache dir is made under TMPDIR')
  const cat = (name: string): ReturnType<typeof tool> => tool('cat', [join(d.mnt, name)])
  t.equal(sha256((await cat('kept.txt')).stdout), sha256(kept), 'read while the origin is up')

  await n.stop()
  const next = randomBytes(6000)
  await putFile(n.wwwDir, 'kept.txt', next)
  await sleep(1500)
  const stale = await cat('kept.txt')
  t.equal(stale.code, 0, `a stale copy is served while the origin is down (${stale.stderr})`)
  t.equal(sha256(stale.stdout), sha256(kept), 'the last good bytes')
  t.ok(await logLine(d, 'serving the cached copy', 'kept.txt'), 'the log says the origin failed and the copy was served')
  const none = await cat('never.txt')
  t.not(none.code, 0, 'a file never fetched cannot be read')
  t.match(none.stderr, /Input\/output error/, 'EIO, not ENOENT or an empty file')
  t.ok(stalkMount(d.mnt), 'the mount stays up')
  t.same((await tool('ls', [d.mnt])).stdout.toString().split('\n').filter(Boolean).sort(), ['kept.txt', 'never.txt'],
    'ls still lists every name')

  const again = await runNginx(findTool('nginx', 'nginx-light'), nginxFiles(dir), async () => [n.port, n.httpsPort])
  t.teardown(again.stop)
  const back = await cat('never.txt')
  t.equal(back.code, 0, `the next read after the origin is back works (${back.stderr})`)
  t.equal(back.stdout.length, never.length, 'its whole length')
  t.equal(sha256(back.stdout), sha256(never), 'its bytes')
  // This read's lookup may be answered from the failed stat's memo (the old copy's size and
  // mtime); its open then fetches the new version, which must reach the reader whole: the
  // old pages dropped, the new size seen (no attribute caching).
  const first = await cat('kept.txt')
  t.equal(await countRequests(n.accessLog, '/kept.txt'), 2, 'the first read after the origin is back fetches again')
  t.equal(first.stdout.length, next.length, 'the new length')
  t.equal(sha256(first.stdout), sha256(next), 'and serves what changed meanwhile')
  await sleep(1500)
  const later = await cat('kept.txt')
  t.equal(sha256(later.stdout), sha256(next), 'once the kernel asks again, the new version is read whole')

  await unmountPull(d, m.pid)
  t.same(await readdir(tmp), [], 'the private cache dir is removed at unmount')
})

t.test('cache_max_size evicts the least recently used copy, never an open one', { skip }, async t => {
  const [n, d] = await Promise.all([startNginx(t), pullDirs(t)])
  const data: Record<string, Buffer> = {}
  for (const f of ['a', 'b', 'c', 'd']) data[f] = await seedFile(n.wwwDir, f, MiB)
  const sections = Object.fromEntries(Object.keys(data).map(f => [f, { name: f, origin: `${n.httpUrl}/${f}` }]))
  await writeStemConfig(d, { global: pullGlobal(d, { cache_max_size: '2560k' }), DEFAULT: { cachetime: '10m' }, ...sections })
  const m = await mountPull(d)
  t.equal(m.code, 0, `stem -r mounts (${m.stderr})`)
  const cat = async (f: string): Promise<void> => {
    t.equal(sha256((await tool('cat', [join(d.mnt, f)])).stdout), sha256(data[f] ?? Buffer.alloc(0)), `cat ${f}`)
  }
  const copies = async (): Promise<string[]> => (await readdir(d.cache)).filter(f => f !== '.stalk').sort()

  await cat('a')
  await cat('b')
  t.same(await copies(), ['a', 'b'], 'two copies fit in 2.5 MiB')
  await cat('a')
  await cat('c')
  t.same(await copies(), ['a', 'c'], 'b, the least recently used, made room for c')

  const fh = await open(join(d.mnt, 'a'), 'r')
  try {
    await cat('c')
    // a is now the least recently used copy, but it is open.
    await cat('d')
    t.same(await copies(), ['a', 'd'], 'c went instead of the open a')
    const whole = Buffer.alloc(MiB)
    const { bytesRead } = await fh.read(whole, 0, MiB, 0)
    t.equal(bytesRead, MiB, 'a whole read')
    t.equal(sha256(whole), sha256(data['a'] ?? Buffer.alloc(0)), 'the open reader reads all of a')
  } finally {
    await fh.close()
  }
  t.equal(await countRequests(n.accessLog, '/a'), 1, 'a was never fetched again')
  await cat('b')
  t.equal(await countRequests(n.accessLog, '/b'), 2, 'an evicted copy is fetched again when read')
  await unmountPull(d, m.pid)
})
