/**
 * What `mount -t fuse.stalk DEVICE MOUNTPOINT -o OPTIONS` means as a `stem`
 * command line. Pure: no file is read and nothing runs, so every option and
 * every refusal is tested without a mount (test/mount-options.test.ts).
 */
import { isAbsolute } from 'node:path'
import { DEFAULT_CONFIG } from '../src/cli/parse-args.js'
import { ignoredBecause } from './ignored-options.js'
import { splitMountOptions, type MountOption } from './split-options.js'

export interface FstabEnv {
  /** The config file when no config= is given (default /etc/stalk.cf, stem's own default). */
  readonly defaultConfig?: string
  /** mount -s: options stalk does not know are dropped with a warning instead of refused. */
  readonly sloppy?: boolean
}

export interface StemCommand {
  /** Arguments for `stem` (without the program). */
  readonly argv: string[]
  /** Options accepted and dropped, each with the reason (shown by mount -v). */
  readonly ignored: ReadonlyArray<{ readonly option: string; readonly why: string }>
}

/**
 * Kernel mount flags that ask for something a stalk mount cannot give.
 * Dropping them would leave a mount less restricted than /etc/fstab says,
 * so they are refused (also under mount -s).
 */
const UNSUPPORTED: ReadonlyMap<string, string> = new Map([
  ['noexec', 'stalk cannot mount noexec (user and users imply it: write user,exec in /etc/fstab)'],
  ['suid', 'stalk mounts are always nosuid'],
  ['dev', 'stalk mounts are always nodev'],
  ['sync', 'stalk cannot make every write synchronous'],
  ['dirsync', 'stalk cannot make directory changes synchronous'],
  ['mand', 'stalk does not support mandatory locks'],
  ['nosymfollow', 'stalk cannot refuse to follow symlinks']
])

/** Options that switch a stem flag on, in the order they are written to argv; none takes a value. */
const FLAGS: ReadonlyMap<string, string> = new Map([
  ['ro', '-r'],
  ['allow_other', '-a'],
  ['foreground', '-f'],
  ['verbose', '-v'],
  ['debug', '-d']
])

interface Wanted {
  readonly flags: Set<string>
  config: string | undefined
  rw: boolean
}

interface Refusal {
  readonly why: string
  /** Only an option stalk does not know may be dropped by mount -s. */
  readonly unknown?: true
}

/** stem's argv for one fstab mount, or the reason to refuse it (the offending option named). */
export function fstabToStemArgs (device: string, mountpoint: string, options: string, env: FstabEnv = {}): StemCommand | { readonly error: string } {
  const deviceError = checkDevice(device)
  if (deviceError !== undefined) return { error: deviceError }
  if (!isAbsolute(mountpoint)) return { error: `mountpoint ${mountpoint} is not an absolute path` }
  const list = splitMountOptions(options)
  if ('error' in list) return list
  const wanted: Wanted = { flags: new Set(), config: undefined, rw: false }
  const ignored: Array<{ option: string; why: string }> = []
  for (const o of list) {
    const why = ignoredBecause(o.raw)
    if (why !== undefined) { ignored.push({ option: o.raw, why }); continue }
    const refusal = take(o, wanted)
    if (refusal === undefined) continue
    if (env.sloppy === true && refusal.unknown === true) {
      ignored.push({ option: o.raw, why: 'unknown to stalk; dropped because of mount -s' })
      continue
    }
    return { error: `${o.raw}: ${refusal.why}` }
  }
  return { argv: stemArgv(device, mountpoint, wanted, env), ignored }
}

/** Records one meaningful option; returns why it is refused, if it is. */
function take (o: MountOption, w: Wanted): Refusal | undefined {
  if (o.name === 'config') {
    if (o.value === undefined || o.value === '') return { why: 'config needs a file: config=/etc/stalk/NAME.cf' }
    if (!isAbsolute(o.value)) return { why: 'the config file must be an absolute path (mount(8) may run from any folder)' }
    if (w.config !== undefined && w.config !== o.value) return { why: `contradicts config=${w.config}` }
    w.config = o.value
    return undefined
  }
  const unsupported = UNSUPPORTED.get(o.name)
  if (unsupported !== undefined) return { why: unsupported }
  if (o.name !== 'rw' && !FLAGS.has(o.name)) return { why: 'unknown option (stalk knows ro, rw, config=, allow_other, verbose, debug, foreground; see README.md)', unknown: true }
  if (o.value !== undefined) return { why: `${o.name} takes no value` }
  if (o.name === 'ro' && w.rw) return { why: 'contradicts rw: a mount is either push (rw) or pull (ro)' }
  if (o.name === 'rw' && w.flags.has('ro')) return { why: 'contradicts ro: a mount is either push (rw) or pull (ro)' }
  if (o.name === 'rw') w.rw = true
  else w.flags.add(o.name)
  return undefined
}

function stemArgv (device: string, mountpoint: string, w: Wanted, env: FstabEnv): string[] {
  const argv = ['-c', w.config ?? env.defaultConfig ?? DEFAULT_CONFIG]
  // stem takes -d over -v anyway; one of them keeps the command line plain.
  if (w.flags.has('debug')) w.flags.delete('verbose')
  for (const [name, flag] of FLAGS) if (w.flags.has(name)) argv.push(flag)
  // `none` is what fstab says when there is no device: stem's own name (stalk) stands.
  if (device !== 'none') argv.push('-n', device)
  argv.push(mountpoint)
  return argv
}

/** The device becomes libfuse's fsname=: an option value, so no comma, space or backslash. */
function checkDevice (device: string): string | undefined {
  if (device === '') return 'the device (first field of the fstab line) is empty: write stalk or a name of your own'
  if (!/^[^\s,\\]+$/.test(device)) return `device ${JSON.stringify(device)}: a device name cannot contain spaces, commas or backslashes`
  if (device.startsWith('-')) return `device ${device}: a device name cannot start with -`
  return undefined
}
