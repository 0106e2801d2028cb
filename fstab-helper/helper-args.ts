/**
 * The command line mount(8) gives a helper (mount(8), "External helpers"):
 *
 *   /sbin/mount.fuse.stalk spec dir [-sfnv] [-N namespace] [-o options] [-t type.subtype]
 *
 * Pure, like fstabToStemArgs, so that the convention is tested without mount(8).
 */

export interface HelperArgs {
  /** The first fstab field (mount's "spec"). */
  readonly device: string
  readonly mountpoint: string
  /** Every -o joined with commas (mount(8) passes one; a person may pass several). */
  readonly options: string
  /** -f: mount(8)'s fake run; check the options, mount nothing. */
  readonly fake: boolean
  /** -v: say what is run and which options are dropped. */
  readonly verbose: boolean
  /** -s: drop options stalk does not know instead of refusing them. */
  readonly sloppy: boolean
}

export const HELPER_USAGE = 'usage: mount.fuse.stalk DEVICE MOUNTPOINT [-sfnv] [-o OPTIONS] [-t fuse.stalk]'

/** Types this helper mounts: mount(8) names the helper after the first, people write the second. */
const OUR_TYPES = new Set(['fuse.stalk', 'stalk'])

/** The helper's arguments, or why they are not a helper call. */
export function parseHelperArgs (argv: readonly string[]): HelperArgs | { readonly error: string } {
  const positionals: string[] = []
  const options: string[] = []
  const flags = new Set<string>()
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? ''
    if (!arg.startsWith('-') || arg === '-') { positionals.push(arg); continue }
    // -oOPTS and -tTYPE are written joined at times; `-o OPTS` is mount(8)'s own form
    const letter = arg.charAt(1)
    if (letter === 'o' || letter === 't' || letter === 'N') {
      const value = arg.length > 2 ? arg.slice(2) : argv[++i]
      if (value === undefined) return { error: `-${letter} needs a value` }
      if (letter === 'N') return { error: '-N: mount namespaces are not supported; run mount inside the namespace' }
      if (letter === 't' && !OUR_TYPES.has(value)) return { error: `-t ${value}: this helper mounts fuse.stalk only` }
      if (letter === 'o') options.push(value)
      continue
    }
    for (const f of arg.slice(1)) {
      if (!'sfnv'.includes(f)) return { error: `unknown flag -${f}` }
      flags.add(f)
    }
  }
  const [device, mountpoint, ...extra] = positionals
  if (device === undefined || mountpoint === undefined) return { error: 'DEVICE and MOUNTPOINT are required' }
  if (extra.length > 0) return { error: `unexpected argument: ${extra.join(' ')}` }
  return {
    device,
    mountpoint,
    options: options.join(','),
    fake: flags.has('f'),
    verbose: flags.has('v'),
    sloppy: flags.has('s')
  }
}
