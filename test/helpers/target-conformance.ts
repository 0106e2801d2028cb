/**
 * One behaviour suite for every push Target (rsync local/ssh/daemon now,
 * S3 and SFTP later): whatever the transport, a mirror must leave the
 * destination equal to root, again after changes, and must stop when told.
 *
 *   targetConformance(t, 'rsync over ssh', {
 *     setup: async (t, { slow }) => ({ target, listDestination: () => snapshotTree(dir) }),
 *     features: { hardLinks: false }   // what the store cannot hold is left out of comparisons
 *   })
 *
 * `setup` makes a fresh, empty destination for each subtest (its cleanup
 * belongs to the `t` it gets); with `slow: true` the target must transfer
 * slowly enough (a few hundred KB/s) for the abort test, or set `canBeSlow: false`.
 */
import type { Test } from 'tap'
import { TargetError, type Target } from '../../backends/backend.js'
import { buildSampleTree, changeSampleTree, BIG_FILE_BYTES } from './sample-tree.js'
import { tmpDir } from './tmp.js'
import { project, snapshotTree, type TreeFeatures, type TreeSnapshot } from './tree-snapshot.js'

export interface TargetFixture {
  readonly target: Target
  readonly listDestination: () => Promise<TreeSnapshot>
  /** After an abort: prove nothing of the run is still going (e.g. no process left). */
  readonly assertStopped?: (t: Test, root: string) => Promise<void>
}

export interface ConformanceOptions {
  readonly setup: (t: Test, o: { slow: boolean }) => Promise<TargetFixture>
  readonly features?: TreeFeatures
  readonly canBeSlow?: boolean
}

export async function targetConformance (t: Test, name: string, o: ConformanceOptions): Promise<void> {
  await t.test(`${name}: conformance`, async t => {
    const features = o.features ?? {}
    const same = async (t: Test, f: TargetFixture, root: string, msg: string): Promise<void> => {
      t.same(project(await f.listDestination(), features), project(await snapshotTree(root), features), msg)
    }

    await t.test('check() passes on a fresh destination', async t => {
      const f = await o.setup(t, { slow: false })
      await t.resolves(f.target.check(), 'check resolves')
    })

    await t.test('mirror copies a tree exactly, then follows changes', async t => {
      const f = await o.setup(t, { slow: false })
      const root = await tmpDir(t)
      await buildSampleTree(root)
      await f.target.mirror(root, 'all', { signal: new AbortController().signal })
      await same(t, f, root, 'destination equals root after the first mirror')
      await changeSampleTree(root)
      await f.target.mirror(root, new Set(['dir/keep.txt']), { signal: new AbortController().signal })
      await same(t, f, root, 'destination equals root after modify, delete, rename')
      const before = await f.listDestination()
      await f.target.mirror(root, 'all', { signal: new AbortController().signal })
      t.same(await f.listDestination(), before, 'a mirror without changes changes nothing')
    })

    await t.test('an already aborted signal rejects and sends nothing', async t => {
      const f = await o.setup(t, { slow: false })
      const root = await tmpDir(t)
      await buildSampleTree(root)
      const before = await f.listDestination()
      await t.rejects(f.target.mirror(root, 'all', { signal: AbortSignal.abort(new Error('shutting down')) }),
        TargetError, 'mirror rejects with a TargetError')
      t.same(await f.listDestination(), before, 'the destination is untouched')
    })

    const slowSkip = o.canBeSlow === false ? 'this target cannot be made slow' : false
    await t.test('abort stops a slow transfer promptly', { skip: slowSkip }, async t => {
      const f = await o.setup(t, { slow: true })
      const root = await tmpDir(t)
      await buildSampleTree(root)
      const ac = new AbortController()
      const started = Date.now()
      const run = f.target.mirror(root, 'all', { signal: ac.signal })
      setTimeout(() => { ac.abort(new Error('test abort')) }, 700)
      const err = await run.then(() => undefined, (e: unknown) => e)
      const ms = Date.now() - started
      t.type(err, TargetError, `rejected with a TargetError (${String(err)})`)
      t.match(String(err), /abort/i, 'the message says it was aborted')
      t.ok(ms < 4000, `stopped ${ms} ms after start, although ${BIG_FILE_BYTES} bytes take far longer`)
      await f.assertStopped?.(t, root)
    })
  })
}
