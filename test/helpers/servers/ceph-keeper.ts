/**
 * The process that owns one test run's Ceph RGW (see s3-run-dir.ts):
 *
 *   node <loader> ceph-keeper.ts RUN_DIR OWNER_PID
 *
 * Spawned detached (its own session and process group, the Ceph daemons in
 * it) by the first test file that needs S3, so the cluster outlives that
 * file and serves the next ones. It starts the cluster, creates the shared
 * bucket (the first CreateBucket takes ~2.3 s while RGW makes its pools, so
 * it is done once here), writes s3.json (or error.txt), then waits. It ends,
 * SIGKILLing its daemons, on SIGTERM/SIGINT/SIGHUP or as soon as OWNER_PID
 * (the tap runner, or the lone test process) is gone, so even a killed tap
 * leaves no Ceph behind. The after script kills the whole group outright.
 */
import { CreateBucketCommand } from '@aws-sdk/client-s3'
import { renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createS3Client } from '../../../backends/s3-client.js'
import { pidAlive } from '../wait-for.js'
import { CEPH_ACCESS_KEY, CEPH_SECRET_KEY, startCeph, type CephCluster } from './ceph.js'
import { runFile, type S3Info } from './s3-run-dir.js'

const SHARED_BUCKET = 'stalk-it'

let cluster: CephCluster | undefined
let stopping = false

/** Kills and reaps the daemons, then exits; before they exist, ceph.ts's exit handler kills what was spawned. */
function shutdown (): void {
  if (stopping) return
  stopping = true
  void (cluster?.stop() ?? Promise.resolve()).finally(() => process.exit(0))
}

async function main (dir: string, ownerPid: number): Promise<void> {
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.once(sig, shutdown)
  // Polled: the owner is not our parent after the detach.
  setInterval(() => { if (!pidAlive(ownerPid)) shutdown() }, 500)
  const started = Date.now()
  try {
    cluster = await startCeph(join(dir, 'ceph'))
    await createBucket(cluster.endpoint)
  } catch (err) {
    writeAtomically(runFile(dir, 'error.txt'), err instanceof Error ? err.message : String(err))
    process.exit(1)
  }
  const info: S3Info = {
    endpoint: cluster.endpoint, region: 'us-east-1', accessKeyId: CEPH_ACCESS_KEY, secretAccessKey: CEPH_SECRET_KEY,
    bucket: SHARED_BUCKET
  }
  writeAtomically(runFile(dir, 's3.json'), JSON.stringify(info))
  console.log(`ceph-keeper: RGW ready at ${cluster.endpoint} after ${Date.now() - started} ms (daemons ${cluster.pids.join(' ')})`)
}

async function createBucket (endpoint: string): Promise<void> {
  const client = createS3Client({
    endpoint, region: 'us-east-1', credentials: { accessKeyId: CEPH_ACCESS_KEY, secretAccessKey: CEPH_SECRET_KEY }
  })
  try {
    await client.send(new CreateBucketCommand({ Bucket: SHARED_BUCKET }))
  } finally {
    client.destroy()
  }
}

/** Readers poll for the file: they must never see it half written. */
function writeAtomically (file: string, text: string): void {
  writeFileSync(`${file}.tmp`, text)
  renameSync(`${file}.tmp`, file)
}

const [dir, owner] = process.argv.slice(2)
if (dir === undefined || owner === undefined || !/^\d+$/.test(owner)) {
  console.error('usage: ceph-keeper RUN_DIR OWNER_PID')
  process.exit(2)
}
await main(dir, Number(owner))
