// rsync to a local folder: refusals with reasons, the time limit, and the
// vanished-file race (exit 24) that counts as success with a warning.
import { unlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { createTarget } from '../backends/registry.js'
import { silentLogger } from '../src/logger.js'
import { failsBoth, rejectsWith } from './helpers/expect-target-error.js'
import { waitForNoProcess } from './helpers/process-list.js'
import { recordingLogger } from './helpers/recording-logger.js'
import { SLOW_RSYNC, targetConfig } from './helpers/target-config.js'
import { tmpDir } from './helpers/tmp.js'
import { BIG_FILE_BYTES } from './helpers/sample-tree.js'
import { randomBytes } from 'node:crypto'

const log = silentLogger
const signal = (): AbortSignal => new AbortController().signal

t.test('a destination whose parent is missing', async t => {
  const dest = join(await tmpDir(t), 'no/such/mirror')
  await failsBoth(t, createTarget(targetConfig(dest), { log }),
    { message: /does not exist, and its parent .* is not a writable directory/, exitCode: undefined },
    { message: /parent does not exist/, exitCode: 3 })
})

t.test('a destination that is a file', async t => {
  const dest = join(await tmpDir(t), 'file')
  await writeFile(dest, '')
  await rejectsWith(t, createTarget(targetConfig(dest), { log }).check(), { message: /exists but is not a directory/, exitCode: undefined }, 'check()')
})

t.test('a missing root is refused before rsync runs', async t => {
  const target = createTarget(targetConfig(join(await tmpDir(t), 'mirror')), { log })
  await rejectsWith(t, target.mirror('/nonexistent/root', 'all', { signal: signal() }),
    { message: /root \/nonexistent\/root is not a directory/, exitCode: undefined }, 'mirror()')
})

t.test('the target\'s time limit stops a slow transfer', async t => {
  const root = await tmpDir(t)
  await writeFile(join(root, 'big.bin'), randomBytes(BIG_FILE_BYTES))
  const target = createTarget(targetConfig(join(await tmpDir(t), 'mirror'), { rsyncOptions: SLOW_RSYNC, timeoutMs: 1500 }), { log })
  const started = Date.now()
  await rejectsWith(t, target.mirror(root, 'all', { signal: signal() }), { message: /timed out after 1\.5 s and was stopped/, exitCode: undefined }, 'mirror()')
  t.ok(Date.now() - started < 5000, 'it stopped soon after the limit')
  t.same(await waitForNoProcess(root), [], 'rsync is gone')
})

t.test('files vanishing during the transfer (exit 24) count as success, with a warning', async t => {
  const root = await tmpDir(t)
  // rsync sends a folder's files in name order: the slow a-big.bin first, while z.txt is deleted.
  await writeFile(join(root, 'a-big.bin'), randomBytes(400 * 1024))
  await writeFile(join(root, 'z.txt'), 'gone soon\n')
  const log = recordingLogger()
  const target = createTarget(targetConfig(join(await tmpDir(t), 'mirror'), { rsyncOptions: ['--bwlimit=200'] }), { log })
  const run = target.mirror(root, 'all', { signal: signal() })
  setTimeout(() => { void unlink(join(root, 'z.txt')) }, 500)
  await t.resolves(run, 'mirror resolves')
  const warnings = log.records.filter(r => r.level === 'warn')
  t.match(warnings.map(w => w.msg).join('\n'), /some files vanished from root during the transfer/, 'and warns')
  t.equal(warnings[0]?.obj['target'], 'test-target', 'naming the target')
})
