/**
 * Which stalk mounts `stem status` and `stem sync` talk to: the fuse.stalk
 * entries of mountinfo mounted by this user, and the canonical path of a
 * mountpoint given on the command line. Both are found without touching
 * the mounts themselves, so a dead or hung daemon cannot hang the lookup.
 */
import { realpath } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import { findMount, parseMountinfo, type MountEntry } from '../mount/mountinfo.js'
import { readFileSync } from 'node:fs'

export const STALK_FSTYPE = 'fuse.stalk'

/** The uid in FUSE's "user_id=N" superblock option, or undefined. */
export function mountOwner (e: MountEntry): number | undefined {
  const m = /(?:^|,)user_id=(\d+)(?:,|$)/.exec(e.superOptions)
  return m?.[1] === undefined ? undefined : Number(m[1])
}

/** Every stalk mount of `uid` (default: ours), in mount order; a path mounted twice is listed once. */
export function stalkMounts (uid = process.getuid?.() ?? -1, file = '/proc/self/mountinfo'): string[] {
  const entries = parseMountinfo(readFileSync(file, 'utf8'))
  const out: string[] = []
  for (const e of entries) {
    if (e.fstype !== STALK_FSTYPE || mountOwner(e) !== uid || out.includes(e.mountpoint)) continue
    out.push(e.mountpoint)
  }
  return out
}

/**
 * The canonical mountpoint for `arg`, as the daemon hashed it. The parent is
 * resolved, not the mountpoint: realpath of a dead mount fails (ENOTCONN)
 * and of a live one asks the daemon. Only a path that is not a mountpoint
 * at all (a symlink to one, say) is resolved in full.
 */
export async function resolveMountpoint (arg: string): Promise<string> {
  const abs = resolve(arg)
  const parent = await realpath(dirname(abs)).catch(() => dirname(abs))
  const direct = abs === '/' ? abs : join(parent, basename(abs))
  if (findMount(direct) !== undefined) return direct
  return await realpath(abs).catch(() => direct)
}
