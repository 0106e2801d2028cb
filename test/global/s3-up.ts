/**
 * tap's `before` script (package.json tap.before): runs once per tap run,
 * before any test file. It only prepares: it marks this run's folder as
 * shared, so the first test file that calls s3Server(t) starts one Ceph RGW
 * for all of them, and it cleans up after earlier runs that were killed.
 * Ceph itself starts lazily, so a run without S3 tests does not pay its
 * ~13 s and ~0.7 GB. It must never fail: a failing before script ends the
 * whole tap run.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { runDirOf, runFile, sweepStaleRuns } from '../helpers/servers/s3-run-dir.js'

try {
  sweepStaleRuns()
  // Our parent is the tap runner, which is also the parent of every test file and of the after script.
  const dir = runDirOf(process.ppid)
  mkdirSync(dir, { recursive: true })
  writeFileSync(runFile(dir, 'shared'), `tap runner ${process.ppid}\n`)
} catch (err) {
  console.error(`test/global/s3-up.ts: ${err instanceof Error ? err.message : String(err)} (S3 tests will start their own Ceph)`)
}
