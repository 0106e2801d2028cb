/**
 * The folder through which the test files of one tap run share one Ceph RGW:
 * `$TMPDIR/stalk-s3-<owner pid>`, where the owner is the tap runner (the
 * parent of the before/after scripts and of every test file) or, when a file
 * runs outside such a run, that test process itself. Keyed by pid, so two
 * engineers' runs on one machine never share or kill each other's cluster.
 *
 *   shared        marker written by test/global/s3-up.ts: the after script will clean up
 *   keeper.lock   O_EXCL: the one test process that spawns the keeper
 *   keeper.pid    the keeper (ceph-keeper.ts): a session leader, its Ceph daemons in its group
 *   s3.json       S3Info, once the cluster, the user and the bucket exist
 *   error.txt     why the cluster did not start
 *   keeper.log    the keeper's output; ceph/ the cluster's config, keyring and logs
 */
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { pidAlive } from '../wait-for.js'

export interface S3Info {
  readonly endpoint: string
  readonly region: string
  readonly accessKeyId: string
  readonly secretAccessKey: string
  /** Created by the keeper, shared by every file of the run: each file works under its own key prefix. */
  readonly bucket: string
}

const PREFIX = 'stalk-s3-'
export const KEEPER_NAME = 'ceph-keeper'

export function runDirOf (ownerPid: number): string {
  return join(tmpdir(), `${PREFIX}${ownerPid}`)
}

export function runFile (dir: string, name: 'shared' | 'keeper.lock' | 'keeper.pid' | 's3.json' | 'error.txt' | 'keeper.log'): string {
  return join(dir, name)
}

/**
 * Sends `signal` to the keeper, or with `group` to its whole process group
 * (the keeper and its Ceph daemons). The pid is checked to still be a
 * keeper, so a recycled pid is never hit. False when there is no keeper.
 */
export function signalKeeper (dir: string, signal: NodeJS.Signals, group = false): boolean {
  const pid = Number(readText(runFile(dir, 'keeper.pid')))
  if (!Number.isInteger(pid) || pid <= 1 || !readText(`/proc/${pid}/cmdline`).includes(KEEPER_NAME)) return false
  try {
    process.kill(group ? -pid : pid, signal)
    return true
  } catch {
    return false
  }
}

/** For an 'exit' handler (synchronous): SIGTERM makes the keeper kill and reap its daemons. */
export function endRun (dir: string): void {
  signalKeeper(dir, 'SIGTERM')
  removeRun(dir)
}

/** SIGTERM, up to 10 s for the keeper to reap its daemons, then SIGKILL the whole group, as the recipe stops Ceph. */
export async function stopRun (dir: string): Promise<void> {
  const pid = Number(readText(runFile(dir, 'keeper.pid')))
  if (signalKeeper(dir, 'SIGTERM')) {
    const deadline = Date.now() + 10_000
    while (pidAlive(pid) && Date.now() < deadline) await sleep(50)
  }
  signalKeeper(dir, 'SIGKILL', true)
  removeRun(dir)
}

function removeRun (dir: string): void {
  rmSync(dir, { recursive: true, force: true, maxRetries: 3 })
}

/** Cleans up after runs whose owner died without its after script (a killed tap, a crashed test). */
export function sweepStaleRuns (): void {
  for (const name of readdirSync(tmpdir())) {
    const owner = name.startsWith(PREFIX) ? Number(name.slice(PREFIX.length)) : Number.NaN
    if (!Number.isInteger(owner) || owner <= 0 || pidAlive(owner)) continue
    const dir = join(tmpdir(), name)
    // Its keeper should have ended with its owner; one that hangs on is killed outright.
    signalKeeper(dir, 'SIGKILL', true)
    removeRun(dir)
  }
}

export function isSharedRun (dir: string): boolean {
  return existsSync(runFile(dir, 'shared'))
}

export function readText (file: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return ''
  }
}
