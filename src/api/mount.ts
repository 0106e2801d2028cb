/**
 * mount(): the Node API's way in. It runs the same steps as `stem -f`
 * (run-mount.ts): load and validate the config, check the mountpoint (a
 * dead mount left by a crashed owner is cleaned up), build the mode, mount,
 * start the control socket, deliver what an earlier run left pending; then
 * it hands the live mount to a StalkMount handle instead of waiting for a
 * signal.
 *
 * The mount runs IN THIS PROCESS: fuse-native's FUSE thread hands every
 * request to this process's event loop, so a blocked loop (a long
 * synchronous computation, a `*Sync` call on the mount itself) stalls every
 * program using the mount, and a sync call on its own mount never returns.
 * The fuse-native addon, the modes and their backends are loaded on the
 * first mount() only, so importing 'stalk' costs nothing.
 */
import { loadConfig } from '../config/load-config.js'
import { loadConfigObject } from '../config/load-config-object.js'
import type { StalkConfig } from '../config/types.js'
import { ControlSurface } from '../control/control-surface.js'
import { describe } from '../errors.js'
import { StemError } from '../exit-codes.js'
import type { FsOps } from '../fuse/fs-ops.js'
import type { Logger } from '../logger.js'
import { checkMountpoint } from '../mount/check-mountpoint.js'
import { canonical, checkRootVsMountpoint, fuseOptionsFor } from '../run/mount-steps.js'
import type { MountApiOptions, MountConfig } from './api-types.js'
import { apiLogger } from './api-logger.js'
import { StalkMount, type MountParts } from './stalk-mount.js'

/** Mounts `config` at `mountpoint`; resolves once the mount is live. Refusals are StemErrors (exitCode as stem's). */
export async function mount (config: MountConfig, mountpoint: string, o: MountApiOptions = {}): Promise<StalkMount> {
  const where = await canonical(mountpoint)
  const mode = o.readOnly === true ? 'pull' : 'push'
  const load = { env: o.env ?? process.env, ...(o.configLabel === undefined ? {} : { label: o.configLabel }) }
  const loaded: StalkConfig = typeof config === 'string' ? await loadConfig(config, mode, load) : await loadConfigObject(config, mode, load)
  const logging = apiLogger(o.log, loaded.log, o.name ?? 'stalk')
  const log = logging.log
  for (const w of loaded.warnings) log.warn(w)
  try {
    if (loaded.mode === 'push') checkRootVsMountpoint(await canonical(loaded.root), where)
    await checkMountpoint(where, log)
    const parts = loaded.mode === 'push' ? await startPush(loaded, where, o, log) : await startPull(loaded, where, o, log)
    return new StalkMount({ ...parts, flushLog: logging.flush })
  } catch (err) {
    logging.flush()
    throw err
  }
}

type Started = Omit<MountParts, 'flushLog'>

async function startPush (config: Extract<StalkConfig, { mode: 'push' }>, mountpoint: string, o: MountApiOptions, log: Logger): Promise<Started> {
  const abort = new AbortController()
  const { createPushMode } = await import('../run/push-mode.js')
  const mode = await createPushMode({ config, mountpoint, log, signal: abort.signal })
  const source = { mode: 'push', syncer: mode.syncer } as const
  const stopMode = async (): Promise<Awaited<ReturnType<typeof mode.stop>>> => { abort.abort(); return await mode.stop() }
  const started = await live(config, mountpoint, o, log, mode.ops, source, stopMode)
  // What an earlier run left pending goes out now, as with stem; failures are the syncer's to log and retry.
  void mode.start().catch((err: unknown) => log.error({ err: describe(err) }, 'startup round failed'))
  return started
}

async function startPull (config: Extract<StalkConfig, { mode: 'pull' }>, mountpoint: string, o: MountApiOptions, log: Logger): Promise<Started> {
  const { createPullMode } = await import('../run/pull-mode.js')
  const mode = await createPullMode(config, log)
  const stopMode = async (): Promise<undefined> => { await mode.stop(); return undefined }
  return live(config, mountpoint, o, log, mode.ops, { mode: 'pull', cache: mode.cache }, stopMode)
}

/** Mounts the mode's ops and starts the control socket; on a refusal the mode is stopped again. */
async function live (
  config: StalkConfig, mountpoint: string, o: MountApiOptions, log: Logger,
  ops: FsOps, source: MountParts['source'], stopMode: MountParts['stopMode']
): Promise<Started> {
  const flags = { name: o.name ?? 'stalk', allowOther: o.allowOther === true, traceOps: o.log === 'debug', log }
  let fuse
  try {
    const { mountFs } = await import('../fuse/adapter.js')
    fuse = await mountFs(ops, mountpoint, fuseOptionsFor(config, flags))
  } catch (err) {
    await stopMode()
    throw new StemError('mountFailed', `cannot mount ${mountpoint}: ${describe(err)}`, { cause: err })
  }
  log.info({ mountpoint }, 'mounted')
  const mountedAt = Date.now()
  let control: ControlSurface | undefined
  if (o.controlSocket !== false) {
    control = new ControlSurface({ mountpoint, configFile: config.file, source, log, mountedAt })
    await control.start()
  }
  return { config, mountpoint, fuse, source, control, stopMode, log, mountedAt }
}
