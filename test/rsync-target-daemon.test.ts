// rsync to a real rsync daemon: each way of failing must reject with the
// real reason and rsync's exit code; RSYNC_PASSWORD works instead of a
// password file, and neither password ever shows up in an error.
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { createTarget } from '../backends/registry.js'
import { silentLogger } from '../src/logger.js'
import { failsBoth, rejectsWith } from './helpers/expect-target-error.js'
import { recordingLogger } from './helpers/recording-logger.js'
import { freePort } from './helpers/servers/free-port.js'
import { rsyncdUnavailable, startRsyncd } from './helpers/servers/rsyncd.js'
import { targetConfig } from './helpers/target-config.js'
import { tmpDir } from './helpers/tmp.js'
import { snapshotTree } from './helpers/tree-snapshot.js'

const log = silentLogger
const skip = rsyncdUnavailable()
const rsyncd = skip === undefined ? await startRsyncd(t) : undefined

t.test('rsync daemon failures say why', { skip: skip ?? false }, async t => {
  if (rsyncd === undefined) return
  const pw = { passwordFile: rsyncd.passwordFile }

  await t.test('a wrong password', async t => {
    const wrong = join(await tmpDir(t), 'wrong.pass')
    await writeFile(wrong, 'not-the-password\n', { mode: 0o600 })
    await failsBoth(t, createTarget(targetConfig(rsyncd.pushUrl('x'), { passwordFile: wrong }), { log }),
      { message: /authentication failed \(rsync daemon rejected the user or password\)/, exitCode: 5 })
  })

  await t.test('a module that does not exist', async t => {
    const dest = `rsync://stalk@127.0.0.1:${rsyncd.port}/nope/x`
    await failsBoth(t, createTarget(targetConfig(dest, pw), { log }), { message: /unknown rsync module "nope"/, exitCode: 5 })
  })

  await t.test('a port nobody listens on', async t => {
    const dest = `rsync://stalk@127.0.0.1:${await freePort()}/push/x`
    await failsBoth(t, createTarget(targetConfig(dest, pw), { log }), { message: /connection refused/, exitCode: 10 })
  })

  await t.test('a read-only module', async t => {
    const dest = `rsync://127.0.0.1:${rsyncd.port}/origin/x`
    await failsBoth(t, createTarget(targetConfig(dest), { log }), { message: /the rsync module is read-only/, exitCode: 1 })
  })

  await t.test('a password file that others can read', async t => {
    const open = join(await tmpDir(t), 'open.pass')
    await writeFile(open, 's3cret\n', { mode: 0o644 })
    await failsBoth(t, createTarget(targetConfig(rsyncd.pushUrl('x'), { passwordFile: open }), { log }),
      { message: /readable by others \(chmod 600/, exitCode: 1 })
  })

  await t.test('a missing parent folder inside the module', async t => {
    const target = createTarget(targetConfig(rsyncd.pushUrl('no/such/sub'), pw), { log })
    await failsBoth(t, target, { message: /folder "no\/such" does not exist in module "push"/, exitCode: 23 },
      { message: /parent does not exist/, exitCode: 3 })
  })
})

t.test('RSYNC_PASSWORD from the environment', { skip: skip ?? false }, async t => {
  if (rsyncd === undefined) return
  const root = await tmpDir(t)
  await writeFile(join(root, 'f.txt'), 'x\n')
  const signal = new AbortController().signal

  await t.test('logs in without a password file', async t => {
    const env = { ...process.env, RSYNC_PASSWORD: rsyncd.password }
    const target = createTarget(targetConfig(rsyncd.pushUrl('via-env')), { log, env })
    await t.resolves(target.check())
    await target.mirror(root, 'all', { signal })
    t.same(Object.keys(await snapshotTree(join(rsyncd.pushDir, 'via-env'))), ['.', 'f.txt'])
  })

  await t.test('a wrong one fails and is not repeated anywhere', async t => {
    const secret = 'Wr0ng-Secret-Value'
    const env = { ...process.env, RSYNC_PASSWORD: secret }
    const rec = recordingLogger()
    const target = createTarget(targetConfig(rsyncd.pushUrl('via-env')), { log: rec, env })
    const err = await rejectsWith(t, target.mirror(root, 'all', { signal }), { message: /authentication failed/, exitCode: 5 }, 'mirror()')
    t.notMatch(`${err?.message ?? ''}\n${err?.stderr ?? ''}`, secret, 'the password is in neither message nor stderr')
    const argv = rec.records.find(r => r.level === 'debug' && Array.isArray(r.obj['argv']))?.obj['argv']
    t.match(argv, ['rsync', '-aH', '--delete'], 'the exact argv is logged at debug level')
    t.notMatch(JSON.stringify(rec.records), secret, 'and the password is in no log record')
  })

  await t.test('with no password at all it fails at once instead of prompting', async t => {
    const env = { ...process.env }
    delete env['RSYNC_PASSWORD']
    const target = createTarget(targetConfig(rsyncd.pushUrl('x')), { log, env })
    const started = Date.now()
    await failsBoth(t, target, { message: /authentication failed/, exitCode: 5 })
    t.ok(Date.now() - started < 10_000, 'no prompt waited for input')
  })
})
