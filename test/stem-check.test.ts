/**
 * `stem check`: the mount's preflight without a mount. The config is loaded
 * (its warnings shown, its refusals with the mount's exit codes), every
 * target or origin server is checked with its credentials against real
 * servers (a local folder, an ssh port nobody listens on, a real nginx, an
 * HTTP port nobody listens on), and the table says which failed and why,
 * in the words the refused mount uses.
 */
import { existsSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { ExitCode } from '../src/exit-codes.js'
import { stalkMounts } from '../src/cli/stalk-mounts.js'
import { fuseUnavailable } from './helpers/mount.js'
import { freePort } from './helpers/servers/free-port.js'
import { nginxUnavailable, startNginx } from './helpers/servers/nginx.js'
import { runStem, stalkMount, stemDirs, testGlobal, writeStemConfig } from './helpers/stem.js'

const skip = fuseUnavailable()

t.test('push: every target ok → exit 0 and a table; nothing mounted, no journal', async t => {
  const d = await stemDirs(t)
  await writeStemConfig(d, { global: testGlobal(d, { colour: 'blue' }), target: { local: d.target, copy: join(d.base, 'copy') } })
  const mountsBefore = stalkMounts()
  const r = await runStem(['check', '-c', d.config])
  t.equal(r.code, 0, `exit 0 (stderr: ${r.stderr})`)
  t.equal(r.stderr, '')
  const lines = r.stdout.trimEnd().split('\n')
  t.equal(lines[0], `config ${d.config} (push mode): valid`)
  t.match(lines[1], /^ {2}warning: .*\[global\].*colour/, "the loader's warning is shown")
  t.match(lines[2], /^TARGET\s+DESTINATION\s+RESULT\s+REASON$/)
  t.match(lines[3], new RegExp(`^local\\s+${d.target}\\s+ok$`))
  t.match(lines[4], new RegExp(`^copy\\s+${d.base}/copy\\s+ok$`))
  t.equal(lines.length, 5, 'no failure line')
  t.same(stalkMounts(), mountsBefore, 'no mount was made')
  t.notOk(existsSync(d.state), 'no journal was opened')
})

t.test('push: an unreachable ssh target → exit 13 with its reason, as the mount says it', { skip }, async t => {
  const d = await stemDirs(t)
  const port = await freePort()
  const far = 'root@127.0.0.1:/srv/nowhere'
  await writeStemConfig(d, {
    global: testGlobal(d),
    target: { local: d.target, far },
    'target:far': { ssh_port: port, ssh_options: 'ConnectTimeout=5' }
  })
  const r = await runStem(['check', '-c', d.config])
  t.equal(r.code, ExitCode.preflightFailed, `exit 13 (stdout: ${r.stdout})`)
  t.match(r.stdout, new RegExp(`^local\\s+${d.target}\\s+ok$`, 'm'))
  const row = new RegExp(`^far\\s+${far}\\s+FAILED\\s+(.*port ${port}: Connection refused.*)$`, 'm').exec(r.stdout)
  t.ok(row, 'the failed row names the target and ssh\'s reason')
  t.match(r.stdout, /^1 of 2 target\(s\) FAILED \(the mount would be refused: exit 13\)$/m)

  const mount = await runStem(['-c', d.config, d.mnt])
  t.equal(mount.code, ExitCode.preflightFailed, 'the mount refuses for the same reason')
  t.match(mount.stderr, `far (${far}): `)
  t.match(mount.stderr, `port ${port}: Connection refused`)
  t.notOk(stalkMount(d.mnt))

  await writeStemConfig(d, { global: testGlobal(d, { lazy: 'yes' }), target: { far }, 'target:far': { ssh_port: port } })
  const lazy = await runStem(['check', '-c', d.config])
  t.equal(lazy.code, ExitCode.preflightFailed, 'lazy: still exit 13 (the target is still down)')
  t.match(lazy.stdout, /\("lazy: yes" is set: the mount would go on and wait for it\)/)
})

t.test('config refusals keep their exit codes', async t => {
  const d = await stemDirs(t)
  await writeFile(d.config, `[global]\nroot: ${d.root}\ntimeout: soon\n[target]\nlocal: ${d.target}\n`)
  const r = await runStem(['check', '-c', d.config])
  t.equal(r.code, ExitCode.configInvalid)
  t.match(r.stderr, /^stem: .*\[global\] timeout: "soon" is not a duration/)
  const missing = await runStem(['check', '-c', join(d.base, 'nope.cf')])
  t.equal(missing.code, ExitCode.configUnreadable)
  t.equal(missing.stdout, '')
})

t.test('pull: a good and a bad origin → exit 13, each with its row', { skip: nginxUnavailable() ?? false }, async t => {
  const nginx = await startNginx(t)
  const d = await stemDirs(t, 'stalk-pull-')
  const dead = `http://127.0.0.1:${await freePort()}`
  const good = {
    global: { log: d.log },
    a: { name: 'a.txt', origin: `${nginx.httpUrl}/a.txt` },
    b: { name: 'b.txt', origin: `${nginx.httpUrl}/b.txt` }
  }
  await writeStemConfig(d, good)
  const ok = await runStem(['check', '-r', '-c', d.config])
  t.equal(ok.code, 0, `all ok: exit 0 (stderr: ${ok.stderr})`)
  t.match(ok.stdout, /^FILES\s+ORIGIN\s+RESULT\s+REASON$/m)
  t.match(ok.stdout, new RegExp(`^a\\.txt, b\\.txt\\s+${nginx.httpUrl}\\s+ok$`, 'm'), 'one row per origin server, naming its files')

  await writeStemConfig(d, { ...good, c: { name: 'c.txt', origin: `${dead}/c.txt` } })
  const r = await runStem(['check', '-r', '-c', d.config])
  t.equal(r.code, ExitCode.preflightFailed, `exit 13 (stdout: ${r.stdout})`)
  t.match(r.stdout, new RegExp(`^a\\.txt, b\\.txt\\s+${nginx.httpUrl}\\s+ok$`, 'm'))
  const row = new RegExp(`^c\\.txt\\s+${dead}\\s+FAILED\\s+(.+)$`, 'm').exec(r.stdout)
  t.ok(row, 'the dead origin has a FAILED row with a reason')
  t.match(r.stdout, /^1 of 2 origin\(s\) FAILED/m)

  const mount = await runStem(['-r', '-c', d.config, d.mnt], { timeoutMs: 60_000 })
  t.equal(mount.code, ExitCode.preflightFailed, 'the mount refuses')
  t.match(mount.stderr, `${dead}: ${row?.[1] ?? '?'}`, 'with the reason stem check gave')
  t.notOk(stalkMount(d.mnt))
})
