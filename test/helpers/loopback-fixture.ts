/**
 * A loopback over a fresh temp root for one test, recording every onChange
 * call and every error logged. The root lives in os.tmpdir() (ext4 or tmpfs
 * on Linux: both keep user.* xattrs and sparse files) and is removed in
 * teardown.
 */
import { setAttributeSync } from '@napi-rs/xattr'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Test } from 'tap'
import type { Caller } from '../../src/fuse/fs-ops.js'
import type { Logger, LogFn } from '../../src/logger.js'
import { createLoopbackFs, type LoopbackFs } from '../../src/push/loopback-fs.js'

export interface LoopbackFixture {
  readonly root: string
  readonly fs: LoopbackFs
  /** onChange arguments in call order; tests splice it to look at one step at a time. */
  readonly changes: string[]
  /** Messages logged at error level. */
  readonly errors: string[]
  /** The test process itself as the caller: on a root run, uid 0, so nothing is chowned. */
  readonly me: Caller
  /** root + a mount path. */
  at(path: string): string
  /** Returns and clears the changes so far. */
  takeChanges(): string[]
}

function recordingLogger (errors: string[]): Logger {
  const noop: LogFn = () => {}
  const error: LogFn = (a: string | Record<string, unknown>, msg?: string) => {
    errors.push(typeof a === 'string' ? a : `${msg ?? ''} ${JSON.stringify(a)}`)
  }
  const log: Logger = { error, warn: noop, info: noop, debug: noop, trace: noop, child: () => log }
  return log
}

export function loopbackFixture (t: Test, onChange?: (rel: string) => void): LoopbackFixture {
  const root = mkdtempSync(join(tmpdir(), 'stalk-loopback-'))
  t.teardown(() => rmSync(root, { recursive: true, force: true }))
  const changes: string[] = []
  const errors: string[] = []
  const fs = createLoopbackFs({
    root,
    onChange: rel => { changes.push(rel); onChange?.(rel) },
    log: recordingLogger(errors)
  })
  return {
    root,
    fs,
    changes,
    errors,
    me: { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0, pid: process.pid },
    at: path => root + path,
    takeChanges: () => changes.splice(0)
  }
}

/** The `code` of what `fn` throws or rejects with (undefined if it succeeds), for t.equal on errno names. */
export async function codeOf (fn: () => unknown): Promise<string | undefined> {
  try {
    await fn()
    return undefined
  } catch (err) {
    return (err as { code?: string }).code
  }
}

/**
 * A skip reason when the temp dir's filesystem keeps no user.* xattrs (ext4,
 * xfs, btrfs and tmpfs since Linux 6.6 do), so such a machine says so
 * instead of failing.
 */
export function userXattrsUnsupported (): string | false {
  const dir = mkdtempSync(join(tmpdir(), 'stalk-xattr-probe-'))
  try {
    writeFileSync(join(dir, 'p'), '')
    setAttributeSync(join(dir, 'p'), 'user.probe', '1')
    return false
  } catch {
    return `no user.* xattrs on ${tmpdir()}`
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
