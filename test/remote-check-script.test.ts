// The ssh preflight script, run by a real POSIX sh here (the remote side of
// ssh is just a shell): quoting of odd paths, ~ expansion, and its exit codes.
import { spawnSync } from 'node:child_process'
import { chmod, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { remoteCheckScript, SCRIPT_FAILURES } from '../backends/remote-check-script.js'
import { tmpDir } from './helpers/tmp.js'

function run (path: string, home: string, checkRsync = false, uid?: number): { code: number | null; stderr: string } {
  const r = spawnSync('/bin/sh', ['-c', remoteCheckScript(path, { checkRsync })], {
    cwd: home, env: { ...process.env, HOME: home }, encoding: 'utf8', ...(uid === undefined ? {} : { uid, gid: uid })
  })
  return { code: r.status, stderr: r.stderr }
}

t.test('existing folders and creatable last components pass', async t => {
  const home = await tmpDir(t)
  const odd = join(home, "it's a \"dir\" $HOME `x` ; rm -rf")
  await mkdir(odd)
  t.equal(run(odd, home).code, 0, 'a name full of shell syntax is taken literally')
  t.equal(run(join(odd, 'new'), home).code, 0, 'a missing last folder under a writable parent')
  t.equal(run('', home).code, 0, 'empty path: the login folder')
  t.equal(run('~/', home).code, 0, '~/ is the home folder')
  t.equal(run("~/it's new", home).code, 0, '~ expands and the rest stays quoted')
  t.equal(run('relative-new', home).code, 0, 'relative to the login folder')
})

t.test('failures exit with their own codes and say what is wrong', async t => {
  const home = await tmpDir(t)
  const missing = run(join(home, 'no/such'), home)
  t.equal(missing.code, 92)
  t.match(missing.stderr, /^stalk-check: .*no\/such does not exist, and its parent .*no is not a writable folder/)
  t.equal(run('~/no/such', home).code, 92, 'the same below ~')
  const rsync = spawnSync('/bin/sh', ['-c', remoteCheckScript(home, { checkRsync: true })], { env: { PATH: '/nonexistent' }, encoding: 'utf8' })
  t.equal(rsync.status, 90, 'rsync missing on the remote PATH')
  t.match(rsync.stderr, /rsync is not installed on the remote host/)
  t.equal(run(home, home, true).code, 0, 'rsync found on PATH')
  t.same([...SCRIPT_FAILURES.keys()], [90, 91, 92])
})

t.test('a folder that is not writable is refused', async t => {
  const home = await tmpDir(t)
  await chmod(home, 0o755)
  const ro = join(home, 'ro')
  await mkdir(ro)
  await chmod(ro, 0o555)
  // root may write anywhere, so as root the script runs as nobody.
  const r = run(ro, home, false, process.getuid?.() === 0 ? 65534 : undefined)
  t.equal(r.code, 91)
  t.match(r.stderr, /ro is not writable/)
})
