/**
 * Mounts an FsOps for real (kernel, /dev/fuse) through the adapter, for
 * end-to-end tests, and makes sure no mount outlives the test: teardown
 * unmounts, and if the adapter's unmount fails or leaves the mount in place
 * (busy, or a dead daemon), `fusermount -uz` detaches it lazily.
 * test/run.sh also runs the suite in a private mount namespace, so even a
 * crashed test process leaves nothing behind on the host.
 *
 * The ops run on the test's own JS thread: touch the mountpoint only with
 * async calls (fs/promises, child processes). A sync call such as
 * readFileSync blocks the one thread that would answer it, and hangs.
 */
import { existsSync, mkdtempSync, realpathSync, rmdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Test } from 'tap'
import { mountFs, type MountHandle, type MountOptions } from '../../src/fuse/adapter.js'
import type { FsOps } from '../../src/fuse/fs-ops.js'
import { silentLogger } from '../../src/logger.js'
import { fusermountUnmount } from '../../src/mount/fusermount.js'
import { findMount } from '../../src/mount/mountinfo.js'

export interface MountedFs {
  readonly mountpoint: string
  /** Unmounts now; safe to call more than once (teardown calls it again). */
  unmount(): Promise<void>
}

export interface MountFsOpsOptions {
  /** An existing empty directory; default: a fresh one under os.tmpdir(), removed after unmount. */
  readonly mountpoint?: string
  readonly options?: Partial<MountOptions>
}

/**
 * Test defaults: no kernel attribute or entry caching, so every stat reaches
 * the ops under test; a 30 s op time limit so a hung op fails its test with
 * ETIMEDOUT instead of hanging it.
 */
const testDefaults: MountOptions = {
  fsname: 'stalk-test',
  allowOther: false,
  opTimeoutMs: 30_000,
  attrTimeoutS: 0,
  entryTimeoutS: 0,
  autoCache: false,
  log: silentLogger,
  traceOps: false
}

/** Whether this machine can mount FUSE at all: tests skip with this reason instead of failing. */
export function fuseUnavailable (): string | false {
  return existsSync('/dev/fuse') ? false : 'no /dev/fuse on this machine'
}

async function detach (handle: MountHandle | undefined, mountpoint: string, removeDir: boolean): Promise<void> {
  if (handle) {
    try { await handle.unmount() } catch { /* the lazy unmount below covers it */ }
  }
  if (findMount(mountpoint) !== undefined) await fusermountUnmount(mountpoint)
  if (removeDir && findMount(mountpoint) === undefined) rmdirSync(mountpoint)
}

export async function mountFsOps (t: Test, ops: FsOps, o: MountFsOpsOptions = {}): Promise<MountedFs> {
  const ours = o.mountpoint === undefined
  // mountinfo lists resolved paths, and the check for a leftover mount compares against it.
  const mountpoint = realpathSync(o.mountpoint ?? mkdtempSync(join(tmpdir(), 'stalk-mnt-')))
  let handle: MountHandle | undefined
  let done: Promise<void> | undefined
  const unmount = (): Promise<void> => (done ??= detach(handle, mountpoint, ours))
  // Registered before mounting: a mount that failed half-way is cleaned up too.
  t.teardown(unmount)
  handle = await mountFs(ops, mountpoint, { ...testDefaults, ...o.options })
  return { mountpoint, unmount }
}
