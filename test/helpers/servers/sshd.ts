/**
 * A real OpenSSH server for integration tests (TEST-SERVERS.md section 2),
 * on 127.0.0.1 and a free port, as a child of the test process. Root logs in
 * with a generated ed25519 key; nothing under /etc is read or changed.
 *
 *   if (sshdUnavailable()) …                  // a skip reason, or undefined
 *   const s = await startSshd(t)              // stopped and removed when t ends
 *   const s = await startSshd({ dir })        // in your folder; call s.stop()
 *   const s = await startSshd(t, { extraConfig: port => 'Match LocalPort …' })   // appended to sshd_config
 *
 *   s.host, s.port, s.user ('root')
 *   s.keyFile          client private key the server accepts (no passphrase)
 *   s.knownHostsFile   "[127.0.0.1]:PORT ssh-ed25519 …": use it with strict host key checking
 *   s.sshConfigFile    an ssh_config with Host s.hostAlias set up with all of the above
 *   s.remoteDir        an empty folder to write into over ssh (the server is this machine)
 *
 * Config as in TEST-SERVERS.md appendix A: StrictModes no (keys live under
 * /tmp), UsePAM no, PasswordAuthentication no, Subsystem sftp internal-sftp.
 * Needs root (sshd's privilege separation) and /run/sshd, which is created.
 */
import { execFile } from 'node:child_process'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { removeTree, tmpDir, type TeardownOwner } from '../tmp.js'
import { startOnFreePort } from './daemon-process.js'
import { findTool, missingTools } from './find-tool.js'

export interface SshdServer {
  readonly host: '127.0.0.1'
  readonly port: number
  readonly user: 'root'
  readonly keyFile: string
  readonly knownHostsFile: string
  readonly sshConfigFile: string
  readonly hostAlias: string
  readonly remoteDir: string
  /** The server's own folder: config, host key, log (sshd.log). */
  readonly dir: string
  readonly pid: number
  stop: () => Promise<void>
}

export const SSH_HOST_ALIAS = 'stalk-test-remote'

const TOOLS = [['sshd', 'openssh-server'], ['ssh-keygen', 'openssh-client'], ['ssh', 'openssh-client']] as const

/** Why the ssh server cannot run here, or undefined when it can. */
export function sshdUnavailable (): string | undefined {
  if (process.getuid?.() !== 0) return 'the test sshd needs root (privilege separation, login as root)'
  return missingTools(TOOLS)
}

/** Makes an ed25519 key pair without passphrase: `file` and `file.pub`. */
export async function sshKeygen (file: string): Promise<void> {
  await promisify(execFile)(findTool('ssh-keygen', 'openssh-client'), ['-q', '-t', 'ed25519', '-N', '', '-C', 'stalk-test', '-f', file])
}

export interface SshdOptions {
  /** Appended to sshd_config (a Match block must come last); gets the port sshd listens on. */
  readonly extraConfig?: (port: number) => string
}

export async function startSshd (owner?: TeardownOwner | { dir?: string }, o: SshdOptions = {}): Promise<SshdServer> {
  const sshd = findTool('sshd', 'openssh-server')
  const t = owner !== undefined && 'teardown' in owner ? owner : undefined
  const given = owner !== undefined && 'dir' in owner ? owner.dir : undefined
  const dir = given ?? await tmpDir(undefined, 'stalk-sshd-')
  const f = files(dir)
  await mkdir(f.remoteDir, { recursive: true })
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 })
  await sshKeygen(f.hostKey)
  await sshKeygen(f.keyFile)
  await writeFile(f.authorizedKeys, await readFile(`${f.keyFile}.pub`))
  const proc = await startOnFreePort('sshd', 'SSH-2.0-', async port => {
    await writeFile(f.config, sshdConfig(f, port) + (o.extraConfig?.(port) ?? ''))
    await promisify(execFile)(sshd, ['-t', '-f', f.config])
    return { argv: [sshd, '-D', '-e', '-f', f.config], logFile: f.log }
  })
  const hostPub = (await readFile(`${f.hostKey}.pub`, 'utf8')).split(' ').slice(0, 2).join(' ')
  await writeFile(f.knownHosts, `[127.0.0.1]:${proc.port} ${hostPub}\n`)
  await writeFile(f.sshConfig, clientConfig(f, proc.port))
  const stop = async (): Promise<void> => {
    await proc.stop()
    if (given === undefined) await removeTree(dir)
  }
  t?.teardown(stop)
  return {
    host: '127.0.0.1', port: proc.port, user: 'root', keyFile: f.keyFile, knownHostsFile: f.knownHosts,
    sshConfigFile: f.sshConfig, hostAlias: SSH_HOST_ALIAS, remoteDir: f.remoteDir, dir, pid: proc.pid, stop
  }
}

type Files = ReturnType<typeof files>

function files (dir: string) {
  return {
    config: join(dir, 'sshd_config'), hostKey: join(dir, 'host_ed25519'), keyFile: join(dir, 'id_ed25519'),
    authorizedKeys: join(dir, 'authorized_keys'), knownHosts: join(dir, 'known_hosts'), sshConfig: join(dir, 'ssh_config'),
    pid: join(dir, 'sshd.pid'), log: join(dir, 'sshd.log'), remoteDir: join(dir, 'remote')
  }
}

function sshdConfig (f: Files, port: number): string {
  return [
    `Port ${port}`, 'ListenAddress 127.0.0.1', `HostKey ${f.hostKey}`, `PidFile ${f.pid}`,
    `AuthorizedKeysFile ${f.authorizedKeys}`, 'PubkeyAuthentication yes', 'PasswordAuthentication no',
    'KbdInteractiveAuthentication no', 'PermitRootLogin prohibit-password', 'StrictModes no', 'UsePAM no',
    'UseDNS no', 'PrintMotd no', 'LogLevel ERROR', 'Subsystem sftp internal-sftp', ''
  ].join('\n')
}

function clientConfig (f: Files, port: number): string {
  return [
    `Host ${SSH_HOST_ALIAS}`, '  HostName 127.0.0.1', `  Port ${port}`, '  User root', `  IdentityFile ${f.keyFile}`,
    '  IdentitiesOnly yes', `  UserKnownHostsFile ${f.knownHosts}`, '  StrictHostKeyChecking yes', '  BatchMode yes',
    '  LogLevel ERROR', ''
  ].join('\n')
}
