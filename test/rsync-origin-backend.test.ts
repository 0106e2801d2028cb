// The rsync pull origin against a real sshd and a real rsync daemon: the
// backend conformance suite on both, then what only rsync gets wrong: the
// file lands under the caller's name, wildcard characters in names, times
// read in the right zone, directories, symlinks, and the preflight.
import { mkdir, readdir, readFile, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import type { RsyncOriginBackend, RsyncOriginBackendOptions } from '../backends/rsync-origin-backend.js'
import { BackendError } from '../src/errors.js'
import { backendConformance } from './helpers/backend-conformance.js'
import { backendOf, daemonBackend, daemonOrigin, originWriter, sshBackend, sshOrigin } from './helpers/rsync-origin-fixture.js'
import { freePort } from './helpers/servers/free-port.js'
import { rsyncdUnavailable, startRsyncd } from './helpers/servers/rsyncd.js'
import { sshdUnavailable, sshKeygen, startSshd } from './helpers/servers/sshd.js'
import { tmpDir } from './helpers/tmp.js'

const sshSkip = sshdUnavailable()
const daemonSkip = rsyncdUnavailable()
const sshd = sshSkip === undefined ? await startSshd(t) : undefined
const rsyncd = daemonSkip === undefined ? await startRsyncd(t) : undefined

async function rejectsKind (t: Test, p: Promise<unknown>, kind: BackendError['kind'], msg: string): Promise<BackendError | undefined> {
  const err = await p.then(() => undefined, (e: unknown) => e)
  if (!(err instanceof BackendError)) {
    t.fail(`${msg}: expected a BackendError, got ${String(err)}`)
    return undefined
  }
  t.equal(err.kind, kind, `${msg}: ${err.message}`)
  return err
}

t.test('over ssh', { skip: sshSkip ?? false }, async t => {
  if (sshd === undefined) return
  const dir = join(sshd.remoteDir, 'conformance')
  await backendConformance(t, 'rsync over ssh', {
    setup: async () => ({
      backend: sshBackend(sshd, `${dir}/x`),
      pathOf: name => `${dir}/${name}`,
      put: originWriter(dir),
      remove: async name => { await rm(join(dir, name)) }
    }),
    validator: 'size-mtime',
    unreachable: async () => sshBackend(sshd, `${dir}/x`, { ssh_port: String(await freePort()) }),
    wrongCredentials: async t => {
      const other = join(await tmpDir(t), 'not_authorized')
      await sshKeygen(other)
      return sshBackend(sshd, `${dir}/x`, { ssh_key: other })
    }
  })
})

t.test('against an rsync daemon', { skip: daemonSkip ?? false }, async t => {
  if (rsyncd === undefined) return
  const dir = join(rsyncd.originDir, 'conformance')
  await backendConformance(t, 'rsync daemon', {
    setup: async () => ({
      backend: daemonBackend(rsyncd, 'origin', 'conformance/x'),
      pathOf: name => `conformance/${name}`,
      put: originWriter(dir),
      remove: async name => { await rm(join(dir, name)) }
    }),
    validator: 'size-mtime',
    unreachable: async () => backendOf(daemonOrigin({ ...rsyncd, port: await freePort() }, 'origin', 'x')),
    wrongCredentials: async () => daemonBackend(rsyncd, rsyncd.originAuthModule, 'x', { password: 'not-the-password' })
  })
})

/** The same checks on both transports: `path(name)` is the backend path of file `name` in `dir` on this machine. */
interface Transport {
  readonly name: string
  readonly dir: string
  readonly path: (name: string) => string
  readonly make: (o?: Partial<RsyncOriginBackendOptions>) => RsyncOriginBackend
}

function transports (): Array<[Transport | undefined, string | undefined]> {
  const ssh = sshd === undefined ? undefined : {
    name: 'ssh', dir: join(sshd.remoteDir, 'extras'), path: (n: string) => join(sshd.remoteDir, 'extras', n),
    make: (o: Partial<RsyncOriginBackendOptions> = {}) => backendOf(sshOrigin(sshd, '/x'), o)
  }
  const daemon = rsyncd === undefined ? undefined : {
    name: 'daemon', dir: join(rsyncd.originDir, 'extras'), path: (n: string) => `extras/${n}`,
    make: (o: Partial<RsyncOriginBackendOptions> = {}) => backendOf(daemonOrigin(rsyncd, 'origin', 'x'), o)
  }
  return [[ssh, sshSkip], [daemon, daemonSkip]]
}

for (const [tr, skip] of transports()) {
  t.test(`rsync origin details (${tr?.name ?? 'skipped'})`, { skip: skip ?? false }, async t => {
    if (tr === undefined) return
    const put = originWriter(tr.dir)
    const out = await tmpDir(t)
    const b = tr.make()

    await t.test('the file lands under the name the caller chose', async t => {
      await put('origin-name.txt', 'content\n')
      const dest = join(out, 'cache-entry.tmp')
      const r = await b.fetch(tr.path('origin-name.txt'), dest)
      t.equal(r.status, 'fetched')
      t.equal(await readFile(dest, 'utf8'), 'content\n')
      t.same(await readdir(out), ['cache-entry.tmp'], 'no file under the origin name, no temp file left')
    })

    await t.test('wildcard characters in names are literal', async t => {
      for (const [name, data] of [['q[1]', 'brackets'], ['q1', 'plain'], ['a*b', 'star'], ['axb', 'x'], ['w?', 'question'], ['-dash x', 'dash']] as const) await put(name, data)
      for (const [name, want] of [['q[1]', 'brackets'], ['a*b', 'star'], ['w?', 'question'], ['-dash x', 'dash']] as const) {
        const dest = join(out, 'w.tmp')
        await b.fetch(tr.path(name), dest)
        t.equal(await readFile(dest, 'utf8'), want, `fetch of "${name}"`)
        t.equal((await b.stat(tr.path(name)))?.size, want.length, `stat of "${name}"`)
      }
      t.equal(await b.stat(tr.path('a*')), undefined, 'a pattern that would match files is not a file')
    })

    await t.test('mtime is the origin\'s, whatever stalk\'s time zone', async t => {
      await put('dated.txt', 'dated')
      const when = new Date('2020-01-02T03:04:05.678Z')
      await utimes(join(tr.dir, 'dated.txt'), when, when)
      const tokyo = tr.make({ env: { ...process.env, TZ: 'Asia/Tokyo' } })
      const m = await tokyo.stat(tr.path('dated.txt'))
      t.same(m, { size: 5, mtimeMs: Date.UTC(2020, 0, 2, 3, 4, 5) }, 'whole seconds, read as UTC')
      const r = await tokyo.fetch(tr.path('dated.txt'), join(out, 'dated.tmp'))
      t.same(r, { status: 'fetched', meta: m }, 'fetch reports what stat reports')
      t.equal(Math.floor((await stat(join(out, 'dated.tmp'))).mtimeMs / 1000), Math.floor(when.getTime() / 1000), 'the copy keeps the mtime')
    })

    await t.test('a directory is not a file', async t => {
      await mkdir(join(tr.dir, 'sub'), { recursive: true })
      await rejectsKind(t, b.stat(tr.path('sub')), 'invalid', 'stat')
      await rejectsKind(t, b.fetch(tr.path('sub'), join(out, 'sub.tmp')), 'invalid', 'fetch')
      await writeFile(join(out, 'sub.tmp'), 'left by the caller')
      await rejectsKind(t, b.fetch(tr.path('sub'), join(out, 'sub.tmp')), 'invalid', 'fetch onto a file the caller left there')
      await rejectsKind(t, b.fetch(tr.path('sub'), join(out, 'sub.tmp'), { ifNoneMatch: { size: 1, mtimeMs: 0 } }), 'invalid', 'conditional fetch')
    })

    await t.test('a symlink on the origin is served as the file it points to', async t => {
      await put('v2.bin', 'version two')
      await rm(join(tr.dir, 'latest.bin'), { force: true })
      await symlink('v2.bin', join(tr.dir, 'latest.bin'))
      t.equal((await b.stat(tr.path('latest.bin')))?.size, 'version two'.length)
      await b.fetch(tr.path('latest.bin'), join(out, 'latest.tmp'))
      t.equal(await readFile(join(out, 'latest.tmp'), 'utf8'), 'version two')
    })

    await t.test('a missing folder on the way is not-found too', async t => {
      t.equal(await b.stat(tr.path('no/such/file')), undefined)
      await put('plain-file', 'x')
      t.equal(await b.stat(tr.path('plain-file/below')), undefined, 'a path through a file')
    })

    await t.test('check', async t => {
      await t.resolves(b.check(), 'reachable, logged in')
    })
  })
}
