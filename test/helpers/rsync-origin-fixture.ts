/**
 * rsync origins for tests against the real test servers, built the way the
 * config does it (origin string + section options through parseRsyncOrigin):
 *
 *   const b = sshBackend(sshd, `${dir}/file`, { ssh_port: '1' })   // options override the working ones
 *   const b = daemonBackend(rsyncd, 'origin', 'sub/file')
 *   const put = originWriter(dir)    // writes files with an mtime 2 s later on each call
 */
import { mkdir, utimes, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { RsyncOriginBackend, type RsyncOriginBackendOptions } from '../../backends/rsync-origin-backend.js'
import { parseRsyncOrigin, type RsyncOrigin } from '../../backends/rsync-origin.js'
import { silentLogger } from '../../src/logger.js'
import type { RsyncdServer } from './servers/rsyncd.js'
import type { SshdServer } from './servers/sshd.js'

export type Options = Readonly<Record<string, string>>

export function sshOrigin (sshd: SshdServer, path: string, over: Options = {}): RsyncOrigin {
  const options = { ssh_port: String(sshd.port), ssh_key: sshd.keyFile, ssh_known_hosts: sshd.knownHostsFile, ...over }
  return parseRsyncOrigin(`root@127.0.0.1:${path}`, new Map(Object.entries(options)))
}

export function daemonOrigin (rsyncd: RsyncdServer, module: string, path: string, over: Options = {},
  global: Options = {}): RsyncOrigin {
  const user = module === rsyncd.originAuthModule ? `${rsyncd.user}@` : ''
  return parseRsyncOrigin(`rsync://${user}127.0.0.1:${rsyncd.port}/${module}/${path}`,
    new Map(Object.entries(over)), new Map(Object.entries(global)))
}

export function backendOf (origin: RsyncOrigin, o: Partial<RsyncOriginBackendOptions> = {}): RsyncOriginBackend {
  return new RsyncOriginBackend(origin.settings, { log: silentLogger, ...o })
}

export function sshBackend (sshd: SshdServer, path: string, over: Options = {}): RsyncOriginBackend {
  return backendOf(sshOrigin(sshd, path, over))
}

export function daemonBackend (rsyncd: RsyncdServer, module: string, path: string, over: Options = {}): RsyncOriginBackend {
  return backendOf(daemonOrigin(rsyncd, module, path, over))
}

/**
 * Writes files under `dir` (the origin's folder on this machine) the way an
 * upstream would, each with an mtime 2 s after the previous one: listings
 * show whole seconds, so a rewrite must move the mtime by at least one.
 */
export function originWriter (dir: string): (name: string, data: Buffer | string) => Promise<void> {
  let next = Math.floor(Date.now() / 1000) - 600
  return async (name, data) => {
    const file = join(dir, name)
    await mkdir(dirname(file), { recursive: true })
    await writeFile(file, data)
    next += 2
    await utimes(file, next, next)
  }
}
