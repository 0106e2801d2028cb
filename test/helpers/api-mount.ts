/**
 * Folders and teardown for tests of the Node API (src/index.ts), whose
 * mounts run inside the test process:
 *
 *   const d = await apiDirs(t)                       // root, mnt, target, state under one temp folder
 *   const m = keep(d, await mount(pushObject(d), d.mnt, { log: silentLogger }))
 *
 * Teardown (registered before the folder's removal, so it runs first)
 * unmounts every kept handle and then detaches whatever is still mounted
 * at mnt with `fusermount -uz`, also after a failed assertion.
 *
 * The mount answers on this process's JS thread: touch it only with async
 * calls (fs/promises, child processes); a sync call on it never returns.
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Test } from 'tap'
import type { StalkMount } from '../../src/api/stalk-mount.js'
import type { ConfigObject } from '../../src/config/config-object.js'
import { fusermountUnmount } from '../../src/mount/fusermount.js'
import { findMount } from '../../src/mount/mountinfo.js'
import { tmpDir } from './tmp.js'

export interface ApiDirs {
  readonly base: string
  readonly root: string
  readonly mnt: string
  readonly target: string
  readonly state: string
  readonly handles: Set<StalkMount>
}

export async function apiDirs (t: Test, prefix = 'stalk-api-'): Promise<ApiDirs> {
  const base = await tmpDir(t, prefix)
  const d: ApiDirs = { base, root: join(base, 'root'), mnt: join(base, 'mnt'), target: join(base, 'target'), state: join(base, 'state'), handles: new Set() }
  for (const dir of [d.root, d.mnt, d.target]) await mkdir(dir)
  t.teardown(() => cleanUp(d))
  return d
}

/** Registers `m` for teardown and returns it. */
export function keep (d: ApiDirs, m: StalkMount): StalkMount {
  d.handles.add(m)
  return m
}

/** A push config with one local target and a quiet time long enough that only sync() or unmount() delivers. */
export function pushObject (d: ApiDirs, global: ConfigObject['global'] = {}): ConfigObject {
  return {
    global: { root: d.root, state_dir: d.state, timeout: '10m', retry_min: '500ms', retry_max: '2s', shutdown_grace: '10s', ...global },
    targets: { local: d.target }
  }
}

/** Never throws: a throwing teardown would make tap skip the ones after it. */
async function cleanUp (d: ApiDirs): Promise<void> {
  for (const m of d.handles) await m.unmount().catch(() => {})
  if (findMount(d.mnt) !== undefined) await fusermountUnmount(d.mnt).catch(() => {})
}
