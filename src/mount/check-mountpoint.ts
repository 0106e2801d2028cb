import { stat, statfs } from 'node:fs/promises'
import { StemError } from '../exit-codes.js'
import type { Logger } from '../logger.js'
import { fusermountUnmount } from './fusermount.js'
import { findMount } from './mountinfo.js'

/**
 * Makes sure `mountpoint` can take a new mount: it exists and is a
 * directory, and nothing is mounted there. A dead FUSE mount left by a
 * crashed daemon ("Transport endpoint is not connected") is cleaned up
 * first, so a crash never blocks the next mount.
 */
export async function checkMountpoint (mountpoint: string, log: Logger): Promise<void> {
  const existing = findMount(mountpoint)
  if (existing) {
    if (await isDead(mountpoint)) {
      log.warn({ mountpoint, fstype: existing.fstype }, 'cleaning up a dead mount left behind')
      await fusermountUnmount(mountpoint)
    } else {
      throw new StemError('mountpointBusy', `${mountpoint} is already mounted (${existing.fstype} from ${existing.source}); unmount it first`)
    }
  }
  let st
  try { st = await stat(mountpoint) } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new StemError('mountpointNotDirectory', `mountpoint ${mountpoint} ${code === 'ENOENT' ? 'does not exist' : `cannot be used: ${code ?? String(err)}`}`)
  }
  if (!st.isDirectory()) throw new StemError('mountpointNotDirectory', `mountpoint ${mountpoint} is not a directory`)
}

/**
 * statfs, not stat: the kernel answers stat of the mount's root from its
 * attribute cache for a while after the daemon died, so a stat right after a
 * crash succeeds and the dead mount looked busy. statfs is never cached and
 * always reaches the (dead) connection.
 */
async function isDead (mountpoint: string): Promise<boolean> {
  try { await statfs(mountpoint); return false } catch (err) {
    // ECONNABORTED: the connection was aborted (daemon killed while requests were in flight).
    const code = (err as NodeJS.ErrnoException).code
    return code === 'ENOTCONN' || code === 'ECONNABORTED'
  }
}
