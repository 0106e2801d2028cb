/**
 * A real rsync daemon for integration tests (TEST-SERVERS.md section 4), on
 * 127.0.0.1 and a free port, as a child of the test process (--no-detach).
 *
 *   if (rsyncdUnavailable()) …                // a skip reason, or undefined
 *   const r = await startRsyncd(t)            // stopped and removed when t ends
 *   const r = await startRsyncd({ dir })      // in your folder; call r.stop()
 *
 *   r.url            "rsync://127.0.0.1:PORT"
 *   module origin    r.originDir, read only, no login: a pull origin
 *   module origin-auth  r.originDir again, read only, login r.user / r.password
 *   module push      r.pushDir, writable, login r.user / r.password
 *   r.passwordFile   the client's password file (mode 600) for --password-file
 *   r.pushUrl(sub)   "rsync://stalk@127.0.0.1:PORT/push/sub"
 *
 * The push module sets `munge symlinks = no`: without chroot, rsyncd would
 * otherwise store every symlink as "/rsyncd-munged/…", and a mirror target
 * must keep symlinks as they are.
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { removeTree, tmpDir, type TeardownOwner } from '../tmp.js'
import { startOnFreePort } from './daemon-process.js'
import { findTool, missingTools } from './find-tool.js'

export interface RsyncdServer {
  readonly host: '127.0.0.1'
  readonly port: number
  readonly url: string
  readonly user: 'stalk'
  readonly password: 's3cret'
  readonly passwordFile: string
  readonly originDir: string
  /** A read-only module over originDir that needs the login user / password. */
  readonly originAuthModule: 'origin-auth'
  readonly pushDir: string
  /** The server's own folder: config, secrets, log (rsyncd.log). */
  readonly dir: string
  readonly pid: number
  pushUrl: (sub?: string) => string
  stop: () => Promise<void>
}

/** Why the rsync daemon cannot run here, or undefined when it can. */
export function rsyncdUnavailable (): string | undefined {
  return missingTools([['rsync', 'rsync']])
}

export async function startRsyncd (owner?: TeardownOwner | { dir?: string }): Promise<RsyncdServer> {
  const rsync = findTool('rsync', 'rsync')
  const t = owner !== undefined && 'teardown' in owner ? owner : undefined
  const given = owner !== undefined && 'dir' in owner ? owner.dir : undefined
  const dir = given ?? await tmpDir(undefined, 'stalk-rsyncd-')
  const originDir = join(dir, 'origin')
  const pushDir = join(dir, 'push')
  await mkdir(originDir, { recursive: true })
  await mkdir(pushDir, { recursive: true })
  await secretFile(join(dir, 'secrets'), 'stalk:s3cret\n')
  const passwordFile = join(dir, 'client.pass')
  await secretFile(passwordFile, 's3cret\n')
  const config = join(dir, 'rsyncd.conf')
  const proc = await startOnFreePort('rsync --daemon', '@RSYNCD:', async port => {
    await writeFile(config, daemonConfig(dir, port))
    return { argv: [rsync, '--daemon', '--no-detach', `--config=${config}`], logFile: join(dir, 'rsyncd.log') }
  })
  const stop = async (): Promise<void> => {
    await proc.stop()
    if (given === undefined) await removeTree(dir)
  }
  t?.teardown(stop)
  const url = `rsync://127.0.0.1:${proc.port}`
  return {
    host: '127.0.0.1', port: proc.port, url, user: 'stalk', password: 's3cret', passwordFile, originDir, pushDir,
    dir, pid: proc.pid, pushUrl: (sub = '') => `rsync://stalk@127.0.0.1:${proc.port}/push/${sub}`, stop,
    originAuthModule: 'origin-auth'
  }
}

/** rsync refuses secrets and password files that others can read. */
async function secretFile (file: string, text: string): Promise<void> {
  await writeFile(file, text, { mode: 0o600 })
  await chmod(file, 0o600)
}

function daemonConfig (dir: string, port: number): string {
  // No pid file: the process is our child, and a stale one could block a restart.
  return `lock file = ${join(dir, 'rsyncd.lock')}
log file = ${join(dir, 'rsyncd.log')}
address = 127.0.0.1
port = ${port}
use chroot = no
uid = root
gid = root
max connections = 20

[origin]
  path = ${join(dir, 'origin')}
  read only = yes

[origin-auth]
  path = ${join(dir, 'origin')}
  read only = yes
  auth users = stalk
  secrets file = ${join(dir, 'secrets')}

[push]
  path = ${join(dir, 'push')}
  read only = no
  munge symlinks = no
  auth users = stalk
  secrets file = ${join(dir, 'secrets')}
`
}
