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

/** A pull origin: something stalk reads files from. */
export interface Backend {
  /** For logs and status, never with a secret: "s3://bucket/prefix". */
  readonly name: string
  stat(path: string, o?: CallOptions): Promise<RemoteMeta | undefined>
  list?(dir: string, o?: CallOptions): AsyncIterable<{ name: string; type: 'file' | 'dir'; meta: RemoteMeta }>
  fetch(path: string, destFile: string, o?: CallOptions & { ifNoneMatch?: Validator }): Promise<FetchResult>
  readRange?(path: string, offset: number, length: number, o?: CallOptions): Promise<Buffer>
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
