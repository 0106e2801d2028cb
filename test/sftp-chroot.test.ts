/**
 * The shared-data recipe (etc/sshd/stalk-sftp.conf) against a real sshd:
 * its Match block, as shipped, confines a login to SFTP inside the chroot,
 * refuses a shell, and a stalk pull mount reads its files through it.
 *
 * No user or group is created on the machine running the tests: the block
 * is matched by the port of a second sshd instead of `Group stalk-sftp`,
 * and root logs in with the test key. For root, as for any user, sshd wants
 * the chroot and every folder above it owned by root and writable by nobody
 * else, which rules out /tmp (mode 1777): the chroot is made under /run.
 */
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { mount } from '../src/index.js'
import { silentLogger } from '../src/logger.js'
import { apiDirs, keep } from './helpers/api-mount.js'
import { fuseUnavailable } from './helpers/mount.js'
import { sshdUnavailable, startSshd, type SshdServer } from './helpers/servers/sshd.js'
import { PROJECT_DIR } from './helpers/stem.js'

const RECIPE = join(PROJECT_DIR, 'etc/sshd/stalk-sftp.conf')
const skip = sshdUnavailable() ?? fuseUnavailable()

interface Run { readonly code: number; readonly stdout: string; readonly stderr: string }

function run (cmd: string, args: readonly string[], input?: string): Promise<Run> {
  return new Promise(resolve => {
    const child = execFile(cmd, args, { timeout: 20_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1
      resolve({ code, stdout, stderr })
    })
    child.stdin?.end(input ?? '')
  })
}

/**
 * The recipe's Match block as a function of the port and chroot that replace
 * the shipped criterion and /srv/sftp (startSshd wants it synchronously).
 */
async function recipeBlock (): Promise<(port: number, chroot: string) => string> {
  const text = await readFile(RECIPE, 'utf8')
  const match = text.slice(text.indexOf('\nMatch '))
  for (const line of ['Match Group stalk-sftp', 'ChrootDirectory /srv/sftp', 'ForceCommand internal-sftp']) {
    if (!match.includes(line)) throw new Error(`${RECIPE} has no "${line}" line any more; update this test`)
  }
  return (port, chroot) => match.replace('Match Group stalk-sftp', `Match LocalPort ${port}`).replace('ChrootDirectory /srv/sftp', `ChrootDirectory ${chroot}`)
}

async function chrootedSshd (t: Test): Promise<SshdServer> {
  const chroot = await mkdtemp('/run/stalk-sftp-') // 0700 and root's, as sshd wants
  t.teardown(() => rm(chroot, { recursive: true, force: true }))
  await mkdir(join(chroot, 'data'), { mode: 0o755 })
  await writeFile(join(chroot, 'data', 'report.csv'), 'id,value\n1,42\n')
  await writeFile(join(chroot, 'data', 'notes.txt'), 'shared notes\n')
  const block = await recipeBlock()
  return startSshd(t, { extraConfig: port => block(port, chroot) })
}

const ssh = (s: SshdServer, ...args: string[]): Promise<Run> => run('ssh', ['-F', s.sshConfigFile, s.hostAlias, ...args])
const sftp = (s: SshdServer, batch: string): Promise<Run> => run('sftp', ['-F', s.sshConfigFile, '-b', '-', s.hostAlias], batch)

t.test('the shared-data Match block', { skip }, async t => {
  const s = await chrootedSshd(t)

  t.test('refuses a shell and a command', async t => {
    const r = await ssh(s, 'echo', 'shell-is-open')
    t.notMatch(r.stdout, /shell-is-open/, 'the command never ran (internal-sftp ran instead)')
    const plain = await startSshd(t)
    t.match((await ssh(plain, 'echo', 'shell-is-open')).stdout, /shell-is-open/, 'the same key and sshd settings without the block do get a shell')
  })

  t.test('confines SFTP to the chroot, starting in /data', async t => {
    const r = await sftp(s, 'pwd\nls -1 /\n')
    t.equal(r.code, 0, r.stderr)
    t.match(r.stdout, /Remote working directory: \/data/)
    t.match(r.stdout, /^\/data$/m)
    t.notMatch(r.stdout, /^\/(etc|tmp|root|run)$/m, 'nothing of the real root')
    const outside = await sftp(s, 'get /etc/hostname /dev/null\n')
    t.not(outside.code, 0, 'a file of the real root is out of reach')
  })

  t.test('serves a stalk pull mount through it', async t => {
    const d = await apiDirs(t, 'stalk-sftp-chroot-')
    const origin = (path: string): string => `sftp://root@127.0.0.1:${s.port}${path}`
    const config = {
      global: { ssh_key: s.keyFile, ssh_known_hosts: s.knownHostsFile, cachedir: join(d.base, 'cache') },
      report: { name: 'report.csv', origin: origin('/data/report.csv') },
      notes: { name: 'notes.txt', origin: origin('/~/notes.txt') }
    }
    const m = keep(d, await mount(config, d.mnt, { readOnly: true, log: silentLogger, controlSocket: false }))
    t.equal(await readFile(join(d.mnt, 'report.csv'), 'utf8'), 'id,value\n1,42\n', 'an absolute path inside the chroot')
    t.equal(await readFile(join(d.mnt, 'notes.txt'), 'utf8'), 'shared notes\n', 'a path relative to the start folder /data')
    t.equal((await m.unmount()).ok, true)
  })
})
