/**
 * SFTP push targets on the test sshd (servers/sshd.ts). The server is this
 * machine, so a test looks at the destination folder directly: its tree,
 * inode numbers (a file sent again is a new inode, since it arrives by
 * rename) and leftovers.
 *
 *   const rig = await sftpTargetRig(t, sshd, { onConflict: 'stop' })
 *   await rig.target.mirror(root, 'all', { signal })
 *   await snapshotTree(rig.dir)
 */
import { lstat, readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createTarget } from '../../backends/registry.js'
import type { Target } from '../../backends/backend.js'
import type { SshSettings, TargetConfig } from '../../src/config/types.js'
import { silentLogger, type Logger } from '../../src/logger.js'
import type { SshdServer } from './servers/sshd.js'
import { targetConfig } from './target-config.js'
import type { TeardownOwner } from './tmp.js'

export interface SftpTargetRig {
  readonly target: Target
  /** The destination folder (on this machine). */
  readonly dir: string
  readonly config: TargetConfig
}

export interface SftpRigOptions extends Partial<Omit<TargetConfig, 'ssh'>> {
  /** Reach the server through this port (a proxy); its host key is trusted there too. */
  readonly port?: number
  readonly ssh?: Partial<SshSettings>
  /** The destination folder; default a new one under the server's remote folder. */
  readonly dir?: string
  readonly user?: string
  readonly log?: Logger
}

let n = 0

export async function sftpTargetRig (t: TeardownOwner, sshd: SshdServer, o: SftpRigOptions = {}): Promise<SftpTargetRig> {
  const { port, ssh, dir: given, user, log, ...over } = o
  const dir = given ?? join(sshd.remoteDir, `mirror-${process.pid}-${++n}`)
  const knownHostsFile = port === undefined ? sshd.knownHostsFile : await knownHostsFor(sshd, port)
  const config = targetConfig(`sftp://${user ?? 'root'}@127.0.0.1:${port ?? sshd.port}${dir}`, {
    ...over, ssh: { identityFile: sshd.keyFile, knownHostsFile, ...ssh }
  })
  const target = createTarget(config, { log: log ?? silentLogger })
  t.teardown(() => target.close())
  return { target, dir, config }
}

/** A known_hosts that vouches for the server's key on another port (a proxy in front of it). */
async function knownHostsFor (sshd: SshdServer, port: number): Promise<string> {
  const file = join(sshd.dir, `known_hosts_${port}`)
  const line = (await readFile(sshd.knownHostsFile, 'utf8')).replace(`[127.0.0.1]:${sshd.port}`, `[127.0.0.1]:${port}`)
  await writeFile(file, line)
  return file
}

/** Relative path → inode number, for every entry under `dir`. */
export async function inodes (dir: string): Promise<Map<string, number>> {
  const out = new Map<string, number>()
  const walk = async (rel: string): Promise<void> => {
    for (const name of await readdir(join(dir, rel))) {
      const path = rel === '' ? name : `${rel}/${name}`
      const st = await lstat(join(dir, path))
      out.set(path, st.ino)
      if (st.isDirectory()) await walk(path)
    }
  }
  await walk('')
  return out
}

/** The paths whose inode differs between two `inodes` results (added and removed ones included). */
export function replaced (before: ReadonlyMap<string, number>, after: ReadonlyMap<string, number>): string[] {
  const paths = new Set([...before.keys(), ...after.keys()])
  return [...paths].filter(p => before.get(p) !== after.get(p)).sort()
}
