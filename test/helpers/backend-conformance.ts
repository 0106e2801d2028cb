/**
 * One behaviour suite for every pull Backend (HTTP, S3, SFTP, rsync), run
 * against its real server: stat, fetch, conditional fetch, errors, abort.
 *
 *   await backendConformance(t, 'http (nginx)', {
 *     setup: async t => ({
 *       backend,                                   // a fresh Backend; closed by the suite
 *       pathOf: name => `/files/${name}`,          // the backend path of a seeded object
 *       put: async (name, data) => { ... },        // create or replace an object on the server
 *       remove: async name => { ... },             // delete it on the server
 *     }),
 *     validator: 'etag' | 'size-mtime',            // what the store revalidates with
 *     wrongCredentials: async t => backendWithBadCredentials,   // optional
 *     unreachable: async t => backendPointingAtAClosedPort      // required
 *   })
 *
 * `put` must give a replaced object a different validator (bump the mtime by
 * a second or more where the store compares size+mtime or an mtime-based etag).
 */
import type { Test } from 'tap'
import { createHash, randomBytes } from 'node:crypto'
import { createReadStream, existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Backend, RemoteMeta, Validator } from '../../backends/backend.js'
import { BackendError } from '../../src/errors.js'
import { tmpDir } from './tmp.js'

export interface BackendFixture {
  readonly backend: Backend
  readonly pathOf: (name: string) => string
  readonly put: (name: string, data: Buffer) => Promise<void>
  readonly remove: (name: string) => Promise<void>
}

export interface BackendConformanceOptions {
  readonly setup: (t: Test) => Promise<BackendFixture>
  readonly validator: 'etag' | 'size-mtime'
  readonly wrongCredentials?: (t: Test) => Promise<Backend>
  readonly unreachable: (t: Test) => Promise<Backend>
}

export function validatorOf (meta: RemoteMeta, kind: 'etag' | 'size-mtime'): Validator {
  if (kind === 'etag' && meta.etag !== undefined) return { etag: meta.etag }
  return { size: meta.size, mtimeMs: meta.mtimeMs }
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex')

/**
 * The big object: 64 MiB and a few bytes (not a multiple of any chunk or
 * part size), so a store's multipart, windowed or resumed paths are taken.
 * Made once per process and shared by every suite in it (http and https,
 * rsync over ssh and from a daemon): random bytes cost time, and two copies
 * would double the memory. Fetched copies are hashed from disk as a stream,
 * never read back whole.
 */
export const BIG_SIZE = 64 * 1024 * 1024 + 7
let big: { readonly data: Buffer; readonly sha: string } | undefined

function bigObject (): { readonly data: Buffer; readonly sha: string } {
  if (big === undefined) {
    const data = randomBytes(BIG_SIZE)
    big = { data, sha: sha(data) }
  }
  return big
}

async function shaOfFile (file: string): Promise<string> {
  const h = createHash('sha256')
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer)
  return h.digest('hex')
}

async function rejectsKind (t: Test, p: Promise<unknown>, kind: BackendError['kind'], msg: string): Promise<void> {
  try {
    await p
    t.fail(`${msg}: expected a ${kind} BackendError, it resolved`)
  } catch (err) {
    t.ok(err instanceof BackendError, `${msg}: a BackendError (${String(err)})`)
    t.equal((err as BackendError).kind, kind, `${msg}: kind ${kind}`)
  }
}

export async function backendConformance (t: Test, name: string, o: BackendConformanceOptions): Promise<void> {
  await t.test(`${name}: backend conformance`, async t => {
    const fx = await o.setup(t)
    t.teardown(() => fx.backend.close())
    const dir = await tmpDir(t)
    const small = Buffer.from('hello from the origin\n')
    const big = bigObject()
    await fx.put('small.txt', small)
    await fx.put('big.bin', big.data)
    await fx.put('with space ü.txt', small)

    await t.test('stat', async t => {
      const m = await fx.backend.stat(fx.pathOf('big.bin'))
      t.equal(m?.size, BIG_SIZE, 'real size')
      t.ok(m !== undefined && m.mtimeMs > Date.now() - 3600_000 && m.mtimeMs < Date.now() + 60_000, 'a plausible mtime')
      if (o.validator === 'etag') t.type(m?.etag, 'string', 'an etag')
      t.equal(await fx.backend.stat(fx.pathOf('no-such-file')), undefined, 'missing: undefined')
      t.equal((await fx.backend.stat(fx.pathOf('with space ü.txt')))?.size, small.length, 'odd names')
    })

    await t.test('fetch is byte-exact, conditional fetch skips unchanged', async t => {
      const dest = join(dir, 'big.out')
      const r = await fx.backend.fetch(fx.pathOf('big.bin'), dest)
      t.equal(r.status, 'fetched')
      t.equal(await shaOfFile(dest), big.sha, 'content')
      if (r.status !== 'fetched') return
      t.equal(r.meta.size, BIG_SIZE, 'meta of what was fetched')
      writeFileSync(dest, 'sentinel')
      const again = await fx.backend.fetch(fx.pathOf('big.bin'), dest, { ifNoneMatch: validatorOf(r.meta, o.validator) })
      t.same(again, { status: 'not-modified' })
      t.equal(readFileSync(dest, 'utf8'), 'sentinel', 'not-modified leaves the file alone')
    })

    await t.test('a changed object is fetched again', async t => {
      const dest = join(dir, 'small.out')
      const first = await fx.backend.fetch(fx.pathOf('small.txt'), dest)
      if (first.status !== 'fetched') { t.fail('first fetch'); return }
      const changed = Buffer.from('changed content, other size\n')
      await fx.put('small.txt', changed)
      const r = await fx.backend.fetch(fx.pathOf('small.txt'), dest, { ifNoneMatch: validatorOf(first.meta, o.validator) })
      t.equal(r.status, 'fetched')
      t.equal(readFileSync(dest, 'utf8'), changed.toString())
    })

    await t.test('errors carry the right kind', async t => {
      await rejectsKind(t, fx.backend.fetch(fx.pathOf('no-such-file'), join(dir, 'x')), 'not-found', 'fetch of a missing object')
      t.notOk(existsSync(join(dir, 'no-such-file.html')), 'no error page saved')
      const down = await o.unreachable(t)
      t.teardown(() => down.close())
      await rejectsKind(t, down.fetch(fx.pathOf('small.txt'), join(dir, 'y')), 'unavailable', 'closed port')
      if (o.wrongCredentials) {
        const bad = await o.wrongCredentials(t)
        t.teardown(() => bad.close())
        await rejectsKind(t, bad.fetch(fx.pathOf('small.txt'), join(dir, 'z')), 'forbidden', 'wrong credentials')
      }
      await fx.remove('with space ü.txt')
      t.equal(await fx.backend.stat(fx.pathOf('with space ü.txt')), undefined, 'removed on the server: gone')
    })

    await t.test('abort stops a download promptly', async t => {
      const ac = new AbortController()
      const started = Date.now()
      const p = fx.backend.fetch(fx.pathOf('big.bin'), join(dir, 'aborted'), { signal: ac.signal })
      ac.abort()
      await t.rejects(p, 'an aborted fetch rejects')
      t.ok(Date.now() - started < 5000, 'within 5 s')
    })

    await t.test('concurrent fetches of different files share the backend', async t => {
      const rs = await Promise.all([0, 1, 2, 3].map(i => fx.backend.fetch(fx.pathOf('small.txt'), join(dir, `c${i}`))))
      t.same(rs.map(r => r.status), ['fetched', 'fetched', 'fetched', 'fetched'])
    })
  })
}
