/**
 * One suite for Backend.list, run by every pull backend against its real
 * server: one level at a time, nested folders, sizes and mtimes that agree
 * with stat and fetch, entry paths that fetch (odd names included), a
 * missing folder, an aborted listing.
 *
 *   await listConformance(t, 'sftp (OpenSSH)', {
 *     setup: async t => ({
 *       backend,                                  // closed by the suite
 *       dirOf: rel => `${root}/${rel}`,           // backend path of folder rel ('' or 'a/b/'), ending in '/'
 *       put: async (rel, data, mtimeMs) => { … }  // a file at rel (parents made), with that mtime where the store can set one
 *     }),
 *     missingFolder: 'not-found'                  // or 'empty' (S3: a prefix nobody wrote lists nothing)
 *   })
 */
import type { Test } from 'tap'
import { readFileSync } from 'node:fs'
import { chmod, mkdir, utimes, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import type { Backend, ListEntry } from '../../backends/backend.js'
import { sameVersion } from '../../src/pull/cache-meta.js'
import { rejectsKind } from './expect-backend-error.js'
import { tmpDir } from './tmp.js'

export interface ListFixture {
  readonly backend: Backend
  readonly dirOf: (rel: string) => string
  readonly put: (rel: string, data: Buffer, mtimeMs: number) => Promise<void>
}

export interface ListConformanceOptions {
  readonly setup: (t: Test) => Promise<ListFixture>
  readonly missingFolder: 'not-found' | 'empty'
  /** Whether the store keeps the mtime `put` gives (S3 sets its own at upload). */
  readonly keepsMtime: boolean
}

export const ODD_NAME = 'ü ö [1] 100% #x?&=+;.txt'

/**
 * Writes `rel` under `root` (a served folder on this machine) with `mtimeMs`,
 * making its folders; everything world-readable, as nginx's unprivileged
 * workers and rsyncd need.
 */
export async function writeServedFile (root: string, rel: string, data: Buffer | string, mtimeMs: number): Promise<void> {
  const file = join(root, rel)
  await mkdir(dirname(file), { recursive: true })
  for (let dir = dirname(file); dir.startsWith(root); dir = dirname(dir)) await chmod(dir, 0o755)
  await writeFile(file, data, { mode: 0o644 })
  await utimes(file, mtimeMs / 1000, mtimeMs / 1000)
}

export async function listAll (b: Backend, dir: string, signal?: AbortSignal): Promise<ListEntry[]> {
  if (b.list === undefined) throw new Error(`${b.name} has no list`)
  const out: ListEntry[] = []
  for await (const e of b.list(dir, signal === undefined ? {} : { signal })) out.push(e)
  return out.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
}

export async function listConformance (t: Test, name: string, o: ListConformanceOptions): Promise<void> {
  await t.test(`${name}: list conformance`, async t => {
    const fx = await o.setup(t)
    t.teardown(() => fx.backend.close())
    const mtime = Math.floor(Date.now() / 1000) * 1000 - 3_600_000
    await fx.put('a.txt', Buffer.from('0123456789'), mtime)
    await fx.put('sub/b.bin', Buffer.alloc(12_345, 7), mtime + 2000)
    await fx.put('sub/deeper/c.txt', Buffer.from('c'), mtime)
    await fx.put(`odd dir ü/${ODD_NAME}`, Buffer.from('odd\n'), mtime)

    await t.test('one level at a time, folders with a path to list', async t => {
      const top = await listAll(fx.backend, fx.dirOf(''))
      t.same(top.map(e => [e.name, e.type]), [['a.txt', 'file'], ['odd dir ü', 'dir'], ['sub', 'dir']])
      t.match(top[0], { meta: { size: 10 }, path: String })
      if (o.keepsMtime) t.equal(top[0]?.meta.mtimeMs, mtime, 'the file\'s mtime')
      else t.ok(Math.abs((top[0]?.meta.mtimeMs ?? 0) - Date.now()) < 600_000, 'the upload time')
      const sub = top.find(e => e.name === 'sub')
      t.ok(sub?.path.endsWith('/'), 'a folder\'s path ends in "/"')
      const inSub = await listAll(fx.backend, sub?.path ?? '')
      t.same(inSub.map(e => [e.name, e.type]), [['b.bin', 'file'], ['deeper', 'dir']], 'not c.txt: no recursion')
      t.equal(inSub[0]?.meta.size, 12_345)
      const deeper = await listAll(fx.backend, inSub[1]?.path ?? '')
      t.same(deeper.map(e => e.name), ['c.txt'])
    })

    await t.test('entry paths fetch, and listing and stat name the same version', async t => {
      const odd = await listAll(fx.backend, (await listAll(fx.backend, fx.dirOf(''))).find(e => e.type === 'dir' && e.name.startsWith('odd'))?.path ?? '')
      t.same(odd.map(e => e.name), [ODD_NAME], 'the name exactly as written')
      const entry = odd[0]
      if (entry === undefined) return
      const dest = join(await tmpDir(t), 'odd')
      const r = await fx.backend.fetch(entry.path, dest)
      t.equal(readFileSync(dest, 'utf8'), 'odd\n', 'the entry path fetches the file')
      if (r.status === 'fetched') t.ok(sameVersion(entry.meta, r.meta), `listing ${JSON.stringify(entry.meta)} and fetch ${JSON.stringify(r.meta)} agree`)
      const st = await fx.backend.stat(entry.path)
      t.ok(st !== undefined && sameVersion(entry.meta, st), 'listing and stat agree')
    })

    await t.test('a missing folder', async t => {
      if (o.missingFolder === 'empty') t.same(await listAll(fx.backend, fx.dirOf('no-such-dir/')), [], 'lists nothing')
      else await rejectsKind(t, listAll(fx.backend, fx.dirOf('no-such-dir/')), 'not-found', undefined, 'list')
    })

    await t.test('an aborted listing rejects', async t => {
      await t.rejects(listAll(fx.backend, fx.dirOf(''), AbortSignal.abort()))
    })
  })
}
