// The S3 push target against a real Ceph RGW: the conformance suite every
// target passes (S3 holds no modes, mtimes, symlinks, hard links or empty
// folders), then what is particular to it: only changed files travel, a
// restart with or without state sends nothing that is already there, a full
// comparison repairs drift, large files go multipart, check() failures say why.
import { randomBytes } from 'node:crypto'
import { mkdir, rm, symlink, writeFile, link } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { stateFileFor } from '../backends/target-state.js'
import { recordingLogger } from './helpers/recording-logger.js'
import { headEtag, objectBytes, openUploads, s3Objects, s3TargetRig, s3Tree } from './helpers/s3-target-rig.js'
import { putObject, removeObject } from './helpers/s3-objects.js'
import { s3Server, s3Unavailable } from './helpers/servers/s3.js'
import { slowProxy } from './helpers/slow-proxy.js'
import { BIG_FILE } from './helpers/sample-tree.js'
import { targetConformance } from './helpers/target-conformance.js'
import { tmpDir } from './helpers/tmp.js'

const skip = s3Unavailable()
const s3 = skip === undefined ? await s3Server(t) : undefined
const signal = new AbortController().signal
const S3_FEATURES = { modes: false, mtimes: false, symlinks: false, hardLinks: false, emptyDirs: false }
let n = 0

