/**
 * Temporary folders for tests, under the system temp dir (not the checkout,
 * so servers can put sockets and keys there and the tree stays clean).
 *
 *   const dir = await tmpDir(t)            // removed when t ends
 *   const dir = await tmpDir(undefined)    // the caller removes it
 *
 * The path is canonical (realpath), so it compares equal to what tools report.
 */
import { mkdtemp, realpath, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** Anything with tap's `teardown` (a tap Test satisfies it). */
export interface TeardownOwner {
  teardown: (fn: () => unknown) => void
}

export async function tmpDir (owner: TeardownOwner | undefined, prefix = 'stalk-test-'): Promise<string> {
  const dir = await realpath(await mkdtemp(join(tmpdir(), prefix)))
  owner?.teardown(async () => { await removeTree(dir) })
  return dir
}

/** rm -rf that also works on folders a test made read-only. */
export async function removeTree (dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true, maxRetries: 3 })
}
