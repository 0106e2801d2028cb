import t, { type Test } from 'tap'
import { constants } from 'node:fs'
import type { Caller } from '../src/fuse/fs-ops.js'
import { silentLogger } from '../src/logger.js'
import { createPullFs, type PullFs } from '../src/pull/pull-fs.js'
import { MUTATING_OPS } from '../src/pull/read-only-ops.js'
import type { FileCache } from '../src/pull/file-cache.js'
import { cacheRig, rejection, type CacheRig } from './helpers/file-cache-rig.js'

const { O_RDONLY, O_WRONLY, O_RDWR, O_TRUNC, O_CREAT, O_APPEND, R_OK, W_OK, X_OK, F_OK } = constants
const me: Caller = { uid: 1000, gid: 1000, pid: 1 }

async function mount (t: Test, cachetimeMs = 60_000): Promise<{ r: CacheRig; cache: FileCache; fs: PullFs }> {
  const r = await cacheRig(t)
  r.backend.put('/alpha', 'the first file\n', { mtimeMs: 1_650_000_000_000 })
  r.backend.put('/beta', 'b'.repeat(10_000))
  const cache = await r.open([r.file('alpha', { cachetimeMs }), r.file('beta', { cachetimeMs }), r.file('gamma')])
  const fs = createPullFs({ cache, log: silentLogger, clock: r.clock, uid: 1234, gid: 5678 })
  return { r, cache, fs }
}

async function readAll (fs: PullFs, path: string, fh: number, chunk = 4): Promise<string> {
  const parts: Buffer[] = []
  for (let pos = 0; ; pos += chunk) {
    const buf = Buffer.alloc(chunk)
    const n = await fs.read(path, fh, buf, chunk, pos)
    if (n === 0) break
    parts.push(buf.subarray(0, n))
  }
  return Buffer.concat(parts).toString()
}

t.test('the root lists every configured name', async t => {
  const { fs } = await mount(t)
  t.same(await fs.readdir('/'), ['alpha', 'beta', 'gamma'])
  t.equal(await rejection(() => fs.readdir('/alpha')), 'ENOTDIR')
  t.equal(await rejection(() => fs.readdir('/nope')), 'ENOENT')
  const root = await fs.getattr('/')
  t.equal(root.mode, constants.S_IFDIR | 0o555)
  t.match(root, { uid: 1234, gid: 5678, nlink: 2, mtimeMs: 1_000_000 })
})

t.test('getattr before the first read has the real size; unknown and deeper names are ENOENT', async t => {
  const { r, fs } = await mount(t)
  const st = await fs.getattr('/alpha')
  t.equal(st.mode, constants.S_IFREG | 0o444)
  t.match(st, { size: 15, mtimeMs: 1_650_000_000_000, uid: 1234, gid: 5678, nlink: 1 })
  t.equal(r.backend.calls.downloads, 0, 'no download for a getattr')
  t.equal(await rejection(fs.getattr('/nope')), 'ENOENT')
  t.equal(await rejection(fs.getattr('/alpha/x')), 'ENOENT')
  t.equal(await rejection(fs.getattr('/gamma')), 'ENOENT', 'configured but missing at the origin')
})

t.test('open fetches, reads come from the local copy, release closes', async t => {
  const { r, cache, fs } = await mount(t, 0)
  const { fh } = await fs.open('/alpha', O_RDONLY, me)
  t.ok(fh > 0, 'a handle > 0')
  t.equal(cache.status()[0]?.openCount, 1)
  t.equal(await readAll(fs, '/alpha', fh), 'the first file\n', 'read in 4-byte chunks')
  t.equal((await fs.fgetattr('/alpha', fh)).size, 15)
  t.equal((await fs.fgetattr('/alpha', fh)).mtimeMs, 1_650_000_000_000, 'the origin mtime')
  t.equal(r.backend.calls.fetch, 1, 'cachetime 0: one fetch for the open, none per read')
  await fs.release('/alpha', fh)
  t.equal(cache.status()[0]?.openCount, 0)
  await fs.release('/alpha', (await fs.open('/alpha', O_RDONLY | O_APPEND, me)).fh)
  t.equal(r.backend.calls.fetch, 2, 'the next open revalidates')
  t.equal(await rejection(() => fs.read('/alpha', fh, Buffer.alloc(4), 4, 0)), 'EBADF',
    'a read on a closed handle throws, never answers 0')
})

