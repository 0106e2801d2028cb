// The decisions of a remote mirror, without a store: what is sent, removed,
// created or only forgotten, from root, the delivered state and (for a full
// comparison) the store's listing.
import t from 'tap'
import type { LocalEntry } from '../backends/local-tree.js'
import { planMirror, type MirrorPlan, type PlanInput } from '../backends/mirror-plan.js'
import type { RemoteEntry, StoreCaps } from '../backends/remote-store.js'
import type { DeliveredEntry } from '../backends/target-state.js'

const SFTP: StoreCaps = { dirs: true, symlinks: true, modes: true }
const S3: StoreCaps = { dirs: false, symlinks: false, modes: false }

const file = (over: Partial<LocalEntry> = {}): LocalEntry =>
  ({ type: 'file', size: 3, mtimeMs: 1000, mtimeNs: '1000000000', ctimeNs: '1000000000', mode: 0o644, ...over })
const sent = (l: LocalEntry, etag = 'e1'): DeliveredEntry =>
  ({ type: 'file', size: l.size, mtimeNs: l.mtimeNs, ctimeNs: l.ctimeNs, mode: l.mode, remote: { size: l.size, etag } })
const object = (etag = 'e1', size = 3): RemoteEntry => ({ type: 'file', version: { size, etag } })

function plan (o: Partial<PlanInput> & Pick<PlanInput, 'local'>): Record<keyof MirrorPlan, string[]> {
  const p = planMirror({ delivered: new Map(), remote: undefined, named: () => false, caps: S3, ...o })
  return {
    removals: p.removals.map(i => i.path), dirs: p.dirs.map(i => i.path),
    transfers: p.transfers.map(i => i.path), forget: p.forget
  }
}

t.test('a change set: only what differs from the delivered state, without asking the store', async t => {
  const same = file()
  const grown = file({ size: 4 })
  const local = new Map([['same', same], ['grown', grown], ['new', file()]])
  const delivered = new Map([['same', sent(same)], ['grown', sent(file())], ['gone', sent(file())]])
  t.same(plan({ local, delivered }), { removals: ['gone'], dirs: [], transfers: ['grown', 'new'], forget: [] })
})

t.test('a new ctime counts only for paths the syncer named, and not when the mode moved', async t => {
  const before = file()
  const rewritten = file({ ctimeNs: '2000000000' })
  const local = new Map([['a', rewritten]])
  const delivered = new Map([['a', sent(before)]])
  t.same(plan({ local, delivered }).transfers, [], 'not named: size and mtime decide')
  t.same(plan({ local, delivered, named: p => p === 'a' }).transfers, ['a'], 'named: the ctime tells of a rewrite')
  const chmodded = file({ ctimeNs: '2000000000', mode: 0o600 })
  const p = planMirror({ local: new Map([['a', chmodded]]), delivered, remote: undefined, named: () => true, caps: SFTP })
  t.same(p.transfers.map(i => [i.path, i.sendContent]), [['a', false]], 'a chmod on SFTP: the mode, not the bytes')
})

t.test('a full comparison repairs drift and leaves conflict copies alone', async t => {
  const a = file()
  const local = new Map([['a', a], ['b', file()]])
  const delivered = new Map([['a', sent(a)], ['b', sent(file())], ['lost', sent(file())]])
  const remote = new Map([['a', object()], ['b', object('changed')], ['extra', object()],
    ['a.conflict-20250101T120000.000Z', object()], ['old.conflict-20250101T120000.000Z/inside', object()]])
  t.same(plan({ local, delivered, remote }), {
    removals: ['extra'], dirs: [], transfers: ['b'], forget: ['lost']
  }, 'b changed in the store, extra is not in root, lost is gone from both; conflict copies stay')
})

t.test('folders on a store that has them: made shallowest first, removed deepest first', async t => {
  const dir: LocalEntry = { ...file(), type: 'dir', size: 0, mode: 0o755 }
  const local = new Map([['x/y', dir], ['x', dir]])
  const delivered = new Map<string, DeliveredEntry>([['old', { type: 'dir', mode: 0o755 }], ['old/sub', { type: 'dir', mode: 0o755 }]])
  t.same(plan({ local, delivered, caps: SFTP }), { removals: ['old/sub', 'old'], dirs: ['x', 'x/y'], transfers: [], forget: [] })
  t.same(plan({ local, delivered: new Map(), caps: S3 }).dirs, [], 'S3 keeps no folders')
})
