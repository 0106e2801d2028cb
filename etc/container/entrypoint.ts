/**
 * The container's entrypoint (`node dist/etc/container/entrypoint.js`):
 * the config from the environment (container-plan.ts), a mount with
 * allow_other at STALK_MOUNTPOINT through the Node API, the readiness file
 * once it is live, and on SIGTERM (or SIGINT) the readiness file removed
 * first, then the final round and the unmount, so a path shared with other
 * containers is never left holding a dead mount. It stays PID 1's only job:
 * the mount runs in this process.
 *
 * Exit codes are stem's: 0 stopped with everything delivered, 2 a bad
 * STALK_* variable, 3–14 the mount was refused (the reason on stderr), 15
 * changes stayed undelivered at shutdown (they are journaled in state_dir,
 * so keep it on a volume).
 */
import { once } from 'node:events'
import { mount, type DrainResult } from '../../src/index.js'
import { describe } from '../../src/errors.js'
import { ExitCode, StemError } from '../../src/exit-codes.js'
import { containerPlan, ENV_CONFIG_LABEL, type ContainerPlan } from './container-plan.js'
import { removeReadyFile, writeReadyFile } from './ready-file.js'

const say = (line: string): void => { process.stderr.write(`stalk-entrypoint: ${line}\n`) }

/** Resolves on the first SIGTERM/SIGINT; later ones are only reported. Installed first, so a stop during start-up is kept. */
function stopRequested (): Promise<NodeJS.Signals> {
  let first: NodeJS.Signals | undefined
  return new Promise(resolve => {
    const on = (sig: NodeJS.Signals): void => {
      if (first !== undefined) { say(`${sig} again: still stopping (the final round is bounded by shutdown_grace)`); return }
      first = sig
      resolve(sig)
    }
    process.on('SIGTERM', on).on('SIGINT', on)
  })
}

async function run (plan: ContainerPlan, stop: Promise<NodeJS.Signals>): Promise<number> {
  // A file left by a killed run says nothing about this one.
  await removeReadyFile(plan.readyFile)
  const m = await mount(plan.config, plan.mountpoint, {
    readOnly: plan.mode === 'pull', allowOther: plan.allowOther, name: plan.name, log: plan.logLevel, configLabel: ENV_CONFIG_LABEL
  })
  await writeReadyFile(plan.readyFile, { mountpoint: m.mountpoint, pid: process.pid, mode: m.mode, readyAt: new Date().toISOString() })
  say(`${m.mode} mount live at ${m.mountpoint}; ready (${plan.readyFile})`)
  const gone = once(m, 'unmounted') as Promise<[DrainResult]>
  const why = await Promise.race([stop, gone.then(() => 'an unmount from outside')])
  // Not ready any more before the final round starts: probes stop sending work here.
  await removeReadyFile(plan.readyFile)
  say(`stopping (${why}): final round, then unmount`)
  const result = await m.unmount()
  if (result.ok) { say('stopped; every change delivered'); return ExitCode.ok }
  const labels = [...new Set([...result.undelivered.keys(), ...result.fullMirrorOwed])]
  say(`stopped; changes for ${labels.join(', ')} stayed undelivered (journaled; delivered at the next start)`)
  return ExitCode.undelivered
}

async function main (): Promise<number> {
  const stop = stopRequested()
  let plan: ContainerPlan
  try { plan = containerPlan(process.env) } catch (err) {
    say(describe(err))
    return err instanceof StemError ? err.exitCode : ExitCode.usage
  }
  try {
    return await run(plan, stop)
  } catch (err) {
    await removeReadyFile(plan.readyFile).catch(() => {})
    say(describe(err))
    return err instanceof StemError ? err.exitCode : ExitCode.failure
  }
}

main().then(code => { process.exit(code) }, (err: unknown) => {
  say(describe(err))
  process.exit(ExitCode.failure)
})
