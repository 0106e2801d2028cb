/**
 * The tree every target conformance run mirrors, and the changes it makes
 * between two mirrors. It holds what trips mirrors up: nested and empty
 * folders, a symlink and a dangling one, a hard link pair, a name with
 * spaces and non-ASCII letters, a 5 MiB incompressible file, odd modes, and
 * sub-second mtimes.
 */
import { randomBytes } from 'node:crypto'
import { chmod, link, mkdir, rename, rm, rmdir, symlink, unlink, utimes, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

export const BIG_FILE = 'big.bin'
export const BIG_FILE_BYTES = 5 * 1024 * 1024
export const ODD_NAME = 'with space and ünïcødé ✓.txt'

/** A past time with a fractional second, so that nanosecond handling shows. */
const T0 = 1_600_000_000.25

export async function buildSampleTree (root: string): Promise<void> {
  await mkdir(join(root, 'dir/nested/deep'), { recursive: true })
  await mkdir(join(root, 'empty'))
  await mkdir(join(root, 'private'), { mode: 0o700 })
  await writeFile(join(root, 'dir/nested/deep/file.txt'), 'deep content\n')
  await writeFile(join(root, 'dir/keep.txt'), 'kept\n')
  await writeFile(join(root, ODD_NAME), 'odd name\n')
  await writeFile(join(root, 'private/secret.txt'), 'mode 600\n', { mode: 0o600 })
  await writeFile(join(root, 'run.sh'), '#!/bin/sh\necho hi\n')
  await chmod(join(root, 'run.sh'), 0o755)
  await writeFile(join(root, 'same-size.txt'), 'aaaa')
  await utimes(join(root, 'same-size.txt'), T0, T0)
  await writeFile(join(root, 'hard-a'), 'two names, one inode\n')
  await link(join(root, 'hard-a'), join(root, 'dir/hard-b'))
  await symlink('dir/nested/deep/file.txt', join(root, 'link-to-file'))
  await symlink('does/not/exist', join(root, 'dangling'))
  await writeFile(join(root, BIG_FILE), randomBytes(BIG_FILE_BYTES))
  await utimes(join(root, 'dir/keep.txt'), T0, T0)
}

/**
 * Modify, delete, rename, add; one rewrite keeps the size and moves the mtime
 * by less than a second, which a whole-second comparison would miss.
 */
export async function changeSampleTree (root: string): Promise<void> {
  await writeFile(join(root, 'dir/nested/deep/file.txt'), 'deep content, longer now\n')
  await writeFile(join(root, 'same-size.txt'), 'bbbb')
  await utimes(join(root, 'same-size.txt'), T0 + 0.5, T0 + 0.5)
  await unlink(join(root, 'dir/keep.txt'))
  await rename(join(root, ODD_NAME), join(root, `renamed ${ODD_NAME}`))
  await rename(join(root, 'dir/nested'), join(root, 'dir/moved'))
  await rmdir(join(root, 'empty'))
  await mkdir(join(root, 'new-empty'))
  await writeFile(join(root, 'new-empty-sibling.txt'), 'added\n')
  await chmod(join(root, 'run.sh'), 0o700)
  await unlink(join(root, 'dir/hard-b'))
  await rm(join(root, 'dangling'))
  await symlink('hard-a', join(root, 'dangling'))
}