t.test('an open handle keeps its version when a new one arrives', async t => {
  const { r, fs } = await mount(t, 1000)
  const old = await fs.open('/alpha', O_RDONLY, me)
  t.match(old, { directIo: false, keepCache: false }, 'the first open: through the page cache')
  r.backend.put('/alpha', 'a second, longer version\n')
  await r.clock.advance(1000)
  const fresh = await fs.open('/alpha', O_RDONLY, me)
  t.match(fresh, { directIo: true, keepCache: true },
    'a new version while the old is open: past the page cache, which keeps the old pages')
  t.equal(await readAll(fs, '/alpha', fresh.fh), 'a second, longer version\n')
  t.equal(await readAll(fs, '/alpha', old.fh), 'the first file\n')
  t.equal((await fs.fgetattr('/alpha', old.fh)).size, 15, 'fgetattr: the snapshot size')
  t.equal((await fs.getattr('/alpha')).size, 25, 'getattr: the new size')
  await fs.release('/alpha', old.fh)
  const next = await fs.open('/alpha', O_RDONLY, me)
  t.match(next, { directIo: false, keepCache: false }, 'the old readers are gone: the old pages are dropped')
  await fs.release('/alpha', fresh.fh)
  await fs.release('/alpha', next.fh)
  const again = await fs.open('/alpha', O_RDONLY, me)
  t.match(again, { directIo: false, keepCache: true }, 'same version again: the pages are kept')
  await fs.release('/alpha', again.fh)
})

t.test('a failed open answers the origin error and leaves nothing open', async t => {
  const { r, cache, fs } = await mount(t)
  r.backend.fault = 'unavailable'
  t.equal(await rejection(fs.open('/beta', O_RDONLY, me)), 'EIO')
  t.equal(cache.status()[1]?.openCount, 0)
  t.equal(await rejection(fs.open('/nope', O_RDONLY, me)), 'ENOENT')
})

t.test('opens for writing are EROFS, before any network call', async t => {
  const { r, fs } = await mount(t)
  for (const flags of [O_WRONLY, O_RDWR, O_RDONLY | O_TRUNC, O_RDONLY | O_CREAT, O_WRONLY | O_APPEND]) {
    t.equal(await rejection(fs.open('/alpha', flags, me)), 'EROFS', `flags ${flags.toString(8)}`)
  }
  t.equal(r.backend.calls.fetch, 0)
})

t.test('every mutating op is EROFS', async t => {
  const { fs } = await mount(t)
  const args: Record<(typeof MUTATING_OPS)[number], unknown[]> = {
    write: ['/alpha', 3, Buffer.from('x'), 1, 0], create: ['/new', 0o644, me], truncate: ['/alpha', 0],
    ftruncate: ['/alpha', 3, 0], unlink: ['/alpha'], rename: ['/alpha', '/b'], mkdir: ['/d', 0o755, me],
    rmdir: ['/d'], symlink: ['/alpha', '/l', me], link: ['/alpha', '/l'], mknod: ['/n', 0o644, 0, me],
    chmod: ['/alpha', 0o777], chown: ['/alpha', 0, 0], utimens: ['/alpha', 0, 0],
    setxattr: ['/alpha', 'user.x', Buffer.from('1'), 0], removexattr: ['/alpha', 'user.x']
  }
  for (const op of MUTATING_OPS) {
    const fn = fs[op] as (...a: unknown[]) => unknown
    t.equal(await rejection(() => fn(...args[op])), 'EROFS', op)
  }
  t.equal(MUTATING_OPS.length, 16)
})

t.test('access, statfs, readlink and xattrs', async t => {
  const { fs } = await mount(t)
  const code = rejection
  t.equal(await code(() => fs.access('/alpha', R_OK)), undefined)
  t.equal(await code(() => fs.access('/', R_OK | X_OK)), undefined)
  t.equal(await code(() => fs.access('/alpha', F_OK)), undefined)
  t.equal(await code(() => fs.access('/alpha', W_OK)), 'EROFS')
  t.equal(await code(() => fs.access('/alpha', X_OK)), 'EACCES')
  t.equal(await code(() => fs.access('/nope', R_OK)), 'ENOENT')
  const sf = await fs.statfs('/')
  t.ok(sf.bsize > 0 && sf.blocks > 0, 'the cache dir filesystem')
  t.equal(sf.flag & 1, 1, 'ST_RDONLY')
  t.equal(await code(() => fs.readlink('/alpha')), 'EINVAL')
  t.equal(await code(() => fs.getxattr('/alpha', 'user.x')), 'ENODATA')
  t.same(await fs.listxattr('/alpha'), [])
  await fs.flush('/alpha', 3)
  await fs.fsync('/alpha', false, 3)
})
