/**
 * mount(8) finds helpers in /sbin only (not on PATH), so tests of
 * `mount -t fuse.stalk` install this checkout's mount.fuse.stalk there for
 * their duration and put back what was there before:
 *
 *   const skip = await useSystemHelper(t)   // a reason to skip, or false
 *
 * Test files run in parallel and /sbin is shared, so a lock file serialises
 * them; a helper some other package installed there is never touched.
 */
import { open, readFile, rm, writeFile, chmod } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Test } from 'tap'
import { HELPER_NAME, installHelper, isOurHelper } from '../../fstab-helper/install-helper.js'
import { pidAlive } from './wait-for.js'

export const SYSTEM_HELPER = join('/sbin', HELPER_NAME)

const LOCK = join(tmpdir(), 'stalk-system-helper.lock')

/** Installs the helper into /sbin until `t` ends; returns why the test must skip, or false. */
export async function useSystemHelper (t: Test): Promise<string | false> {
  if (process.getuid?.() !== 0) return 'mount(8) runs helpers from /sbin only: installing one there needs root'
  // Read under the lock: what another test file installed for itself is not what was there before.
  await lock()
  const before = await readFile(SYSTEM_HELPER, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined
    throw err
  })
  if (before !== undefined && !isOurHelper(before)) {
    await rm(LOCK, { force: true })
    return `${SYSTEM_HELPER} belongs to another package; not replacing it for a test`
  }
  t.teardown(async () => {
    try {
      if (before === undefined) await rm(SYSTEM_HELPER, { force: true })
      else { await writeFile(SYSTEM_HELPER, before); await chmod(SYSTEM_HELPER, 0o755) }
    } finally {
      await rm(LOCK, { force: true })
    }
  })
  await installHelper({ prefix: '/sbin' })
  return false
}

/** Waits for the lock; one left by a test process that died is taken over. */
async function lock (): Promise<void> {
  const deadline = Date.now() + 300_000
  for (;;) {
    try {
      const f = await open(LOCK, 'wx')
      await f.writeFile(String(process.pid))
      await f.close()
      return
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    }
    const holder = Number(await readFile(LOCK, 'utf8').catch(() => ''))
    if (Number.isInteger(holder) && holder > 0 && !pidAlive(holder)) await rm(LOCK, { force: true })
    else if (Date.now() > deadline) throw new Error(`${LOCK} held by process ${holder} for 5 minutes`)
    else await sleep(200)
  }
}
