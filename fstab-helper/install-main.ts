/**
 * `npm run install-helper -- [--prefix DIR] [--force]` and
 * `npm run uninstall-helper -- [--prefix DIR] [--force]`: put
 * mount.fuse.stalk where mount(8) looks for it, or take it away. An npm
 * script rather than a stem subcommand: it is a step of installing this
 * checkout, run once as root, not something a mount ever needs.
 */
import { parseArgs } from 'node:util'
import { ExitCode } from '../src/exit-codes.js'
import { installHelper, uninstallHelper } from './install-helper.js'

const USAGE = `usage: npm run install-helper -- [--prefix DIR] [--force]
       npm run uninstall-helper -- [--prefix DIR] [--force]

  --prefix DIR  where mount(8) looks for helpers (default /sbin)
  --force       replace or remove a mount.fuse.stalk that stalk did not write`

async function main (argv: readonly string[]): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: { prefix: { type: 'string' }, force: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }
    })
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`)
    return ExitCode.usage
  }
  const [action, ...extra] = parsed.positionals
  if (parsed.values.help === true) { process.stdout.write(USAGE + '\n'); return ExitCode.ok }
  if ((action !== 'install' && action !== 'uninstall') || extra.length > 0) {
    process.stderr.write(USAGE + '\n')
    return ExitCode.usage
  }
  const o = { force: parsed.values.force === true, ...(parsed.values.prefix === undefined ? {} : { prefix: parsed.values.prefix }) }
  try {
    const r = action === 'install' ? await installHelper(o) : await uninstallHelper(o)
    process.stdout.write(`${r.path}: ${r.outcome}\n`)
    return ExitCode.ok
  } catch (err) {
    process.stderr.write(`${action}-helper: ${(err as Error).message}\n`)
    return ExitCode.failure
  }
}

void main(process.argv.slice(2)).then(code => { process.exit(code) })
