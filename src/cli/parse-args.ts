import { parseArgs } from 'node:util'
import { StemError } from '../exit-codes.js'
import { parseSubcommand, SUBCOMMAND_HELP, SUBCOMMAND_USAGE, type SubcommandArgs } from './parse-subcommand.js'

export interface MountArgs {
  readonly command: 'mount'
  readonly configFile: string
  readonly readOnly: boolean
  readonly allowOther: boolean
  readonly foreground: boolean
  readonly verbosity: 'warn' | 'info' | 'debug'
  /** Device name shown by mount(8); default "stalk". */
  readonly name: string
  readonly mountpoint: string
}

export type StemArgs = MountArgs | SubcommandArgs | { readonly command: 'help' } | { readonly command: 'version' }

export const DEFAULT_CONFIG = '/etc/stalk.cf'

/** The variable that, when set and not empty, replaces DEFAULT_CONFIG as the default of -c. */
export const CONFIG_ENV = 'STALK_CONFIG'

/**
 * The config file when no -c is given. Taken from the caller's environment
 * rather than process.env, so the parser stays a pure function of its input.
 */
export function defaultConfigFile (env: Readonly<Record<string, string | undefined>>): string {
  const v = env[CONFIG_ENV]
  return v === undefined || v === '' ? DEFAULT_CONFIG : v
}

export const USAGE = `usage: stem [-c CONFIG] [-r] [-a] [-f] [-v|-d] [-n NAME] MOUNTPOINT
${SUBCOMMAND_USAGE}

Mounts a stalk filesystem at MOUNTPOINT.
  push mode (default): a read-write view of [global] root; changes are
    mirrored to every [target] after [global] timeout quiet seconds, after
    the [plugin] triggers ran.
  pull mode (-r): a read-only folder of files fetched from their origins.

options:
  -c, --config PATH   config file (default $${CONFIG_ENV}, else ${DEFAULT_CONFIG})
  -r, --read-only     pull mode
  -a, --allow-other   let other users use the mount (FUSE allow_other)
  -f, --foreground    stay in the foreground, log to stderr
  -v, --verbose       log at info level
  -d, --debug         log at debug level, one line per filesystem operation
  -n, --name NAME     device name shown by mount(8) (default "stalk")
  -h, --help          this text
      --version       print the version

Without -f, stem returns once the mount is live (exit 0) or prints why it
is not and exits non-zero (exit codes: README.md).

${SUBCOMMAND_HELP}`

/**
 * Parses stem's command line; throws StemError('usage') with a one-line
 * reason. `env` is only read for STALK_CONFIG (main passes process.env).
 */
export function parseStemArgs (argv: readonly string[], env: Readonly<Record<string, string | undefined>> = {}): StemArgs {
  const defaultConfig = defaultConfigFile(env)
  const sub = parseSubcommand(argv, defaultConfig)
  if (sub !== undefined) return sub
  let parsed
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        config: { type: 'string', short: 'c' },
        'read-only': { type: 'boolean', short: 'r' },
        'allow-other': { type: 'boolean', short: 'a' },
        foreground: { type: 'boolean', short: 'f' },
        verbose: { type: 'boolean', short: 'v' },
        debug: { type: 'boolean', short: 'd' },
        name: { type: 'string', short: 'n' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' }
      }
    })
  } catch (err) {
    throw new StemError('usage', (err as Error).message)
  }
  const v = parsed.values
  if (v.help === true) return { command: 'help' }
  if (v.version === true) return { command: 'version' }
  const [mountpoint, ...extra] = parsed.positionals
  if (mountpoint === undefined) throw new StemError('usage', 'missing MOUNTPOINT')
  if (extra.length > 0) throw new StemError('usage', `unexpected argument: ${extra.join(' ')}`)
  if (v.name !== undefined && !/^[^\s,]+$/.test(v.name)) throw new StemError('usage', `-n ${v.name}: a device name cannot contain spaces or commas`)
  return {
    command: 'mount',
    configFile: v.config ?? defaultConfig,
    readOnly: v['read-only'] === true,
    allowOther: v['allow-other'] === true,
    foreground: v.foreground === true,
    verbosity: v.debug === true ? 'debug' : v.verbose === true ? 'info' : 'warn',
    name: v.name ?? 'stalk',
    mountpoint
  }
}
