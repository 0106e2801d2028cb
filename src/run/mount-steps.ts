/**
 * The steps of a mount's life that the daemon (run-mount.ts) and the Node
 * API (src/api/mount.ts) share, so both mount with the same FUSE options,
 * refuse the same root/mountpoint layouts and detach the same way.
 */
import { realpath } from 'node:fs/promises'
import { resolve, sep } from 'node:path'
import type { StalkConfig } from '../config/types.js'
import { describe } from '../errors.js'
import { StemError } from '../exit-codes.js'
import type { MountHandle, MountOptions } from '../fuse/adapter.js'
import type { Logger } from '../logger.js'
import { fusermountUnmount } from '../mount/fusermount.js'
import { findMount } from '../mount/mountinfo.js'

export interface MountFlags {
  /** The device name `mount` shows (stem -n). */
  readonly name: string
  readonly allowOther: boolean
  /** One debug line per FUSE op (stem -d). */
  readonly traceOps: boolean
  readonly log: Logger
}

/** The FUSE options of a mount of `config`'s mode. */
export function fuseOptionsFor (config: StalkConfig, f: MountFlags): MountOptions {
  const common = { fsname: f.name, allowOther: f.allowOther, entryTimeoutS: 1, log: f.log, traceOps: f.traceOps }
  return config.mode === 'pull'
    // Each open says whether it keeps the page cache (page-cache-policy.ts; auto_cache would
    // override that), and attributes are never cached: a new version's size is seen at the
    // next stat or read past the old end, never a second later (the fstat and read-past-EOF
    // checks go to fgetattr, a local fstat, so warm reads still cost no request)
    ? { ...common, attrTimeoutS: 0, opTimeoutMs: config.opTimeoutMs, autoCache: false }
    // local disk answers in microseconds: no per-op timer (measured -8% on reads)
    : { ...common, attrTimeoutS: 1, opTimeoutMs: false, autoCache: false }
}

/** Detaches the mount; when libfuse cannot, falls back to a lazy `fusermount -uz`. Never throws. */
export async function unmountQuietly (handle: MountHandle, mountpoint: string, log: Logger): Promise<void> {
  try { await handle.unmount() } catch (err) {
    log.warn({ err: describe(err) }, 'unmount failed; detaching lazily')
    if (findMount(mountpoint)) await fusermountUnmount(mountpoint).catch(e => log.error({ err: describe(e) }, 'lazy unmount failed'))
  }
}

/** The mount would hide root (or loop into itself) if one contained the other. */
export function checkRootVsMountpoint (root: string, mountpoint: string): void {
  const inside = (a: string, b: string): boolean => a === b || a.startsWith(b.endsWith(sep) ? b : b + sep)
  if (inside(root, mountpoint) || inside(mountpoint, root)) {
    throw new StemError('rootIsMountpoint', root === mountpoint
      ? `root ${root} is the mountpoint itself; mount somewhere else`
      : `root ${root} and mountpoint ${mountpoint} are nested; they must be separate folders`)
  }
}

/** Absolute with symlinks resolved (as mountinfo lists it); as given when it does not exist. */
export async function canonical (p: string): Promise<string> {
  const abs = resolve(p)
  try { return await realpath(abs) } catch { return abs }
}
