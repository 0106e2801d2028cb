/**
 * The shapes of the Node API (`import { mount } from 'stalk'`): what
 * mount() takes and what its handle reports. Kept apart from the code so
 * that embedding programs and the handle depend on these types only.
 */
import type { ConfigObject } from '../config/config-object.js'
import type { StalkConfig } from '../config/types.js'
import type { StatusReport } from '../control/status-report.js'
import type { SyncOutcome } from '../control/sync-outcome.js'
import type { Verbosity } from '../log/create-logger.js'
import type { Logger } from '../logger.js'
import type { RoundReport } from '../push/syncer-types.js'

/** A config file's path, or the same config as an object (see ConfigObject). */
export type MountConfig = string | ConfigObject

export interface MountApiOptions {
  /** Pull mode (stem -r): a read-only folder of cached remote files. Default: push mode. */
  readonly readOnly?: boolean
  /** allow_other: other users may use the mount (root, or user_allow_other in /etc/fuse.conf). */
  readonly allowOther?: boolean
  /** The device name `mount` shows (stem -n); default "stalk". */
  readonly name?: string
  /**
   * A Logger (pino's shape; a pino logger fits) that gets everything, or a
   * level for stalk's own logger: JSON lines to stderr, plus the config's
   * `log` file and syslog, as the daemon logs. Default 'warn'.
   */
  readonly log?: Logger | Verbosity
  /**
   * Listen on the control socket, so `stem status` and `stem sync` reach
   * this mount as they reach a daemon. Default true.
   */
  readonly controlSocket?: boolean
  /** What messages call a config object instead of a file name; default "<config object>". */
  readonly configLabel?: string
  /** Secrets (STALK_SECTION_KEY) and XDG_STATE_HOME/HOME for the default state_dir; default process.env. */
  readonly env?: NodeJS.ProcessEnv
}

/** What the final round left, resolved by unmount() and sent with 'unmounted'. */
export interface DrainResult {
  /** Every change reached every target (always true in pull mode). */
  readonly ok: boolean
  /** Per target label, the paths it never received; they stay journaled for the next mount. */
  readonly undelivered: ReadonlyMap<string, readonly string[]>
  /** Targets still owed a full mirror (it runs at the next mount). */
  readonly fullMirrorOwed: readonly string[]
  /** 'unmount': unmount() or scope end; 'external': someone ran umount or fusermount -u. */
  readonly why: 'unmount' | 'external'
}

/** What sync() resolves to: every target took every change made before the call. */
export type SyncResult = Extract<SyncOutcome, { readonly waited: true }>

export interface StalkMountEvents {
  /** A push round finished (any reason: quiet time, sync(), retry, shutdown). */
  sync: [RoundReport]
  /** A target or plugin failed in a round. Only emitted while someone listens. */
  error: [Error]
  /** The mount is gone and drained, by unmount() or from outside. */
  unmounted: [DrainResult]
}

/** The handle mount() resolves to once the mount is live. */
export interface StalkMountHandle extends AsyncDisposable {
  readonly mountpoint: string
  readonly mode: 'push' | 'pull'
  /** The validated config (as `stem check` sees it). */
  readonly config: StalkConfig
  /** Stops taking writes, runs the final round (bounded by shutdown_grace), unmounts. Safe to call twice. */
  unmount(): Promise<DrainResult>
  /** A push round now; resolves when every target has every change made before the call. */
  sync(): Promise<SyncResult>
  /** The report `stem status --json` prints for this mount. */
  status(): StatusReport
}
