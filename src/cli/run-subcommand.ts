/**
 * Runs one of stem's subcommands to its exit code. They talk to a running
 * daemon (status, sync, refresh) or check a config (check); none of them mounts.
 * Each is loaded only when asked for: status and sync then start without
 * loading the backends (the S3 SDK alone takes a noticeable while).
 * A refusal is printed as one "stem: …" line and ends with its own code.
 */
import { describe } from '../errors.js'
import { ExitCode, StemError } from '../exit-codes.js'
import type { SubcommandArgs } from './parse-subcommand.js'

export async function runSubcommand (args: SubcommandArgs): Promise<number> {
  try {
    switch (args.command) {
      case 'status': return await (await import('./stem-status.js')).stemStatus(args)
      case 'sync': return await (await import('./stem-sync.js')).stemSync(args)
      case 'refresh': return await (await import('./stem-refresh.js')).stemRefresh(args)
      case 'check': return await (await import('./stem-check.js')).stemCheck(args)
    }
  } catch (err) {
    process.stderr.write(`stem: ${describe(err)}\n`)
    return err instanceof StemError ? err.exitCode : ExitCode.failure
  }
}
