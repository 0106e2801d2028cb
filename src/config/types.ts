/**
 * The typed, immutable result of loading a config file. The INI loader
 * (load-config.ts) produces these; everything else reads only these types.
 * Durations are milliseconds, paths are absolute.
 */

/** How to reach a host over ssh (for rsync `host:/path` and later sftp). */
export interface SshSettings {
  /** The ssh program (default "ssh"). */
  readonly command: string
  readonly port?: number
  readonly user?: string
  readonly identityFile?: string
  readonly knownHostsFile?: string
  /** Extra `-o Key=Value` options, e.g. ["ConnectTimeout=10"]. */
  readonly options: readonly string[]
}

export interface TargetConfig {
  /** The key in [target]: "us-west-2". */
  readonly label: string
  /** The value in [target], as written: "host1:/var/lib/nginx/yum". */
  readonly destination: string
  readonly ssh: SshSettings
  /** Extra rsync arguments, appended after stalk's own (-aH --delete). */
  readonly rsyncOptions: readonly string[]
  /** For rsync:// destinations that need a password (mode 0600 file). */
  readonly passwordFile?: string
  /** Time limit for one delivery. */
  readonly timeoutMs: number
  /**
   * s3:// and sftp:// targets: their store keys (endpoint, region, path_style,
   * access_key_id, secret_access_key, session_token, checksums, key_passphrase,
   * strict_host_key_checking), own over [global], secrets already read from
   * `<key>_file` or STALK_TARGET_<LABEL>_<KEY>.
   */
  readonly storeOptions?: ReadonlyMap<string, string>
  /** s3:// and sftp:// targets: what to do with a file changed in the store since stalk delivered it. */
  readonly onConflict?: 'keep' | 'stop' | 'overwrite'
  /** s3:// and sftp:// targets: files (and S3 parts) in flight at once. */
  readonly uploadConcurrency?: number
  /** s3:// and sftp:// targets: where they keep what they delivered (the journal's folder). */
  readonly stateDir?: string
}

export interface PluginConfig {
  /** The section it came from: "plugin" or "plugin:NAME". */
  readonly section: string
  /** `name` as written: "command_plugin", "command", "./my-plugin.js", "stalk-plugin-x". */
  readonly name: string
  /** The section's own keys except `name` (never keys inherited from [DEFAULT]), in file order. */
  readonly options: ReadonlyMap<string, string>
}

export interface LogSettings {
  /** The `log` file from [global]; absent means no file log. */
  readonly file?: string
  /** Rotate the file when it passes this size. */
  readonly maxBytes: number
  /** Rotated files kept. */
  readonly keep: number
}

export interface PushConfig {
  readonly mode: 'push'
  /** The config file, absolute. */
  readonly file: string
  readonly root: string
  /** Quiet time before a sync round ([global] timeout; default 100 s). */
  readonly quietMs: number
  /** A round starts no later than this after the first unsynced change. */
  readonly maxWaitMs: number
  /** Retry backoff for a failed target: first delay, cap. */
  readonly retryMinMs: number
  readonly retryMaxMs: number
  /** Time limit for the final round at SIGTERM / umount. */
  readonly shutdownGraceMs: number
  /** Mount even when a target fails its preflight check (changes wait in the journal). */
  readonly lazy: boolean
  /** Where the journal of pending changes lives. */
  readonly stateDir: string
  readonly log: LogSettings
  readonly plugins: readonly PluginConfig[]
  readonly targets: readonly TargetConfig[]
  /** Things the loader ignored (unknown keys or sections), one line each, for the log. */
  readonly warnings: readonly string[]
}

export interface PullFileConfig {
  readonly section: string
  /** The file name in the mount: a plain name, no '/' and no '..'. */
  readonly name: string
  readonly origin: string
  readonly cachetimeMs: number
  /** Only for a directory origin (one ending in '/'), served as a folder: how long a listing is served without asking again. */
  readonly dirCachetimeMs?: number
  /** Backend options: the section's keys (own and from [DEFAULT]) over [global]'s origin keys: endpoint, region, ca, ... */
  readonly options: ReadonlyMap<string, string>
}

export interface PullConfig {
  readonly mode: 'pull'
  readonly file: string
  /** Absent: a private cache dir, removed at unmount. */
  readonly cachedir?: string
  /** cache_max_size: least-recently-used copies beyond it are evicted (never an open one). */
  readonly cacheMaxBytes?: number
  /** op_timeout: how long one FUSE request (a cold read waiting for its download) may take. */
  readonly opTimeoutMs: number
  /** Mount even when an origin fails its preflight check (the cache is served meanwhile). */
  readonly lazy: boolean
  readonly log: LogSettings
  readonly files: readonly PullFileConfig[]
  /** Things the loader ignored (unknown keys or sections), one line each, for the log. */
  readonly warnings: readonly string[]
}

export type StalkConfig = PushConfig | PullConfig
