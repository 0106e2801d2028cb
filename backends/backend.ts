/**
 * The contracts between stalk's core and its storage backends. The core
 * (src/) depends only on this file; backends/registry.ts picks the concrete
 * implementation from an origin or target string.
 */

/** What a remote store says about one object. */
export interface RemoteMeta { size: number; mtimeMs: number; etag?: string }

/** A cheap fingerprint to revalidate a cached copy. */
export type Validator = { etag: string } | { size: number; mtimeMs: number }

export type FetchResult = { status: 'fetched'; meta: RemoteMeta } | { status: 'not-modified' }

export interface CallOptions { signal?: AbortSignal }

/** One name in a folder, as Backend.list gives it. */
export interface ListEntry {
  /** The name as the server spelled it: not yet checked to be a safe local file name. */
  readonly name: string
  readonly type: 'file' | 'dir'
  /** A folder's size is whatever the server says (0 where it has none, as for S3 prefixes). */
  readonly meta: RemoteMeta
  /** The entry's path within the backend: fetch() it (a file) or list() it (a folder; it ends in '/'). */
  readonly path: string
}

/**
 * A pull origin: a remote store stalk reads files from. One Backend serves
 * every file of one store (an HTTP host, an S3 bucket, an sshd, an rsync
 * daemon), so connections are pooled across files; `path` is the object's
 * path within it, as backends/origin-registry.ts split it from the origin
 * string (e.g. "/dir/file" for https://host/dir/file, "key" for
 * s3://bucket/key).
 *
 * Failures throw BackendError (src/errors.ts) with a kind: not-found,
 * forbidden (credentials refused), unavailable (unreachable, 5xx, refused
 * connection), timeout, precondition-failed, invalid. The message says what
 * the server said, never a secret. Every call honours its AbortSignal.
 */
export interface Backend {
  /** For logs and status, never with a secret: "s3://bucket", "https://host:8443". */
  readonly name: string
  /** Size, mtime, etag of `path`; undefined when it does not exist. Never downloads content. */
  stat(path: string, o?: CallOptions): Promise<RemoteMeta | undefined>
  /**
   * The entries directly in folder `dir` (a path ending in '/', or '' for
   * the top of a bucket, module or login folder), without recursing, as they
   * arrive: a caller can store a huge folder without holding it all. Symlinks
   * are followed; anything neither file nor folder is left out. A folder that
   * does not exist is not-found where the store can tell (S3 cannot: it lists
   * nothing).
   */
  list?(dir: string, o?: CallOptions): AsyncIterable<ListEntry>
  /**
   * Downloads `path` into `destFile` (created or truncated; the caller owns
   * the temp name and the rename into place). With `ifNoneMatch` and an
   * unchanged object it answers not-modified and leaves destFile alone.
   */
  fetch(path: string, destFile: string, o?: CallOptions & { ifNoneMatch?: Validator }): Promise<FetchResult>
  readRange?(path: string, offset: number, length: number, o?: CallOptions): Promise<Buffer>
  /** Preflight: reachable and credentials accepted (stem check, mount). */
  check?(o?: CallOptions): Promise<void>
  close(): Promise<void>
}

/** The outcome of one target in one sync round. */
export interface TargetResult {
  readonly target: string
  readonly ok: boolean
  readonly durationMs: number
  /** Why it failed, as the tool said it (rsync's exit code and stderr): never a secret. */
  readonly error?: string
}

/**
 * A push destination. `mirror` makes the destination identical to `root`
 * (new and changed files copied, deleted ones removed) and resolves only when
 * that is done; it rejects with a TargetError when it is not. It reads `root`
 * directly, never the mountpoint, so it cannot deadlock on stalk itself.
 */
export interface Target {
  /** The label from `[target]` (e.g. "us-west-2"). */
  readonly label: string
  /** The destination for logs, without secrets: "host1:/var/lib/nginx/yum". */
  readonly destination: string
  mirror(root: string, changed: ReadonlySet<string> | 'all', o: { signal: AbortSignal }): Promise<void>
  /** Preflight: reachable, writable, credentials accepted. Rejects with the real reason. */
  check(o?: CallOptions): Promise<void>
  close(): Promise<void>
}

/** A failed delivery, with what the remote tool reported. */
export class TargetError extends Error {
  readonly exitCode: number | undefined
  readonly stderr: string
  constructor (message: string, o: { exitCode?: number; stderr?: string; cause?: unknown } = {}) {
    super(message, { cause: o.cause })
    this.name = 'TargetError'
    this.exitCode = o.exitCode
    this.stderr = o.stderr ?? ''
  }
}
