/**
 * Where a daemon's control socket lives: one per mountpoint, named by a
 * hash of the canonical mountpoint, in a folder only the mounting user can
 * enter. The folder is the real protection (Node cannot check a peer's
 * credentials), so it is created 0700 and refused when someone else owns it
 * or it is a symlink; the socket's own 0600 is a second lock.
 *
 *   root:   /run/stalk/<hash>.sock
 *   others: $XDG_RUNTIME_DIR/stalk/<hash>.sock, else /run/user/<uid>/stalk/…,
 *           else /tmp/stalk-<uid>/… (the first whose parent exists)
 *
 * A daemon started by mount(8) or systemd may not see the XDG_RUNTIME_DIR
 * of the user's shell, so clients look in every candidate folder.
 */
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { chmod, lstat, mkdir } from 'node:fs/promises'
import { dirname, join } from 'node:path'

export interface SocketPathOptions {
  /** Default process.getuid(). */
  readonly uid?: number
  /** For XDG_RUNTIME_DIR; default process.env. */
  readonly env?: NodeJS.ProcessEnv
}

/** sun_path holds 108 bytes including the terminating NUL. */
const MAX_SOCKET_PATH = 107

function uidOf (o: SocketPathOptions): number {
  return o.uid ?? process.getuid?.() ?? -1
}

/** Where this user's control sockets may be, in order of preference. */
export function controlDirs (o: SocketPathOptions = {}): string[] {
  const uid = uidOf(o)
  if (uid === 0) return ['/run/stalk']
  const runtime = (o.env ?? process.env)['XDG_RUNTIME_DIR']
  const dirs = runtime !== undefined && runtime.startsWith('/') ? [join(runtime, 'stalk')] : []
  // Not os.tmpdir(): TMPDIR may differ between the daemon and the shell asking it.
  for (const d of [`/run/user/${uid}/stalk`, `/tmp/stalk-${uid}`]) if (!dirs.includes(d)) dirs.push(d)
  return dirs
}

/** The folder a daemon puts its socket in: the first candidate whose parent exists. */
export function controlDir (o: SocketPathOptions = {}): string {
  const dirs = controlDirs(o)
  return dirs.find(d => existsSync(dirname(d))) ?? dirs[dirs.length - 1] ?? '/tmp'
}

/** The control socket of the daemon mounted at `mountpoint` (absolute and canonical, as mountinfo lists it). */
export function socketPath (mountpoint: string, o: SocketPathOptions = {}): string {
  return inDir(controlDir(o), mountpoint)
}

/** Every place the socket of `mountpoint` may be, the daemon's own choice first (for clients). */
export function socketPaths (mountpoint: string, o: SocketPathOptions = {}): string[] {
  const first = socketPath(mountpoint, o)
  return [first, ...controlDirs(o).map(d => inDir(d, mountpoint)).filter(p => p !== first)]
}

function inDir (dir: string, mountpoint: string): string {
  const hash = createHash('sha256').update(mountpoint).digest('hex').slice(0, 32)
  const path = join(dir, `${hash}.sock`)
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH) {
    throw new Error(`control socket path ${path} is longer than ${MAX_SOCKET_PATH} bytes; set XDG_RUNTIME_DIR to a shorter folder`)
  }
  return path
}

/**
 * Creates `dir` (0700) if needed and makes sure only `uid` can enter it.
 * A folder owned by someone else is refused rather than used: in a shared
 * /tmp another user could have made it first to read or plant sockets.
 */
export async function ensureControlDir (dir: string, o: SocketPathOptions = {}): Promise<void> {
  const uid = uidOf(o)
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const st = await lstat(dir)
  if (st.isSymbolicLink() || !st.isDirectory()) throw new Error(`control folder ${dir} is not a directory (a symlink?); remove it`)
  if (st.uid !== uid) throw new Error(`control folder ${dir} belongs to uid ${st.uid}, not ${uid}; remove it`)
  // mkdir leaves an existing folder's mode alone, and the umask may have narrowed a new one oddly.
  if ((st.mode & 0o777) !== 0o700) await chmod(dir, 0o700)
}
