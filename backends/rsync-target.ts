/**
 * A push target that mirrors root with rsync: a local folder, `[user@]host:path`
 * over ssh, or an rsync daemon (`rsync://…`, `host::module`). Command lines
 * and their reasons are in rsync-args.ts, the preflight in rsync-check.ts.
 *
 * Every mirror is a full-tree rsync: rsync finds what changed by itself, and
 * only a full run also sees deletions of whole folders, renames and changes
 * made to root behind stalk's back. The `changed` hint is therefore ignored.
 *
 * Exit 24 ("some source files vanished") counts as success: a file deleted
 * from root while rsync ran is a normal race on a live root. That deletion
 * came through the mount, so the syncer has it as a new change and runs again,
 * and that run removes the file from the destination. It is logged as a warning.
 *
 * Passwords never appear in argv or logs: an rsync daemon's comes from
 * password_file (--password-file names the file) or from RSYNC_PASSWORD in the
 * environment, which rsync reads itself; either is blanked from kept stderr.
 */
import { stat } from 'node:fs/promises'
import type { TargetConfig } from '../src/config/types.js'
import type { Logger } from '../src/logger.js'
import { TargetError, type CallOptions, type Target } from './backend.js'
import { mirrorInvocation, type RsyncDestination } from './rsync-args.js'
import { checkRsyncDestination } from './rsync-check.js'
import { rsyncFailure, scrubSecrets } from './rsync-failure.js'
import { runTargetTool } from './target-tool.js'

export interface RsyncTargetOptions {
  readonly log: Logger
  /** The environment rsync and ssh run with (default: stalk's own). */
  readonly env?: NodeJS.ProcessEnv
  /** Time between SIGTERM and SIGKILL when a run is stopped (default 5 s). */
  readonly killGraceMs?: number
}

export class RsyncTarget implements Target {
  readonly label: string
  readonly destination: string
  private readonly log: Logger
  private readonly env: NodeJS.ProcessEnv
  private readonly secrets: readonly string[]

  constructor (private readonly cfg: TargetConfig, private readonly dest: RsyncDestination, private readonly o: RsyncTargetOptions) {
    this.label = cfg.label
    this.destination = cfg.destination
    this.log = o.log.child({ target: cfg.label })
    this.env = o.env ?? process.env
    const pw = this.env['RSYNC_PASSWORD']
    this.secrets = pw === undefined || pw === '' ? [] : [pw]
  }

  async mirror (root: string, _changed: ReadonlySet<string> | 'all', o: { signal: AbortSignal }): Promise<void> {
    const what = `rsync to ${this.destination}`
    const st = await stat(root).catch(() => undefined)
    // Checked here because rsync would report a missing root only as "partial transfer".
    if (st?.isDirectory() !== true) throw new TargetError(`${what} failed: root ${root} is not a directory`)
    const inv = mirrorInvocation(this.cfg, this.dest, root, this.env)
    const started = Date.now()
    const run = await runTargetTool(inv.argv, {
      env: inv.env, signal: o.signal, timeoutMs: this.cfg.timeoutMs, log: this.log, what, secrets: this.secrets,
      ...(this.o.killGraceMs === undefined ? {} : { killGraceMs: this.o.killGraceMs })
    })
    if (run.code === 24) {
      this.log.warn({ stderr: scrubSecrets(run.stderr, this.secrets) },
        `${what}: some files vanished from root during the transfer; the next round picks up the rest`)
    } else if (run.code !== 0) {
      throw rsyncFailure(what, run, this.secrets)
    }
    this.log.debug({ ms: Date.now() - started }, `${what}: done`)
  }

  async check (o: CallOptions = {}): Promise<void> {
    await checkRsyncDestination({
      cfg: this.cfg, dest: this.dest, env: this.env, signal: o.signal, log: this.log, secrets: this.secrets
    })
  }

  async close (): Promise<void> {
    // Nothing is held between runs: every mirror is its own rsync process.
  }
}
