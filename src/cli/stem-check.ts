/**
 * `stem check [-c CONFIG] [-r]`: the mount's preflight without mounting.
 * The config is loaded as the mount loads it (its refusals end stem with
 * the same exit codes, its warnings are printed), then every target (push)
 * or origin server (pull) is checked with its credentials by the very
 * functions the mount uses (src/run/preflight.ts). Nothing is mounted, no
 * journal is opened and no plugin is loaded (loading runs its init).
 */
import { dirname } from 'node:path'
import pino from 'pino'
import type { Backend, Target } from '../../backends/backend.js'
import { OriginRegistry } from '../../backends/origin-registry.js'
import { createTarget } from '../../backends/registry.js'
import { loadConfig } from '../config/load-config.js'
import type { PullConfig, PushConfig } from '../config/types.js'
import { ExitCode } from '../exit-codes.js'
import { silentLogger, type Logger } from '../logger.js'
import { checkOrigins, checkTargets, type CheckResult } from '../run/preflight.js'
import type { Verbosity } from './parse-subcommand.js'
import { textTable } from './text-table.js'

export interface CheckArgs { readonly configFile: string; readonly readOnly: boolean; readonly verbosity: Verbosity }

export async function stemCheck (args: CheckArgs): Promise<number> {
  const log: Logger = args.verbosity === 'warn' ? silentLogger : pino({ level: args.verbosity }, process.stderr)
  const config = args.readOnly ? await loadConfig(args.configFile, 'pull') : await loadConfig(args.configFile, 'push')
  const out: string[] = [`config ${config.file} (${config.mode} mode): valid`]
  for (const w of config.warnings) out.push(`  warning: ${w}`)
  const results = config.mode === 'push' ? await checkPush(config, log, out) : await checkPull(config, log)
  if (results.length > 0) {
    const header = config.mode === 'push' ? ['TARGET', 'DESTINATION', 'RESULT', 'REASON'] : ['FILES', 'ORIGIN', 'RESULT', 'REASON']
    out.push(textTable(header, results.map(r => [r.name, r.destination, r.ok ? 'ok' : 'FAILED', r.reason ?? ''])))
  }
  const failed = results.filter(r => !r.ok).length
  if (failed > 0) {
    const lazy = config.lazy ? ' ("lazy: yes" is set: the mount would go on and wait for it)' : ' (the mount would be refused: exit 13)'
    out.push(`${failed} of ${results.length} ${config.mode === 'push' ? 'target' : 'origin'}(s) FAILED${lazy}`)
  }
  process.stdout.write(out.join('\n') + '\n')
  return failed === 0 ? ExitCode.ok : ExitCode.preflightFailed
}

async function checkPush (config: PushConfig, log: Logger, out: string[]): Promise<CheckResult[]> {
  if (config.plugins.length > 0) out.push(`  plugins: ${config.plugins.map(p => `[${p.section}] ${p.name}`).join(', ')} (not loaded by check)`)
  if (config.targets.length === 0) out.push('  no [target]: plugins only, nothing to reach')
  const targets: Target[] = []
  try {
    for (const t of config.targets) targets.push(createTarget(t, { log: log.child({ target: t.label }) }))
    return await checkTargets(targets)
  } finally {
    await Promise.allSettled(targets.map(t => t.close()))
  }
}

async function checkPull (config: PullConfig, log: Logger): Promise<CheckResult[]> {
  const registry = new OriginRegistry({ log, configDir: dirname(config.file) })
  try {
    const files = new Map<Backend, string[]>()
    for (const f of config.files) {
      const { backend } = registry.open(f)
      files.set(backend, [...files.get(backend) ?? [], f.name])
    }
    return await checkOrigins(registry.all(), b => (files.get(b) ?? []).join(', '))
  } finally {
    await registry.close()
  }
}
