/**
 * A mount's whole life in the foreground process: load the config, check
 * the mountpoint, build the mode, mount, report readiness, wait for a stop,
 * drain, exit code. Every refusal is a StemError carrying its exit code.
 */
import type { MountArgs } from '../cli/parse-args.js'
import { loadConfig } from '../config/load-config.js'
import { ControlSurface } from '../control/control-surface.js'
import type { PullConfig, PushConfig } from '../config/types.js'
import { describe } from '../errors.js'
import { ExitCode, StemError } from '../exit-codes.js'
import { mountFs, type MountHandle, type MountOptions } from '../fuse/adapter.js'
import type { FsOps } from '../fuse/fs-ops.js'
import { createLogger } from '../log/create-logger.js'
import type { Logger } from '../logger.js'
import { checkMountpoint } from '../mount/check-mountpoint.js'
import { canonical, checkRootVsMountpoint, fuseOptionsFor, unmountQuietly } from './mount-steps.js'
import { notifySystemd } from './notify-systemd.js'
import { waitForStop, type StopReason } from './wait-for-stop.js'

export interface RunHooks {
  /** Called once the mount is live (the daemon tells its waiting parent). */
  readonly onReady: (mountpoint: string) => void
}

/** Runs until stopped; resolves to the process exit code. */
export async function runMount (args: MountArgs, hooks: RunHooks): Promise<number> {
  const mountpoint = await canonical(args.mountpoint)
  const config = args.readOnly ? await loadConfig(args.configFile, 'pull') : await loadConfig(args.configFile, 'push')
  const logging = createLogger({ settings: config.log, level: args.verbosity, stderr: args.foreground && process.env['STALK_DAEMON_CHILD'] !== '1', name: 'stalk' })
  const log = logging.log
  for (const w of config.warnings) log.warn(w)
  try {
    return config.mode === 'pull'
      ? await runPull(config, args, mountpoint, log, hooks)
      : await runPush(config, args, mountpoint, log, hooks)
  } finally {
    logging.flush()
  }
}

interface Served { readonly why: StopReason; readonly handle: MountHandle }

/** Mounts `ops`, runs `started` (the control socket must be up before anyone hears of the mount), reports readiness, waits for a stop; the caller then drains. */
async function serve (ops: FsOps, mountpoint: string, o: MountOptions, hooks: RunHooks, started: () => void | Promise<void>): Promise<Served> {
  const handle = await mountFs(ops, mountpoint, o)
  o.log.info({ mountpoint }, 'mounted')
  await started()
  hooks.onReady(mountpoint)
  // systemd (Type=notify) hears of the mount when the waiting parent does; a no-op without NOTIFY_SOCKET
  void notifySystemd('ready', { log: o.log, status: `mounted ${mountpoint}` })
  const why = await waitForStop(mountpoint).stopped
  o.log.info({ why }, 'stopping')
  void notifySystemd('stopping', { log: o.log, status: `stopping (${why}): final sync` })
  const ignore = (): void => { o.log.warn('already stopping (SIGKILL to abandon the final round; nothing is lost, it stays journaled)') }
  process.on('SIGTERM', ignore).on('SIGINT', ignore)
  if (why !== 'unmounted') await unmountQuietly(handle, mountpoint, o.log)
  return { why, handle }
}

function mountOptions (config: PushConfig | PullConfig, args: MountArgs, log: Logger): MountOptions {
  return fuseOptionsFor(config, { name: args.name, allowOther: args.allowOther, traceOps: args.verbosity === 'debug', log })
}

async function runPull (config: PullConfig, args: MountArgs, mountpoint: string, log: Logger, hooks: RunHooks): Promise<number> {
  await checkMountpoint(mountpoint, log)
  // each mode's code is loaded only when used: a push mount does not carry the S3 SDK and ssh2 (+28 MiB)
  const { createPullMode } = await import('./pull-mode.js')
  const mode = await createPullMode(config, log)
  const control = new ControlSurface({ mountpoint, configFile: config.file, source: { mode: 'pull', cache: mode.cache }, log })
  try {
    await serve(mode.ops, mountpoint, mountOptions(config, args, log), hooks, () => control.start())
  } catch (err) {
    await mode.stop()
    throw new StemError('mountFailed', `cannot mount ${mountpoint}: ${describe(err)}`, { cause: err })
  }
  await mode.stop()
  await control.close()
  log.info('stopped')
  return ExitCode.ok
}

async function runPush (config: PushConfig, args: MountArgs, mountpoint: string, log: Logger, hooks: RunHooks): Promise<number> {
  checkRootVsMountpoint(await canonical(config.root), mountpoint)
  await checkMountpoint(mountpoint, log)
  const abort = new AbortController()
  const { createPushMode } = await import('./push-mode.js')
  const mode = await createPushMode({ config, mountpoint, log, signal: abort.signal })
  const control = new ControlSurface({ mountpoint, configFile: config.file, source: { mode: 'push', syncer: mode.syncer }, log })
  try {
    await serve(mode.ops, mountpoint, mountOptions(config, args, log), hooks, () => { void mode.start(); return control.start() })
  } catch (err) {
    await mode.stop()
    throw new StemError('mountFailed', `cannot mount ${mountpoint}: ${describe(err)}`, { cause: err })
  }
  abort.abort()
  // The socket stays up through the final round, so `stem status` can show it "stopping".
  const result = await mode.stop()
  await control.close()
  if (result.undelivered.size === 0 && result.fullMirrorOwed.length === 0) {
    log.info('all changes delivered; exiting')
    return ExitCode.ok
  }
  for (const [label, paths] of result.undelivered) {
    log.error({ target: label, count: paths.length, paths: paths.slice(0, 50) }, `${paths.length} change(s) not delivered to ${label}; they stay journaled for the next mount`)
  }
  for (const label of result.fullMirrorOwed) log.error({ target: label }, `a full mirror to ${label} is still owed; it runs at the next mount`)
  return ExitCode.undelivered
}
