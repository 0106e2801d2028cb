/**
 * What a mirror into an object or file store needs from that store, so that
 * one engine (remote-target.ts) serves S3 (s3-store.ts) and SFTP
 * (sftp-store.ts). Paths are relative to the destination ("dir/file.txt",
 * '/'-separated, never "." or a leading '/').
 *
 * A store reports what it cannot hold in `caps`: S3 has no folders,
 * symlinks or permission bits, so the engine never asks it for them.
 * Failures are BackendErrors (src/errors.ts) naming the request and the
 * remote path; a local file that vanished or changed while being read is a
 * LocalChanged, which the engine skips (the journal has that change already).
 */
export type EntryType = 'file' | 'dir' | 'symlink'

/** How a store tells versions of a file apart: S3's ETag, or size and mtime (SFTP has no hash). */
export type RemoteVersion =
  | { readonly size: number; readonly etag: string }
  | { readonly size: number; readonly mtimeMs: number }

export interface RemoteEntry {
  readonly type: EntryType
  /** Files only. */
  readonly version?: RemoteVersion
  /** Permission bits, on stores with modes. */
  readonly mode?: number
  /** Symlinks only. */
  readonly target?: string
}

/** A regular file of root, as lstat saw it just before the transfer. */
export interface LocalFile {
  readonly abs: string
  readonly size: number
  readonly mtimeMs: number
  readonly mode: number
}

export interface StoreCaps {
  readonly dirs: boolean
  readonly symlinks: boolean
  readonly modes: boolean
}

export interface RemoteStore {
  /** For logs, messages and the state file: "s3://bucket/prefix/ at http://host:port", never a secret. */
  readonly name: string
  readonly caps: StoreCaps
  /** Every entry under the destination, recursively; empty when the destination does not exist yet. */
  list(signal: AbortSignal): Promise<Map<string, RemoteEntry>>
  /** The entry at `path` (symlinks not followed), or undefined. */
  stat(path: string, signal: AbortSignal): Promise<RemoteEntry | undefined>
  /** Makes sure the destination itself exists (and has root's mode, where the store keeps modes). */
  prepare(rootMode: number, signal: AbortSignal): Promise<void>
  /** Stores the file under `path`, never leaving it half-written there; the version it now has. */
  upload(path: string, file: LocalFile, signal: AbortSignal): Promise<RemoteVersion>
  /** Whether `version` holds this file's content (so it can be adopted without an upload). */
  sameContent(file: LocalFile, version: RemoteVersion, signal: AbortSignal): Promise<boolean>
  /** Removes the entry (a folder with everything in it); a missing one is not an error. */
  remove(path: string, type: EntryType, signal: AbortSignal): Promise<void>
  /** Moves the entry at `path` to `to` (a conflict copy). */
  moveAside(path: string, to: string, type: EntryType, signal: AbortSignal): Promise<void>
  mkdir(path: string, mode: number, signal: AbortSignal): Promise<void>
  chmod(path: string, mode: number, signal: AbortSignal): Promise<void>
  symlink(path: string, target: string, signal: AbortSignal): Promise<void>
  /** Reachable, credentials accepted, destination readable and writable (a probe is written and removed). */
  check(signal: AbortSignal): Promise<void>
  close(): Promise<void>
}

/** A local file that vanished or changed size while it was read: skipped this round, delivered by the next. */
export class LocalChanged extends Error {
  constructor (message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'LocalChanged'
  }
}

export function sameVersion (a: RemoteVersion | undefined, b: RemoteVersion | undefined): boolean {
  if (a === undefined || b === undefined || a.size !== b.size) return false
  if ('etag' in a && 'etag' in b) return a.etag === b.etag
  if ('mtimeMs' in a && 'mtimeMs' in b) return a.mtimeMs === b.mtimeMs
  return false
}

/** Whether `err` is the local file `abs` missing (deleted from root since the walk). */
export function isLocalMissing (err: unknown, abs: string): boolean {
  const e = err as { code?: unknown; path?: unknown } | null
  return typeof e === 'object' && e !== null && e.code === 'ENOENT' && e.path === abs
}
