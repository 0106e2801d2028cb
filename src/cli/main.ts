/**
 * stem's entry point: parse the command line, then either run the mount in
 * this process (-f, or as the supervisor's worker), supervise a worker (the
 * detached daemon, supervisor.ts), or start the daemon and wait for its
 * readiness report.
 */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe } from '../errors.js'
import { ExitCode, StemError } from '../exit-codes.js'
import { daemonize, reportToParent, SUPERVISOR_ENV } from './daemonize.js'
import { parseStemArgs, USAGE, type MountArgs } from './parse-args.js'
import { runSupervisor } from './supervisor.js'

function version (): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }
  return pkg.version
}

async function foreground (args: MountArgs): Promise<number> {
  try {
    // Loaded here only: the waiting parent and the supervisor never load fuse-native and the backends.
    const { runMount } = await import('../run/run-mount.js')
    return await runMount(args, { onReady: mountpoint => reportToParent({ type: 'ready', mountpoint }) })
  } catch (err) {
    const code = err instanceof StemError ? err.exitCode : ExitCode.failure
    const message = describe(err)
    reportToParent({ type: 'failed', exitCode: code, message })
    process.stderr.write(`stem: ${message}\n`)
    if (!(err instanceof StemError) && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n')
    return code
  }
}

async function main (argv: readonly string[]): Promise<number> {
  let args
  try {
    args = parseStemArgs(argv, process.env)
  } catch (err) {
    process.stderr.write(`stem: ${describe(err)}\n${USAGE}\n`)
    return err instanceof StemError ? err.exitCode : ExitCode.usage
  }
  if (args.command === 'help') { process.stdout.write(USAGE + '\n'); return ExitCode.ok }
  if (args.command === 'version') { process.stdout.write(`stem (stalk) ${version()}\n`); return ExitCode.ok }
  if (args.command !== 'mount') return (await import('./run-subcommand.js')).runSubcommand(args)
  if (args.foreground) return foreground(args)
  if (process.env[SUPERVISOR_ENV] === '1') return runSupervisor(fileURLToPath(import.meta.url), argv, args)
  return daemonize(fileURLToPath(import.meta.url), argv, resolve(args.mountpoint))
}

main(process.argv.slice(2)).then(code => { process.exit(code) }, (err: unknown) => {
  process.stderr.write(`stem: ${describe(err)}\n`)
  process.exitCode = ExitCode.failure
})
