/**
 * stem's exit codes: every refusal has its own, so scripts and mount(8) can
 * tell them apart. Documented in README.md; never renumber one.
 */
export const ExitCode = {
  ok: 0,
  /** A failure at run time not covered below (the message says what). */
  failure: 1,
  /** Bad command line. */
  usage: 2,
  /** The config file is missing or unreadable. */
  configUnreadable: 3,
  /** The config file is not valid INI (file and line named). */
  configSyntax: 4,
  /** A key is missing or has a bad value (file, section and key named). */
  configInvalid: 5,
  /** push: root does not exist or is not a directory. */
  rootMissing: 6,
  /** push: root and mountpoint are the same folder or one contains the other. */
  rootIsMountpoint: 7,
  /** The mountpoint does not exist or is not a directory. */
  mountpointNotDirectory: 8,
  /** The mountpoint is already mounted (and not a stale stalk mount). */
  mountpointBusy: 9,
  /** push: a target is the root folder itself. */
  targetIsRoot: 10,
  /** push: neither a plugin nor a target is configured. */
  nothingToDo: 11,
  /** A plugin cannot be found, fails to load, or has the wrong shape. */
  pluginFailed: 12,
  /** A target or origin failed its preflight check. */
  preflightFailed: 13,
  /** The kernel refused the mount (fusermount's reason is printed). */
  mountFailed: 14,
  /** Shutdown finished with changes that no target accepted (they stay journaled). */
  undelivered: 15
} as const

export type ExitCodeName = keyof typeof ExitCode

/** An error that ends `stem` with a specific exit code and a one-line reason. */
export class StemError extends Error {
  readonly exitCode: number
  constructor (exitCode: ExitCodeName, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'StemError'
    this.exitCode = ExitCode[exitCode]
  }
}
