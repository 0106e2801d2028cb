/**
 * stem's subcommands: `status`, `sync`, `refresh` and `check`, recognised only as the
 * first argument, so every mount command line that worked before still
 * does (a mountpoint that is literally named "status" is given as
 * ./status). Each subcommand has its own options; -h prints the usage.
 */
import { parseArgs } from 'node:util'
import { StemError } from '../exit-codes.js'

export type Verbosity = 'warn' | 'info' | 'debug'

export type SubcommandArgs =
  | { readonly command: 'status'; readonly mountpoint: string | undefined; readonly json: boolean }
  | { readonly command: 'sync'; readonly mountpoint: string | undefined; readonly wait: boolean }
  | { readonly command: 'refresh'; readonly mountpoint: string; readonly names: readonly string[] }
  | { readonly command: 'check'; readonly configFile: string; readonly readOnly: boolean; readonly verbosity: Verbosity }

export const SUBCOMMAND_USAGE = `       stem status [MOUNTPOINT] [--json]
       stem sync [MOUNTPOINT] [--wait]
       stem refresh MOUNTPOINT [NAME...]
       stem check [-c CONFIG] [-r] [-v|-d]`

export const SUBCOMMAND_HELP = `subcommands (only as the first argument: mount a folder named "status" as ./status):
  status   what the daemon of MOUNTPOINT (default: every stalk mount of
           this user) is doing: pending changes and last sync per target
           (push), cache age, size and last fetch per file (pull)
  sync     push: start a sync round now; --wait returns when it is done
           (exit 0 when every target took it, 15 when one did not)
  refresh  pull: mark the cached copies of NAMEs (default: all; a path
           inside a directory origin, or its folder) stale, so the next
           open asks the origin; a copy is kept for when the origin is down
  check    the preflight without mounting: the config, then every target
           (push) or origin (-r) with its credentials (exit 13 if one fails)`

const NAMES: ReadonlySet<string> = new Set(['status', 'sync', 'refresh', 'check'])

/** The subcommand of `argv`, `help` for its -h, or undefined when argv is a mount command line. */
export function parseSubcommand (argv: readonly string[], defaultConfig: string): SubcommandArgs | { readonly command: 'help' } | undefined {
  const [name, ...rest] = argv
  if (name === undefined || !NAMES.has(name)) return undefined
  let parsed
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: name !== 'check',
      strict: true,
      options: optionsOf(name)
    })
  } catch (err) {
    throw new StemError('usage', `${name}: ${(err as Error).message}`)
  }
  const v = parsed.values as Record<string, string | boolean | undefined>
  if (v['help'] === true) return { command: 'help' }
  const [mountpoint, ...extra] = parsed.positionals
  if (name === 'refresh') {
    if (mountpoint === undefined) throw new StemError('usage', 'refresh: missing MOUNTPOINT')
    return { command: 'refresh', mountpoint, names: extra }
  }
  if (extra.length > 0) throw new StemError('usage', `${name}: unexpected argument: ${extra.join(' ')}`)
  if (name === 'status') return { command: 'status', mountpoint, json: v['json'] === true }
  if (name === 'sync') return { command: 'sync', mountpoint, wait: v['wait'] === true }
  const config = v['config']
  return {
    command: 'check',
    configFile: typeof config === 'string' ? config : defaultConfig,
    readOnly: v['read-only'] === true,
    verbosity: v['debug'] === true ? 'debug' : v['verbose'] === true ? 'info' : 'warn'
  }
}

type Options = NonNullable<Parameters<typeof parseArgs>[0]>['options']

function optionsOf (name: string): Options {
  const help = { help: { type: 'boolean', short: 'h' } } as const
  if (name === 'status') return { ...help, json: { type: 'boolean' } }
  if (name === 'sync') return { ...help, wait: { type: 'boolean' } }
  if (name === 'refresh') return help
  return {
    ...help,
    config: { type: 'string', short: 'c' },
    'read-only': { type: 'boolean', short: 'r' },
    verbose: { type: 'boolean', short: 'v' },
    debug: { type: 'boolean', short: 'd' }
  }
}
