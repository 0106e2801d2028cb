// Conflicts and failures of the S3 push target on a real Ceph RGW: an object
// changed behind stalk's back is kept as NAME.conflict-… (default), stops
// the target naming the path (on_conflict = stop) or is replaced
// (overwrite); check() and mirror() failures say the real reason.
import { writeFile, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { createTarget } from '../backends/registry.js'
import { TargetError } from '../backends/backend.js'
import { silentLogger } from '../src/logger.js'
import { objectBytes, s3Objects, s3TargetRig, type RigOptions, type S3TargetRig } from './helpers/s3-target-rig.js'
import { putObject } from './helpers/s3-objects.js'
import { freePort } from './helpers/servers/free-port.js'
import { s3Server, s3Unavailable, type S3TestServer } from './helpers/servers/s3.js'
import { targetConfig } from './helpers/target-config.js'
import { tmpDir } from './helpers/tmp.js'

const skip = s3Unavailable()
const s3 = skip === undefined ? await s3Server(t) : undefined
const signal = new AbortController().signal
const CONFLICT = /^(.*)\.conflict-\d{8}T\d{6}\.\d{3}Z$/
let n = 0

t.test('S3 target conflicts and failures', { skip: skip ?? false }, async t => {
  if (s3 === undefined) return
  const text = async (prefix: string, key: string): Promise<string> => (await objectBytes(s3, `${prefix}${key}`)).toString()
  const keys = async (prefix: string): Promise<string[]> => [...(await s3Objects(s3.client, s3.bucket, prefix)).keys()].sort()

  const mirrored = (t: Test, o: RigOptions = {}): Promise<{ root: string; rig: S3TargetRig }> => mirroredPair(t, s3, o)

  await t.test('keep (the default): the changed object is kept aside, then root wins', async t => {
    const { root, rig } = await mirrored(t)
    await putObject(s3, `${rig.prefix}a.txt`, Buffer.from('theirs\n'))
    await putObject(s3, `${rig.prefix}b.txt`, Buffer.from('their b\n'))
    await writeFile(join(root, 'a.txt'), 'ours, changed\n')
    await unlink(join(root, 'b.txt'))
    await rig.target.mirror(root, new Set(['a.txt', 'b.txt']), { signal })
    const all = await keys(rig.prefix)
    const copies = all.filter(k => CONFLICT.test(k))
    t.same(copies.map(k => CONFLICT.exec(k)?.[1]).sort(), ['a.txt', 'b.txt'], `one conflict copy each: ${copies.join(', ')}`)
    t.same(all.filter(k => !CONFLICT.test(k)), ['a.txt'], 'b.txt is gone (deleted in root), a.txt is there')
    t.equal(await text(rig.prefix, 'a.txt'), 'ours, changed\n', 'a.txt holds root\'s version')
    for (const c of copies) t.equal(await text(rig.prefix, c), c.startsWith('a') ? 'theirs\n' : 'their b\n', `${c} holds the store's version`)
    await rig.target.mirror(root, 'all', { signal })
    t.same(await keys(rig.prefix), all, 'a full comparison does not delete conflict copies')
  })

  await t.test('keep: a full comparison notices an object changed while root did not', async t => {
    const { root, rig } = await mirrored(t)
    await putObject(s3, `${rig.prefix}b.txt`, Buffer.from('edited in the bucket\n'))
    await rig.target.mirror(root, 'all', { signal })
    const copy = (await keys(rig.prefix)).find(k => CONFLICT.test(k))
    t.ok(copy?.startsWith('b.txt.conflict-'), `kept as ${String(copy)}`)
    t.equal(await text(rig.prefix, 'b.txt'), 'b\n', 'root\'s b.txt is back')
  })

  await t.test('stop: the target fails naming the paths, and touches nothing of them', async t => {
    const { root, rig } = await mirrored(t, { onConflict: 'stop' })
    await putObject(s3, `${rig.prefix}a.txt`, Buffer.from('theirs\n'))
    await writeFile(join(root, 'a.txt'), 'ours, changed\n')
    await writeFile(join(root, 'c.txt'), 'new\n')
    const err = await rig.target.mirror(root, new Set(['a.txt', 'c.txt']), { signal }).catch((e: unknown) => e)
    t.type(err, TargetError)
    t.match(String(err), /1 path\(s\) changed in the store since stalk delivered them.*on_conflict = stop.*: a\.txt\b/, String(err))
    t.equal(await text(rig.prefix, 'a.txt'), 'theirs\n', 'the store\'s a.txt is left as it is')
    t.same(await keys(rig.prefix), ['a.txt', 'b.txt', 'c.txt'], 'other changes were delivered, no conflict copy made')
    await t.rejects(rig.target.mirror(root, 'all', { signal }), /a\.txt/, 'the next round fails the same way')
    await writeFile(join(root, 'a.txt'), 'theirs\n')
    await rig.target.mirror(root, new Set(['a.txt']), { signal })
    t.pass('copying the store\'s version into root resolves it')
  })

  await t.test('overwrite: root\'s version replaces the changed object', async t => {
    const { root, rig } = await mirrored(t, { onConflict: 'overwrite' })
    await putObject(s3, `${rig.prefix}a.txt`, Buffer.from('theirs\n'))
    await writeFile(join(root, 'a.txt'), 'ours, changed\n')
    await rig.target.mirror(root, new Set(['a.txt']), { signal })
    t.same(await keys(rig.prefix), ['a.txt', 'b.txt'], 'no conflict copy')
    t.equal(await text(rig.prefix, 'a.txt'), 'ours, changed\n')
  })

  await t.test('an object changed to exactly root\'s content is adopted, not a conflict', async t => {
    const { root, rig } = await mirrored(t, { onConflict: 'stop' })
    await writeFile(join(root, 'a.txt'), 'same on both sides\n')
    await putObject(s3, `${rig.prefix}a.txt`, Buffer.from('same on both sides\n'))
    rig.writes.length = 0
    await rig.target.mirror(root, new Set(['a.txt']), { signal })
    t.same(rig.writes, [], 'nothing sent')
  })

  await t.test('check() and mirror() failures say the real reason', async t => {
    const log = silentLogger
    const store = (over: Record<string, string>): Map<string, string> => new Map(Object.entries({
      endpoint: s3.endpoint, region: s3.region, access_key_id: s3.accessKeyId, secret_access_key: s3.secretAccessKey, ...over
    }))
    const cases: Array<[string, string, Map<string, string>, RegExp]> = [
      ['a wrong secret', `s3://${s3.bucket}/x/`, store({ secret_access_key: 'wrong' }), /SignatureDoesNotMatch \(HTTP 403\)/],
      ['a missing bucket', 's3://no-such-bucket-here/x/', store({}), /bucket "no-such-bucket-here" does not exist/],
      ['nobody listening', `s3://${s3.bucket}/x/`, store({ endpoint: `http://127.0.0.1:${await freePort()}` }), /ECONNREFUSED/]
    ]
    for (const [what, dest, storeOptions, message] of cases) {
      const target = createTarget(targetConfig(dest, { storeOptions }), { log })
      t.teardown(() => target.close())
      await t.rejects(target.check(), { name: 'TargetError', message }, `check: ${what}`)
      const root = await tmpDir(t)
      await writeFile(join(root, 'f'), 'f\n')
      await t.rejects(target.mirror(root, 'all', { signal }), { name: 'TargetError', message }, `mirror: ${what}`)
    }
  })
})

/** root with a.txt and b.txt, mirrored once. */
async function mirroredPair (t: Test, s3: S3TestServer, o: RigOptions): Promise<{ root: string; rig: S3TargetRig }> {
  const root = await tmpDir(t)
  await writeFile(join(root, 'a.txt'), 'ours\n')
  await writeFile(join(root, 'b.txt'), 'b\n')
  const rig = s3TargetRig(t, s3, `conflict-${++n}/`, { stateDir: await tmpDir(t), ...o })
  await rig.target.mirror(root, 'all', { signal })
  return { root, rig }
}
