import { stat } from 'node:fs/promises'
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

async function isDead (mountpoint: string): Promise<boolean> {
  try { await stat(mountpoint); return false } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOTCONN'
  }
}
