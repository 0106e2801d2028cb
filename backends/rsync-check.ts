/**
 * The preflight of an rsync target: reachable, logged in, writable. It
 * changes nothing on the destination. A destination folder that does not
 * exist yet passes when its parent does (and is writable), because rsync
 * creates the last folder on the first mirror and nothing above it; stalk
 * does not create parents either, so a typo or an unmounted volume fails
 * loudly instead of filling the wrong disk.
 *
 *   local    the folder (or its parent) is a writable directory; rsync runs
 *   ssh      one ssh login that tests the folder (or its parent) and that
 *            rsync is installed there: host key, key and path in one go
 *   daemon   a dry-run push of an empty folder (login, module, read-only
 *            module), then a listing of the parent folder inside the module
 */
import { constants } from 'node:fs'
import { access, mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, posix, resolve } from 'node:path'
import type { TargetConfig } from '../src/config/types.js'
import type { Logger } from '../src/logger.js'
import { TargetError } from './backend.js'
import { childEnv, dryRunInvocation, listInvocation, remoteShellArgv, type RsyncDestination } from './rsync-args.js'
import { rsyncFailure, scrubSecrets } from './rsync-failure.js'
import { remoteCheckScript, SCRIPT_FAILURES } from './remote-check-script.js'
import { runTargetTool } from './target-tool.js'

export interface CheckContext {
  readonly cfg: TargetConfig
  readonly dest: RsyncDestination
  readonly env: NodeJS.ProcessEnv
  readonly signal?: AbortSignal | undefined
  readonly log: Logger
  readonly secrets: readonly string[]
}

/** A preflight needs no hour-long transfer limit. */
const CHECK_TIMEOUT_MS = 60_000

export async function checkRsyncDestination (c: CheckContext): Promise<void> {
  switch (c.dest.kind) {
    case 'local': return await checkLocal(c, c.dest.path)
    case 'ssh': return await checkSsh(c, c.dest)
    case 'rsync-daemon': return await checkDaemon(c, c.dest)
  }
}

async function checkLocal (c: CheckContext, path: string): Promise<void> {
  const abs = resolve(path)
  const what = `local folder ${abs}`
  const st = await stat(abs).catch(() => undefined)
  if (st !== undefined && !st.isDirectory()) throw new TargetError(`${what} exists but is not a directory`)
  const dir = st === undefined ? dirname(abs) : abs
  const ok = await access(dir, constants.W_OK | constants.X_OK).then(() => true, () => false)
  const isDir = dir === abs || (await stat(dir).catch(() => undefined))?.isDirectory() === true
  if (!ok || !isDir) {
    throw new TargetError(st === undefined
      ? `${what} does not exist, and its parent ${dir} is not a writable directory (rsync creates only the last folder)`
      : `${what} is not writable`)
  }
  const run = await tool(c, ['rsync', '--version'], `rsync for ${abs}`)
  if (run.code !== 0) throw rsyncFailure(`rsync for ${abs}`, run, c.secrets)
}

async function checkSsh (c: CheckContext, d: RsyncDestination & { kind: 'ssh' }): Promise<void> {
  const user = d.user ?? c.cfg.ssh.user
  const rsyncPathGiven = c.cfg.rsyncOptions.some(o => o.startsWith('--rsync-path'))
  const what = `ssh to ${c.cfg.destination}`
  let rsh: string[]
  try {
    rsh = remoteShellArgv(c.cfg, c.env)
  } catch (err) {
    throw new TargetError(`${what} failed: RSYNC_RSH cannot be parsed: ${(err as Error).message}`, { cause: err })
  }
  const argv = [...rsh, ...(user === undefined ? [] : ['-l', user]), d.host, remoteCheckScript(d.path, { checkRsync: !rsyncPathGiven })]
  const run = await tool(c, argv, what)
  if (run.code === 0) return
  const failure = run.code === null ? undefined : SCRIPT_FAILURES.get(run.code)
  if (failure === undefined || run.code === null) throw rsyncFailure(what, run, c.secrets, 'ssh')
  const said = run.stderr.split('\n').find(l => l.startsWith('stalk-check: '))?.slice('stalk-check: '.length)
  throw new TargetError(`${what} failed: ${said ?? failure} (remote check exit ${run.code})`,
    { exitCode: run.code, stderr: scrubSecrets(run.stderr, c.secrets) })
}

async function checkDaemon (c: CheckContext, d: RsyncDestination & { kind: 'rsync-daemon' }): Promise<void> {
  const what = `rsync to ${c.cfg.destination}`
  const empty = await mkdtemp(join(tmpdir(), 'stalk-check-'))
  try {
    const dry = dryRunInvocation(c.cfg, d, empty, c.env)
    const run = await tool(c, dry.argv, what)
    if (run.code !== 0) throw rsyncFailure(what, run, c.secrets)
  } finally {
    await rm(empty, { recursive: true, force: true })
  }
  const parent = posix.dirname(d.path.replace(/\/+$/, ''))
  if (parent === '.' || parent === '/' || parent === '') return
  const list = await tool(c, listInvocation(c.cfg, d, parent, c.env).argv, what)
  if (list.code === 23) {
    throw new TargetError(`${what} failed: folder "${parent}" does not exist in module "${d.module}" (rsync creates only the last folder) (exit 23)`,
      { exitCode: 23, stderr: list.stderr })
  }
  if (list.code !== 0) throw rsyncFailure(what, list, c.secrets)
}

function tool (c: CheckContext, argv: readonly string[], what: string): ReturnType<typeof runTargetTool> {
  return runTargetTool(argv, {
    env: childEnv(c.env), signal: c.signal, timeoutMs: Math.min(c.cfg.timeoutMs, CHECK_TIMEOUT_MS),
    log: c.log, what: `check of ${what}`, secrets: c.secrets
  })
}
