/**
 * mount.fuse.stalk's program: mount(8) runs it (through the shim installed
 * by `npm run install-helper`) for every fuse.stalk line of /etc/fstab and
 * every `mount -t fuse.stalk`. It turns mount's arguments into a stem
 * command line, runs stem, and exits with stem's code, so that mount(8) and
 * systemd see stem's reason (README.md lists the codes).
 */
import { spawn } from 'node:child_process'
import { constants } from 'node:os'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ExitCode } from '../src/exit-codes.js'
import { HELPER_USAGE, parseHelperArgs } from './helper-args.js'
import { shellQuote } from './install-helper.js'
import { fstabToStemArgs } from './mount-options.js'

/** bin/stem.js of the same checkout: never looked up on PATH, which mount(8) may leave bare. */
const STEM_BIN = fileURLToPath(new URL('../../bin/stem.js', import.meta.url))

function say (line: string): void {
  process.stderr.write(`mount.fuse.stalk: ${line}\n`)
}

function main (argv: readonly string[]): Promise<number> | number {
  const args = parseHelperArgs(argv)
  if ('error' in args) { say(`${args.error}\n${HELPER_USAGE}`); return ExitCode.usage }
  // mount(8) passes a canonical path; a person running the helper by hand may not
  const command = fstabToStemArgs(args.device, resolve(args.mountpoint), args.options, { sloppy: args.sloppy })
  if ('error' in command) { say(command.error); return ExitCode.usage }
  if (args.verbose) {
    for (const i of command.ignored) say(`ignoring ${i.option}: ${i.why}`)
    const shown = command.argv.map(w => /^[\w@%+=:,./-]+$/.test(w) ? w : shellQuote(w))
    say(`${args.fake ? 'would run' : 'running'} stem ${shown.join(' ')}`)
  }
  if (args.fake) return ExitCode.ok
  return runStem(command.argv)
}

/**
 * stem in a child process with our stdio: in the background mode it returns
 * once the mount is live, and its daemon keeps none of mount(8)'s pipes.
 */
function runStem (argv: readonly string[]): Promise<number> {
  const child = spawn(process.execPath, [STEM_BIN, ...argv], { stdio: 'inherit' })
  // With `foreground` the helper lives as long as the mount: a stop meant for it is meant for stem.
  const forward = (sig: NodeJS.Signals) => () => { child.kill(sig) }
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, forward(sig))
  return new Promise(resolveCode => {
    child.once('error', err => { say(`cannot run ${STEM_BIN}: ${err.message}`); resolveCode(ExitCode.failure) })
    child.once('exit', (code, signal) => {
      if (signal !== null) say(`stem was killed by ${signal}`)
      resolveCode(code ?? 128 + (signal === null ? 0 : constants.signals[signal]))
    })
  })
}

void Promise.resolve(main(process.argv.slice(2))).then(code => { process.exit(code) })
