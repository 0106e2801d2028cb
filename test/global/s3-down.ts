/**
 * tap's `after` script (package.json tap.after): runs once when every test
 * file has ended, passed or failed. It stops this run's Ceph RGW: SIGTERM
 * to the keeper, which SIGKILLs and reaps its daemons (memstore keeps
 * nothing worth a graceful stop), then SIGKILL to the keeper's whole process
 * group in case it hung; and removes the run folder. Like the before script,
 * it must never fail.
 */
import { runDirOf, stopRun } from '../helpers/servers/s3-run-dir.js'

try {
  await stopRun(runDirOf(process.ppid))
} catch (err) {
  console.error(`test/global/s3-down.ts: ${err instanceof Error ? err.message : String(err)}`)
}
