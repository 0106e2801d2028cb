/**
 * The one table of mount options that mount.fuse.stalk accepts and drops.
 * Each is either read by someone before us (mount(8), `mount -a`, systemd's
 * fstab generator, desktops) or a kernel mount flag mount(8) passes on that
 * changes nothing for a stalk mount. Options that ask for something stalk
 * cannot give (noexec, sync …) are not here: they are refused, see
 * mount-options.ts, so that nobody believes a mount is safer than it is.
 */

export interface IgnoredOption {
  /** The option name; with `prefix`, every option starting with it (value or not). */
  readonly name: string
  readonly prefix?: true
  /** Why dropping it is right; shown by `mount -v`. */
  readonly why: string
}

const FSTAB = 'read by mount(8) and systemd before the helper runs'
const WHO = 'who may mount: checked by mount(8)'
const ALWAYS = 'always in effect on a stalk mount (libfuse mounts nosuid,nodev)'
const DEFAULT = 'the kernel default already'
const ATIME = 'stalk reports the backing files\' times; the kernel\'s access-time policy changes nothing it stores'

export const IGNORED_OPTIONS: readonly IgnoredOption[] = [
  { name: 'defaults', why: 'shorthand for the defaults, which stalk uses anyway' },
  { name: 'auto', why: FSTAB },
  { name: 'noauto', why: FSTAB },
  { name: '_netdev', why: 'ordering after the network: ' + FSTAB },
  { name: 'nofail', why: 'boot must not fail on it: ' + FSTAB },
  { name: 'user', why: WHO },
  { name: 'users', why: WHO },
  { name: 'nouser', why: WHO },
  { name: 'owner', why: WHO },
  { name: 'group', why: WHO },
  { name: 'user=', prefix: true, why: 'mount(8) records which user mounted' },
  { name: 'x-', prefix: true, why: 'userspace options for mount(8), systemd (x-systemd.*) and desktops' },
  { name: 'comment=', prefix: true, why: 'a comment for other tools (comment=systemd.*)' },
  { name: 'nosuid', why: ALWAYS },
  { name: 'nodev', why: ALWAYS },
  { name: 'default_permissions', why: 'always on: the kernel checks modes and owners' },
  { name: 'exec', why: DEFAULT },
  { name: 'async', why: DEFAULT },
  { name: 'nomand', why: DEFAULT },
  { name: 'atime', why: ATIME },
  { name: 'noatime', why: ATIME },
  { name: 'relatime', why: ATIME },
  { name: 'norelatime', why: ATIME },
  { name: 'strictatime', why: ATIME },
  { name: 'nostrictatime', why: ATIME },
  { name: 'diratime', why: ATIME },
  { name: 'nodiratime', why: ATIME },
  { name: 'lazytime', why: ATIME },
  { name: 'nolazytime', why: ATIME },
  { name: 'iversion', why: 'no meaning for FUSE' },
  { name: 'noiversion', why: 'no meaning for FUSE' },
  { name: 'silent', why: 'kernel log verbosity of the mount call; no meaning for FUSE' },
  { name: 'loud', why: 'kernel log verbosity of the mount call; no meaning for FUSE' }
]

/** Why `raw` (an option as written, `name` or `name=value`) is dropped, or undefined when the table does not have it. */
export function ignoredBecause (raw: string): string | undefined {
  const name = raw.includes('=') ? raw.slice(0, raw.indexOf('=')) : raw
  for (const o of IGNORED_OPTIONS) {
    if (o.prefix === true ? raw.startsWith(o.name) : name === o.name && !raw.includes('=')) return o.why
  }
  return undefined
}