t.test('S3 target on Ceph RGW', { skip: skip ?? false }, async t => {
  if (s3 === undefined) return
  const rgwPort = Number(new URL(s3.endpoint).port)

  await targetConformance(t, 's3 (Ceph RGW)', {
    features: S3_FEATURES,
    setup: async (t, { slow }) => {
      const endpoint = slow ? `http://127.0.0.1:${(await slowProxy(t, rgwPort, 300 * 1024)).port}` : s3.endpoint
      const rig = s3TargetRig(t, s3, `conformance-${++n}/`, { endpoint, stateDir: await tmpDir(t) })
      return {
        target: rig.target,
        listDestination: () => s3Tree(s3, rig.prefix),
        assertStopped: async t => {
          const objects = await s3Objects(s3.client, s3.bucket, rig.prefix)
          t.notOk(objects.has(BIG_FILE), 'the big file was not stored half-written')
        }
      }
    }
  })

  await t.test('only changed files are uploaded, also after a restart', async t => {
    const root = await tmpDir(t)
    const stateDir = await tmpDir(t)
    await writeFile(join(root, 'a.txt'), 'a\n')
    await mkdir(join(root, 'd'))
    await writeFile(join(root, 'd/b.txt'), 'b\n')
    await writeFile(join(root, 'c.txt'), 'c\n')
    const sub = `changed-${++n}/`
    const first = s3TargetRig(t, s3, sub, { stateDir })
    await first.target.mirror(root, 'all', { signal })
    t.same(first.writes.sort(), ['PutObject a.txt', 'PutObject c.txt', 'PutObject d/b.txt'], 'the first mirror puts each file once')
    first.writes.length = 0
    await writeFile(join(root, 'd/b.txt'), 'b, changed\n')
    await first.target.mirror(root, new Set(['d/b.txt']), { signal })
    t.same(first.writes, ['PutObject d/b.txt'], 'a change sends that file alone')
    await first.target.close()

    const again = s3TargetRig(t, s3, sub, { stateDir })
    await again.target.mirror(root, new Set(['a.txt']), { signal })
    await again.target.mirror(root, 'all', { signal })
    t.same(again.writes, [], 'a restarted target with its state sends nothing, even on a full comparison')

    await rm(stateFileFor(stateDir, again.config.label))
    const lost = s3TargetRig(t, s3, sub, { stateDir })
    await lost.target.mirror(root, new Set(), { signal })
    t.same(lost.writes, [], 'without its state it compares ETags with local MD5s and adopts what is already there')
    t.equal((await objectBytes(s3, `${first.prefix}d/b.txt`)).toString(), 'b, changed\n', 'the store has the latest content')
  })

  await t.test('a full comparison repairs drift', async t => {
    const root = await tmpDir(t)
    await writeFile(join(root, 'keep.txt'), 'keep\n')
    await writeFile(join(root, 'lost.txt'), 'lost\n')
    const rig = s3TargetRig(t, s3, `drift-${++n}/`, { stateDir: await tmpDir(t) })
    await rig.target.mirror(root, 'all', { signal })
    await removeObject(s3, `${rig.prefix}lost.txt`)
    await putObject(s3, `${rig.prefix}extra.txt`, Buffer.from('not in root\n'))
    await putObject(s3, `${rig.prefix}sub/extra.txt`, Buffer.from('not in root\n'))
    rig.writes.length = 0
    await rig.target.mirror(root, new Set(), { signal })
    t.same([...(await s3Objects(s3.client, s3.bucket, rig.prefix)).keys()].sort(), ['extra.txt', 'keep.txt', 'sub/extra.txt'],
      'a mirror of a change set does not list the store: drift stays')
    await rig.target.mirror(root, 'all', { signal })
    t.same([...(await s3Objects(s3.client, s3.bucket, rig.prefix)).keys()].sort(), ['keep.txt', 'lost.txt'], 'missing put back, extras deleted')
    t.same(rig.writes.sort(), ['DeleteObject extra.txt', 'DeleteObject sub/extra.txt', 'PutObject lost.txt'], 'and nothing else sent')
  })

  await t.test('a 40 MiB file goes multipart, read part by part', async t => {
    const root = await tmpDir(t)
    const data = randomBytes(40 * 1024 * 1024)
    await writeFile(join(root, 'big.iso'), data)
    const rig = s3TargetRig(t, s3, `multipart-${++n}/`, { stateDir: await tmpDir(t) })
    await rig.target.mirror(root, 'all', { signal })
    t.match(await headEtag(s3, `${rig.prefix}big.iso`), /^[0-9a-f]{32}-5$/, 'the ETag says 5 parts (8 MiB each)')
    t.equal(rig.writes.filter(w => w.startsWith('UploadPart')).length, 5, 'five UploadPart requests')
    t.ok((await objectBytes(s3, `${rig.prefix}big.iso`)).equals(data), 'the object is the file, byte for byte')
    rig.writes.length = 0
    await rig.target.mirror(root, 'all', { signal })
    t.same(rig.writes, [], 'a full comparison recognises the multipart ETag: nothing sent again')
  })

  await t.test('abort during a multipart upload leaves no object and no open upload', async t => {
    const root = await tmpDir(t)
    await writeFile(join(root, 'big.iso'), randomBytes(40 * 1024 * 1024))
    const proxy = await slowProxy(t, rgwPort, 2 * 1024 * 1024)
    const rig = s3TargetRig(t, s3, `abort-${++n}/`, { endpoint: `http://127.0.0.1:${proxy.port}` })
    const ac = new AbortController()
    const run = rig.target.mirror(root, 'all', { signal: ac.signal })
    await waitUntil(() => rig.writes.some(w => w.startsWith('UploadPart')))
    ac.abort(new Error('stop now'))
    await t.rejects(run, { name: 'TargetError', message: /aborted: stop now/ }, 'the mirror rejects as aborted')
    t.same(await openUploads(s3, rig.prefix), [], 'the multipart upload was aborted (ListMultipartUploads is empty)')
    t.same([...(await s3Objects(s3.client, s3.bucket, rig.prefix)).keys()], [], 'no object under its final name')
  })

  await t.test('symlinks are skipped with a warning, hard links become copies, empty folders are not kept', async t => {
    const root = await tmpDir(t)
    await writeFile(join(root, 'a'), 'a\n')
    await link(join(root, 'a'), join(root, 'a-too'))
    await symlink('a', join(root, 'to-a'))
    await mkdir(join(root, 'empty'))
    const log = recordingLogger()
    const rig = s3TargetRig(t, s3, `kinds-${++n}/`, { log })
    await rig.target.mirror(root, 'all', { signal })
    t.same([...(await s3Objects(s3.client, s3.bucket, rig.prefix)).keys()].sort(), ['a', 'a-too'], 'two objects, nothing else')
    t.ok(log.records.some(r => r.level === 'warn' && /cannot hold/.test(r.msg) && JSON.stringify(r.obj).includes('to-a (symlink)')),
      'the skipped symlink is named in a warning')
    const warnings = log.records.length
    await rig.target.mirror(root, 'all', { signal })
    t.equal(log.records.filter(r => r.level === 'warn').length, log.records.slice(0, warnings).filter(r => r.level === 'warn').length,
      'the same symlink is not warned about again')
  })
})

async function waitUntil (cond: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition never held')
    await new Promise(resolve => setTimeout(resolve, 20))
  }
}
