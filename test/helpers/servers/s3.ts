/**
 * The S3 server for integration tests: a real Ceph RGW, one per tap run,
 * started by the first test file that asks for it and shared by the others.
 *
 *   const why = s3Unavailable()             // a skip reason (Ceph not installed), or undefined
 *   const s3 = await s3Server(t)            // waits until RGW is ready (~15 s the first time)
 *
 *   s3.endpoint, s3.region, s3.accessKeyId, s3.secretAccessKey
 *   s3.bucket      a bucket every file shares
 *   s3.prefix      "t-<random>/": this call's own key prefix, so parallel files never collide
 *   s3.client      an S3Client (path style, WHEN_REQUIRED checksums) to seed objects; destroyed with t
 *
 * Under `tap` (npm test, or npx tap FILE) the before script
 * (test/global/s3-up.ts) marks the run folder as shared, the keeper serves
 * every file, and the after script (test/global/s3-down.ts) kills Ceph even
 * when tests failed. A file run any other way gets its own cluster, killed
 * when the file's process exits. See s3-run-dir.ts for the files involved.
 */
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { closeSync, existsSync, mkdirSync, openSync, writeFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import type { S3Client } from '@aws-sdk/client-s3'
import { createS3Client } from '../../../backends/s3-client.js'
import type { TeardownOwner } from '../tmp.js'
import { pidAlive } from '../wait-for.js'
import { cephUnavailable } from './ceph.js'
import { isSharedRun, endRun, readText, runDirOf, runFile, type S3Info } from './s3-run-dir.js'

export interface S3TestServer extends S3Info {
  readonly prefix: string
  readonly client: S3Client
}

/** Why S3 tests cannot run here, or undefined when they can. */
export function s3Unavailable (): string | undefined {
  return cephUnavailable()
}

let ready: Promise<S3Info> | undefined

export async function s3Server (t: TeardownOwner): Promise<S3TestServer> {
  const info = await (ready ??= ensureCluster())
  const client = createS3Client({
    endpoint: info.endpoint, region: info.region, maxAttempts: 1,
    credentials: { accessKeyId: info.accessKeyId, secretAccessKey: info.secretAccessKey }
  })
  t.teardown(() => { client.destroy() })
  return { ...info, prefix: `t-${randomBytes(6).toString('hex')}/`, client }
}

async function ensureCluster (): Promise<S3Info> {
  const shared = runDirOf(process.ppid)
  let dir = shared
  let owner = process.ppid
  if (!isSharedRun(shared)) {
    dir = runDirOf(process.pid)
    owner = process.pid
    mkdirSync(dir, { recursive: true })
    process.once('exit', () => { endRun(dir) })
  }
  if (takeLock(dir)) spawnKeeper(dir, owner)
  return await waitForInfo(dir)
}

/** Only one of the run's test files starts the keeper; the others wait for its s3.json. */
function takeLock (dir: string): boolean {
  try {
    closeSync(openSync(runFile(dir, 'keeper.lock'), 'wx'))
    return true
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw err
  }
}

function spawnKeeper (dir: string, owner: number): void {
  const keeper = fileURLToPath(new URL('./ceph-keeper.ts', import.meta.url))
  // The TypeScript loader, not tap's coverage hooks: the keeper is not a test.
  const execArgv = process.execArgv.filter(a => !a.includes('processinfo'))
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TAP') && !k.startsWith('_TAPJS')))
  const log = openSync(runFile(dir, 'keeper.log'), 'a')
  try {
    const child = spawn(process.execPath, [...execArgv, keeper, dir, String(owner)],
      { detached: true, stdio: ['ignore', log, log], env })
    writeFileSync(runFile(dir, 'keeper.pid'), String(child.pid ?? ''))
    child.unref()
  } finally {
    closeSync(log)
  }
}

/** Polls for s3.json; fails at once with the reason when the keeper reported or died. */
async function waitForInfo (dir: string): Promise<S3Info> {
  const deadline = Date.now() + 240_000
  for (;;) {
    const json = readText(runFile(dir, 's3.json'))
    if (json !== '') return JSON.parse(json) as S3Info
    const error = readText(runFile(dir, 'error.txt'))
    if (error !== '') throw new Error(error)
    const pid = Number(readText(runFile(dir, 'keeper.pid')))
    if (pid > 0 && !pidAlive(pid) && !existsSync(runFile(dir, 's3.json'))) {
      throw new Error(`the Ceph keeper (pid ${pid}) exited; its log:\n${readText(runFile(dir, 'keeper.log')).slice(-3000)}`)
    }
    if (Date.now() > deadline) throw new Error(`Ceph RGW not ready after 240 s; see ${dir}`)
    await sleep(200)
  }
}
