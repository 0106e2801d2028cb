// The per-target record of what was delivered: it survives a restart, and
// anything that makes it untrustworthy (missing, unreadable, written for
// another destination, never completed a full comparison) makes it fresh,
// which sends the target into a full comparison.
import { readFile, writeFile } from 'node:fs/promises'
import t from 'tap'
import { stateFileFor, TargetState } from '../backends/target-state.js'
import { recordingLogger } from './helpers/recording-logger.js'
import { tmpDir } from './helpers/tmp.js'

const entry = { type: 'file', size: 3, mtimeNs: '1', ctimeNs: '1', mode: 0o644, remote: { size: 3, etag: 'abc' } } as const

t.test('round trip, and fresh until a full comparison was recorded', async t => {
  const file = stateFileFor(await tmpDir(t), 'Cloud/1')
  t.match(file, /\/target-Cloud_1-[0-9a-f]{8}\.json$/, 'the label made safe for a file name')
  const log = recordingLogger()
  const s = await TargetState.load(file, 's3://b/p/', log)
  t.ok(s.fresh, 'no file: fresh')
  s.entries.set('a.txt', entry)
  await s.save()
  t.ok((await TargetState.load(file, 's3://b/p/', log)).fresh, 'saved before any full comparison: still fresh')
  s.fresh = false
  await s.save()
  const back = await TargetState.load(file, 's3://b/p/', log)
  t.notOk(back.fresh, 'after a full comparison: trusted')
  t.same(Object.fromEntries(back.entries), { 'a.txt': entry })
  t.same(log.records, [], 'nothing worth a log line')
})

t.test('another destination or a damaged file starts over', async t => {
  const file = stateFileFor(await tmpDir(t), 'x')
  const s = await TargetState.load(file, 'sftp://u@h:22/a', recordingLogger())
  s.entries.set('a.txt', entry)
  s.fresh = false
  await s.save()
  const log = recordingLogger()
  const moved = await TargetState.load(file, 'sftp://u@h:22/b', log)
  t.ok(moved.fresh && moved.entries.size === 0, 'written for another destination: empty and fresh')
  t.match(log.records, [{ level: 'info', msg: /written for sftp:\/\/u@h:22\/a/ }])
  await writeFile(file, (await readFile(file, 'utf8')).slice(0, 20))
  const broken = await TargetState.load(file, 'sftp://u@h:22/a', log)
  t.ok(broken.fresh && broken.entries.size === 0, 'cut short: empty and fresh')
  t.match(log.records[1], { msg: /not a state file stalk can read/ })
})
