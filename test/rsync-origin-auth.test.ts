// Logins and the preflight of rsync origins against a real sshd and rsync
// daemon: every way in works, every refusal has the kind the FUSE layer maps
// (forbidden → EACCES, not-found → ENOENT, unavailable → EIO), and a daemon
// password never shows up in an argv, a log record or an error.
import { chmod, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { parseRsyncOrigin } from '../backends/rsync-origin.js'
import { BackendError } from '../src/errors.js'
import { recordingLogger } from './helpers/recording-logger.js'
import { backendOf, daemonOrigin, originWriter, sshBackend } from './helpers/rsync-origin-fixture.js'
import { freePort } from './helpers/servers/free-port.js'
import { rsyncdUnavailable, startRsyncd } from './helpers/servers/rsyncd.js'
import { sshdUnavailable, sshKeygen, startSshd } from './helpers/servers/sshd.js'
import { tmpDir } from './helpers/tmp.js'

const sshSkip = sshdUnavailable()
const daemonSkip = rsyncdUnavailable()
const sshd = sshSkip === undefined ? await startSshd(t) : undefined
const rsyncd = daemonSkip === undefined ? await startRsyncd(t) : undefined

async function rejectsKind (t: Test, p: Promise<unknown>, kind: BackendError['kind'], message: RegExp, msg: string): Promise<void> {
  const err = await p.then(() => undefined, (e: unknown) => e)
  if (!(err instanceof BackendError)) {
    t.fail(`${msg}: expected a BackendError, got ${String(err)}`)
    return
  }
  t.equal(err.kind, kind, `${msg}: kind ${kind}`)
  t.match(err.message, message, `${msg}: ${err.message}`)
}

t.test('ssh logins', { skip: sshSkip ?? false }, async t => {
  if (sshd === undefined) return
  const file = join(sshd.remoteDir, 'auth', 'f.txt')
  await originWriter(join(sshd.remoteDir, 'auth'))('f.txt', 'ssh file')
  await t.resolves(sshBackend(sshd, file).check(), 'check with the right key and known host')

  const other = join(await tmpDir(t), 'other_key')
  await sshKeygen(other)
  const unauthorized = sshBackend(sshd, file, { ssh_key: other })
  await rejectsKind(t, unauthorized.check(), 'forbidden', /authentication failed \(ssh key not accepted\)/, 'check with a key not authorized')
  await rejectsKind(t, unauthorized.stat(file), 'forbidden', /Permission denied \(publickey\)/, 'stat with a key not authorized')

  const empty = join(await tmpDir(t), 'known_hosts')
  await writeFile(empty, '')
  const unknownHost = sshBackend(sshd, file, { ssh_known_hosts: empty })
  await rejectsKind(t, unknownHost.check(), 'forbidden', /host key verification failed/, 'check of a host not in known_hosts')
  await rejectsKind(t, unknownHost.fetch(file, join(await tmpDir(t), 'x')), 'forbidden', /host key verification failed/, 'fetch from it')

  const viaEnv = backendOf(parseRsyncOrigin(`${sshd.hostAlias}:${file}`, new Map()),
    { env: { ...process.env, RSYNC_RSH: `ssh -F '${sshd.sshConfigFile}'` } })
  t.equal((await viaEnv.stat(file))?.size, 'ssh file'.length, 'without ssh settings, RSYNC_RSH (an ssh_config alias) is used')

  const closed = sshBackend(sshd, file, { ssh_port: String(await freePort()) })
  await rejectsKind(t, closed.check(), 'unavailable', /connection refused/, 'check of a closed port')
  await rejectsKind(t, closed.stat(file), 'unavailable', /connection refused/, 'stat on a closed port')
})

t.test('rsync daemon logins', { skip: daemonSkip ?? false }, async t => {
  if (rsyncd === undefined) return
  await originWriter(join(rsyncd.originDir, 'auth'))('f.txt', 'daemon file')
  const mod = rsyncd.originAuthModule
  const out = await tmpDir(t)

  await t.test('a password from the config travels in the environment, never in argv or logs', async t => {
    const log = recordingLogger()
    const b = backendOf(daemonOrigin(rsyncd, mod, 'auth/f.txt', { password: rsyncd.password }), { log })
    await t.resolves(b.check())
    t.equal((await b.stat('auth/f.txt'))?.size, 'daemon file'.length)
    t.equal((await b.fetch('auth/f.txt', join(out, 'pw.tmp'))).status, 'fetched')
    t.ok(log.records.length >= 3, 'each run logged its argv')
    t.notMatch(JSON.stringify(log.records), rsyncd.password, 'no password in the log')
    t.match(b.name, new RegExp(`^rsync://stalk@127\\.0\\.0\\.1:${rsyncd.port}/origin-auth$`))
  })

  await t.test('a password_file from [global] is handed to rsync', async t => {
    const b = backendOf(daemonOrigin(rsyncd, mod, 'auth/f.txt', {}, { password_file: rsyncd.passwordFile }))
    t.equal((await b.stat('auth/f.txt'))?.size, 'daemon file'.length)
    const open = join(out, 'open.pass')
    await writeFile(open, `${rsyncd.password}\n`)
    await chmod(open, 0o644)
    const loose = backendOf(daemonOrigin(rsyncd, mod, 'auth/f.txt', {}, { password_file: open }))
    await rejectsKind(t, loose.stat('auth/f.txt'), 'forbidden', /readable by others \(chmod 600/, 'a password file others can read')
  })

  await t.test('refusals', async t => {
    const wrong = backendOf(daemonOrigin(rsyncd, mod, 'x', { password: 'wrong-password-1' }))
    // one call at a time: a promise made before the previous await could reject unobserved
    for (const [what, call] of [['check', () => wrong.check()], ['stat', () => wrong.stat('auth/f.txt')]] as const) {
      const err = await call().then(() => undefined, (e: unknown) => e)
      t.ok(err instanceof BackendError && err.kind === 'forbidden', `${what} with a wrong password: forbidden`)
      t.notMatch(String(err), /wrong-password-1/, `${what}: the password is not in the error`)
    }
    const noModule = backendOf(daemonOrigin(rsyncd, 'no-such-module', 'x'))
    await rejectsKind(t, noModule.check(), 'unavailable', /unknown rsync module "no-such-module"/, 'check of a module that does not exist')
    await rejectsKind(t, noModule.stat('f'), 'unavailable', /unknown rsync module/, 'stat in it: the remote is wrong, not the file gone')
    const closed = backendOf(daemonOrigin({ ...rsyncd, port: await freePort() }, 'origin', 'x'))
    await rejectsKind(t, closed.check(), 'unavailable', /connection refused/, 'check of a closed port')
  })
})
