/**
 * The container's health check: `node dist/etc/container/health.js` exits
 * 0 only while the entrypoint's mount is live and answering, 1 (with the
 * reason on stderr) otherwise. It reads the same environment as the
 * entrypoint (STALK_READY_FILE, STALK_MOUNTPOINT), so a probe needs no
 * arguments. Kubernetes probes and `docker run --health-cmd` run it.
 */
import { mountHealth } from './ready-file.js'

const env = process.env
const file = env['STALK_READY_FILE'] !== undefined && env['STALK_READY_FILE'] !== '' ? env['STALK_READY_FILE'] : '/run/stalk/ready'
const mountpoint = env['STALK_MOUNTPOINT'] !== undefined && env['STALK_MOUNTPOINT'] !== '' ? env['STALK_MOUNTPOINT'] : undefined

mountHealth(file, mountpoint).then(why => {
  if (why === undefined) {
    process.stdout.write('ok\n')
    process.exit(0)
  }
  process.stderr.write(`stalk health: ${why}\n`)
  // exit() at once: a statfs stuck on a hung mount must not keep the probe alive
  process.exit(1)
}, (err: unknown) => {
  process.stderr.write(`stalk health: ${err instanceof Error ? err.message : String(err)}\n`)
  process.exit(1)
})
