/**
 * A real Ceph RGW (S3) for integration tests, exactly as TEST-SERVERS.md
 * appendix A: 1 mon + 1 memstore OSD + RGW with cephx, on 127.0.0.1 and
 * free ports, daemons started with `-f` as children of the calling process
 * (so they never become zombies under PID 1), and an S3 user
 * stalkAK / stalkSK. It takes ~13 s and ~0.7 GB, so tests do not call this
 * directly: they call s3Server(t) (s3.ts), which shares one cluster per tap
 * run through ceph-keeper.ts.
 *
 * Stop is SIGKILL, as the recipe says: a graceful TERM takes ~6.5 s and
 * memstore throws the data away either way.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { closeSync, openSync } from 'node:fs'
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { cephConf, cephDirs, cephPaths, type CephPaths } from './ceph-config.js'
import { cephTool, type CephTool } from './ceph-tool.js'
import { freePort } from './free-port.js'
import { findTool, missingTools } from './find-tool.js'

export const CEPH_ACCESS_KEY = 'stalkAK'
export const CEPH_SECRET_KEY = 'stalkSK'

const TOOLS = [
  ['ceph-mon', 'ceph-mon'], ['ceph-osd', 'ceph-osd'], ['radosgw', 'radosgw'], ['ceph', 'ceph-common'],
  ['radosgw-admin', 'ceph-common'], ['ceph-authtool', 'ceph-common'], ['monmaptool', 'ceph-base']
] as const

export interface CephCluster {
  readonly endpoint: string
  readonly pids: readonly number[]
  /** SIGKILLs the daemons and waits until they are reaped (no zombies left behind). */
  readonly stop: () => Promise<void>
}

/** Why Ceph RGW cannot run here, or undefined when it can. */
export function cephUnavailable (): string | undefined {
  const missing = missingTools(TOOLS)
  return missing === undefined ? undefined : `${missing} (S3 tests run against Ceph RGW)`
}

const live = new Set<ChildProcess>()
process.once('exit', () => { for (const c of live) c.kill('SIGKILL') })

export async function startCeph (dir: string): Promise<CephCluster> {
  const p = cephPaths(dir)
  for (const d of cephDirs(dir)) await mkdir(d, { recursive: true })
  const monPort = await freePort()
  let rgwPort = await freePort()
  while (rgwPort === monPort) rgwPort = await freePort()
  const fsid = randomUUID()
  await writeFile(p.conf, cephConf({ dir, fsid, monPort, rgwPort }))
  const tool = cephTool(p.conf)
  const kids: ChildProcess[] = []
  const kill = (): void => { for (const c of kids) c.kill('SIGKILL') }
  try {
    await makeMon(tool, p, fsid, monPort)
    kids.push(daemon(tool, p, 'ceph-mon', ['-f', '-i', 'a']))
    await makeOsd(tool, p)
    kids.push(daemon(tool, p, 'ceph-osd', ['-f', '-i', '0']))
    await poll('the OSD to be up', kids, async () => / 1 up/.test(await tool('ceph', ['osd', 'stat'])), 250)
    await appendFile(p.keyring, await tool('ceph', ['auth', 'get-or-create', 'client.rgw.a', 'mon', 'allow rw', 'osd', 'allow rwx']))
    kids.push(daemon(tool, p, 'radosgw', ['-f', '-n', 'client.rgw.a']))
    const endpoint = `http://127.0.0.1:${rgwPort}`
    const answers = async (): Promise<boolean> => (await fetch(endpoint, { signal: AbortSignal.timeout(2000) })).status > 0
    await poll('radosgw to answer HTTP', kids, answers, 100)
    await tool('radosgw-admin', ['user', 'create', '--uid=test', '--display-name=test',
      `--access-key=${CEPH_ACCESS_KEY}`, `--secret=${CEPH_SECRET_KEY}`])
    return { endpoint, pids: kids.map(c => c.pid ?? -1), stop: () => killAndReap(kids) }
  } catch (err) {
    kill()
    throw new Error(`Ceph did not start: ${err instanceof Error ? err.message : String(err)}\n${await logTails(p)}`, { cause: err })
  }
}

async function killAndReap (kids: readonly ChildProcess[]): Promise<void> {
  await Promise.all(kids.map(async c => {
    if (c.exitCode !== null || c.signalCode !== null) return
    const gone = new Promise(resolve => c.once('exit', resolve))
    c.kill('SIGKILL')
    await gone
  }))
}

async function makeMon (tool: CephTool, p: CephPaths, fsid: string, monPort: number): Promise<void> {
  await tool('ceph-authtool', ['--create-keyring', p.keyring, '--gen-key', '-n', 'mon.', '--cap', 'mon', 'allow *'])
  await tool('ceph-authtool', [p.keyring, '--gen-key', '-n', 'client.admin',
    '--cap', 'mon', 'allow *', '--cap', 'osd', 'allow *', '--cap', 'mgr', 'allow *'])
  await tool('ceph-authtool', [p.keyring, '--gen-key', '-n', 'osd.0',
    '--cap', 'mon', 'allow profile osd', '--cap', 'osd', 'allow *', '--cap', 'mgr', 'allow profile osd'])
  await tool('monmaptool', ['--create', '--fsid', fsid, '--addv', 'a', `[v2:127.0.0.1:${monPort}]`, p.monmap])
  await tool('ceph-mon', ['--mkfs', '-i', 'a', '--monmap', p.monmap, '--keyring', p.keyring])
}

async function makeOsd (tool: CephTool, p: CephPaths): Promise<void> {
  const uuid = randomUUID()
  const secret = (await tool('ceph-authtool', [p.keyring, '-p', '-n', 'osd.0'])).trim()
  await writeFile(p.osdSecret, JSON.stringify({ cephx_secret: secret }))
  await tool('ceph', ['--connect-timeout', '30', 'osd', 'new', uuid, '-i', p.osdSecret])
  await tool('ceph-osd', ['-i', '0', '--mkfs', '--osd-uuid', uuid])
}

function daemon (tool: CephTool, p: CephPaths, name: string, args: readonly string[]): ChildProcess {
  const fd = openSync(join(p.logs, `${name}.out`), 'a')
  try {
    const child = spawn(findTool(name, name), args, { env: tool.env, stdio: ['ignore', fd, fd] })
    live.add(child)
    child.once('exit', () => { live.delete(child) })
    child.once('error', () => { live.delete(child) })
    return child
  } finally {
    closeSync(fd)
  }
}

/**
 * Polls `probe` (its errors mean "not yet") for up to 90 s, but gives up at
 * once when a daemon died: then its log says why, not a timeout.
 */
async function poll (what: string, kids: readonly ChildProcess[], probe: () => Promise<boolean>, intervalMs: number): Promise<void> {
  const deadline = Date.now() + 90_000
  for (;;) {
    const dead = kids.find(c => c.exitCode !== null || c.signalCode !== null)
    if (dead !== undefined) throw new Error(`${dead.spawnfile} exited with ${dead.exitCode ?? dead.signalCode}`)
    if (await probe().catch(() => false)) return
    if (Date.now() > deadline) throw new Error(`timed out after 90 s waiting for ${what}`)
    await sleep(intervalMs)
  }
}

async function logTails (p: CephPaths): Promise<string> {
  const parts: string[] = []
  for (const name of ['mon.a', 'osd.0', 'client.rgw.a']) {
    const text = await readFile(join(p.logs, `${name}.log`), 'utf8').catch(() => '')
    if (text !== '') parts.push(`--- ${name}.log (end):\n${text.split('\n').slice(-15).join('\n')}`)
  }
  return parts.join('\n')
}
