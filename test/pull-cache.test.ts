/**
 * The pull cache through a real `stem -r` mount, counted in nginx's access
 * log: a fresh copy costs no request; a stale one is revalidated (304, no
 * download) or replaced when the origin changed; cachetime 0 asks once per
 * open, not per read; eight concurrent cold readers share one download;
 * the origin's 404 / 401 / 403 become ENOENT / EACCES; a reader holding
 * the file open keeps its version while a newer one arrives; and a
 * persistent cachedir keeps copies fresh across a remount (their age counts
 * from the fetch, not from the mount).
 */
import { randomBytes } from 'node:crypto'
import { open, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { putFile, seedFile } from './helpers/http-fixture.js'
import { fuseUnavailable } from './helpers/mount.js'
import {
  countRequests, mountPull, pullDirs, pullGlobal, requestsFor, sha256, tool, unmountPull
} from './helpers/pull-mount.js'
import { nginxUnavailable, startNginx } from './helpers/servers/nginx.js'
import { writeStemConfig } from './helpers/stem.js'

const skip = fuseUnavailable() || (nginxUnavailable() ?? false)
const MiB = 1 << 20
/** Past every cachetime of 1 s below, with room for a busy machine. */
const PAST_1S = 1500

t.test('freshness, revalidation and errors, counted at the origin', { skip }, async t => {
  const [n, d] = await Promise.all([startNginx(t), pullDirs(t)])
  const www = n.wwwDir
  const content = {
    fresh: await seedFile(www, 'fresh.bin', 100_000),
    stale: await seedFile(www, 'stale.txt', 5000),
    zero: await seedFile(www, 'zero.bin', 5 * MiB),
    cold: await seedFile(www, 'cold.bin', 300 * 1024),
    snap: await seedFile(www, 'snap.bin', MiB)
  }
  await seedFile(join(www, 'private'), 'locked.txt', 100)
  // Readable only by root: nginx's unprivileged workers answer 403.
  await writeFile(join(www, 'forbidden.txt'), 'secret', { mode: 0o600 })
  const url = (p: string): string => `${n.httpUrl}${p}`
  await writeStemConfig(d, {
    global: pullGlobal(d),
    DEFAULT: { cachetime: '10m' },
    fresh: { name: 'fresh.bin', origin: url('/fresh.bin') },
    stale: { name: 'stale.txt', origin: url('/stale.txt'), cachetime: '1s' },
    zero: { name: 'zero.bin', origin: url('/zero.bin'), cachetime: 0 },
    // 300 KiB at nginx's 200 KiB/s: every reader arrives while the one download runs.
    cold: { name: 'cold.bin', origin: url('/slow/cold.bin') },
    snap: { name: 'snap.bin', origin: url('/snap.bin'), cachetime: '1s' },
    gone: { name: 'gone.txt', origin: url('/gone.txt') },
    locked: { name: 'locked.txt', origin: url('/private/locked.txt') },
    forbidden: { name: 'forbidden.txt', origin: url('/forbidden.txt') }
  })
  const m = await mountPull(d)
  t.equal(m.code, 0, `stem -r mounts (${m.stderr})`)
  const cat = (name: string): ReturnType<typeof tool> => tool('cat', [join(d.mnt, name)])
  const all = async (p: string): Promise<number> => (await requestsFor(n.accessLog, p)).length

  await t.test('a fresh copy is served without any request', async t => {
    t.equal(sha256((await cat('fresh.bin')).stdout), sha256(content.fresh), 'first read: the origin\'s bytes')
    const after = await all('/fresh.bin')
    t.equal(await countRequests(n.accessLog, '/fresh.bin'), 1, 'one download')
    for (let i = 0; i < 3; i++) t.equal(sha256((await cat('fresh.bin')).stdout), sha256(content.fresh))
    await tool('ls', ['-l', d.mnt])
    t.equal(await all('/fresh.bin'), after, 'no request at all for reads and ls -l of a fresh copy')
  })

  await t.test('stale and unchanged: a 304, no download; stale and changed: the new bytes', async t => {
    t.equal(sha256((await cat('stale.txt')).stdout), sha256(content.stale))
    await sleep(PAST_1S)
    t.equal(sha256((await cat('stale.txt')).stdout), sha256(content.stale), 'same bytes after revalidation')
    const gets = (await requestsFor(n.accessLog, '/stale.txt')).filter(r => r.method === 'GET').map(r => r.status)
    t.same(gets, [200, 304], 'the stale copy was revalidated with a conditional GET that nginx answered 304')
    const next = randomBytes(7000)
    await putFile(www, 'stale.txt', next)
    await sleep(PAST_1S)
    const r = await cat('stale.txt')
    t.equal(r.stdout.length, next.length, 'the new size')
    t.equal(sha256(r.stdout), sha256(next), 'the new content')
  })

  await t.test('cachetime 0 asks the origin once per open, not once per read', async t => {
    const dd = await tool('dd', [`if=${join(d.mnt, 'zero.bin')}`, 'of=/dev/null', 'bs=4k'])
    t.equal(dd.code, 0, dd.stderr)
    t.match(dd.stderr, /^1280\+0 records in/m, '1280 reads of 4 KiB')
    t.equal(await countRequests(n.accessLog, '/zero.bin'), 1, 'one GET for the whole dd')
    const heads = await countRequests(n.accessLog, '/zero.bin', 'HEAD')
    t.ok(heads <= 4, `getattr asked a few times, not per chunk (${heads} HEADs)`)
    t.equal(sha256((await cat('zero.bin')).stdout), sha256(content.zero), 'a second open reads it whole')
    const gets = (await requestsFor(n.accessLog, '/zero.bin')).filter(r => r.method === 'GET').map(r => r.status)
    t.same(gets, [200, 304], 'the second open revalidated (304)')
  })

  await t.test('eight concurrent readers of a cold file share one download', async t => {
    const runs = await Promise.all(Array.from({ length: 8 }, async () => await cat('cold.bin')))
    for (const r of runs) t.equal(sha256(r.stdout), sha256(content.cold), `cat ${r.code}: whole file ${r.stderr}`)
    t.equal(await countRequests(n.accessLog, '/slow/cold.bin'), 1, 'exactly one GET at the origin')
  })

  await t.test('the origin\'s answers: 404 is ENOENT, 401 and 403 are EACCES', async t => {
    t.match((await cat('gone.txt')).stderr, /No such file or directory/, '404 → ENOENT')
    t.match((await cat('locked.txt')).stderr, /Permission denied/, '401 (auth location) → EACCES')
    t.match((await cat('forbidden.txt')).stderr, /Permission denied/, '403 → EACCES')
    t.same((await requestsFor(n.accessLog, '/private/locked.txt')).map(r => r.status).slice(0, 1), [401], 'nginx did say 401')
    t.same((await requestsFor(n.accessLog, '/forbidden.txt')).map(r => r.status).slice(0, 1), [403], 'nginx did say 403')
  })

  // The daemon pins the old copy's inode, and the kernel keeps one page cache per path:
  // the open of the new version must neither read through nor drop the old reader's pages.
  await t.test('a reader holding the file open keeps its version while a new one arrives', async t => {
    const fh = await open(join(d.mnt, 'snap.bin'), 'r')
    try {
      const half = MiB / 2
      const first = Buffer.alloc(half)
      await fh.read(first, 0, half, 0)
      t.equal(sha256(first), sha256(content.snap.subarray(0, half)), 'first half: the old version')
      // Same size: only the bytes tell the versions apart.
      const next = randomBytes(MiB)
      await putFile(www, 'snap.bin', next)
      await sleep(PAST_1S)
      t.equal(sha256((await cat('snap.bin')).stdout), sha256(next), 'a new open gets the new version')
      const rest = Buffer.alloc(half)
      const { bytesRead } = await fh.read(rest, 0, half, half)
      t.equal(bytesRead, half, 'the rest of the old file')
      t.equal(sha256(rest), sha256(content.snap.subarray(half)), 'second half through the old fd: still the old version')
    } finally {
      await fh.close()
    }
  })

  await unmountPull(d, m.pid)

  await t.test('a persistent cachedir: fresh copies survive a remount without a request', async t => {
    const before = { fresh: await all('/fresh.bin'), stale: await all('/stale.txt') }
    const again = await mountPull(d)
    t.equal(again.code, 0, `remount (${again.stderr})`)
    t.equal(sha256((await cat('fresh.bin')).stdout), sha256(content.fresh), 'the copy from the last mount')
    t.equal(await all('/fresh.bin'), before.fresh, 'no request: fetched well within its 10 minutes')
    await cat('stale.txt')
    const stale = (await requestsFor(n.accessLog, '/stale.txt')).slice(before.stale)
    t.same(stale.filter(r => r.method === 'GET').map(r => r.status), [304],
      'a copy older than its cachetime is revalidated: age counts from the fetch, not the mount')
    await unmountPull(d, again.pid)
  })
})
