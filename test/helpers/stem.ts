/**
 * Runs the real `stem` command (bin/stem.js, built to dist/) for end-to-end
 * tests, and makes sure nothing it starts outlives the test:
 *
 *   const d = await stemDirs(t)                     // root, mnt, target, state, log under one temp folder
 *   await writeStemConfig(d, { global: testGlobal(d), target: { local: d.target } })
 *   const r = await mountStem(d)                    // background start: r.code, r.stderr, r.pid (the daemon)
 *   const fg = startForeground(d); await fgMounted(d, fg)   // -f as a child we control
 *   await unmountStem(d)                            // umount, then wait for the daemon to exit
 *
 * Teardown (registered by stemDirs, so it runs before the folder is
 * removed) SIGKILLs every daemon of the test that is still alive (a
 * background daemon's supervisor before its worker, daemon-tree.ts) and then
 * detaches the mount with `fusermount -uz`, also after a failed assertion.
 */
import { execFile, spawn } from 'node:child_process'
import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Test } from 'tap'
import { fusermountUnmount } from '../../src/mount/fusermount.js'
import { findMount, type MountEntry } from '../../src/mount/mountinfo.js'
import { supervisorOf } from './daemon-tree.js'
import type { StemPaths } from './stem-config.js'
import { tmpDir } from './tmp.js'
import { pidAlive, waitFor, waitForExit } from './wait-for.js'

export { recorderSection, testGlobal, writeStemConfig } from './stem-config.js'

export const PROJECT_DIR = fileURLToPath(new URL('../..', import.meta.url))
export const STEM_BIN = join(PROJECT_DIR, 'bin/stem.js')

export interface StemDirs extends StemPaths {
  /** Daemon pids of this test, killed in teardown if still alive. */
  readonly pids: Set<number>
}

export interface StemExit {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

/** Every daemon any test in this process started: a crashed test process takes them down with it. */
const everyPid = new Set<number>()
process.once('exit', () => { for (const pid of everyPid) killHard(pid) })

export async function stemDirs (t: Test, prefix = 'stalk-e2e-'): Promise<StemDirs> {
  const base = await tmpDir(t, prefix)
  const d: StemDirs = {
    base, root: join(base, 'root'), mnt: join(base, 'mnt'), target: join(base, 'target'), state: join(base, 'state'),
    log: join(base, 'stem.log'), config: join(base, 'stalk.cf'), rounds: join(base, 'rounds.jsonl'), pids: new Set()
  }
  for (const dir of [d.root, d.mnt, d.target]) await mkdir(dir)
  // Registered after tmpDir's removal, so it runs first (tap runs teardowns last-in, first-out).
  t.teardown(() => cleanUp(d))
  return d
}

/** Runs `node bin/stem.js ARGS` (or `command`) to its end; a run past `timeoutMs` is killed and shows as a signal. */
export function runStem (args: readonly string[], o: { timeoutMs?: number; command?: readonly string[] } = {}): Promise<StemExit> {
  const [cmd, ...pre] = o.command ?? [process.execPath, STEM_BIN]
  return new Promise((resolve, reject) => {
    const child = spawn(cmd ?? process.execPath, [...pre, ...args], { cwd: PROJECT_DIR, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (b: Buffer) => { stdout += b.toString() })
    child.stderr.on('data', (b: Buffer) => { stderr += b.toString() })
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 30_000)
    child.once('error', reject)
    child.once('close', (code, signal) => { clearTimeout(timer); resolve({ code, signal, stdout, stderr }) })
  })
}

/** `stem -c CONFIG ARGS MNT` in the background; on success the daemon's pid (from the journal's lock file) is kept for teardown. */
export async function mountStem (d: StemDirs, args: readonly string[] = []): Promise<StemExit & { readonly pid: number | undefined }> {
  const r = await runStem(['-c', d.config, ...args, d.mnt])
  const pid = r.code === 0 ? await daemonPid(d) : undefined
  const supervisor = pid === undefined ? undefined : await supervisorOf(pid)
  if (supervisor !== undefined) track(d, supervisor)
  if (pid !== undefined) track(d, pid)
  return { ...r, pid }
}

/**
 * The pid in STATE/lock ("PID STARTTIME"), if that very process still runs:
 * the start time (field 22 of /proc/PID/stat) must match, so a recycled pid
 * is never taken for the daemon (and never killed in teardown).
 */
export async function daemonPid (d: StemPaths): Promise<number | undefined> {
  const text = await readFile(join(d.state, 'lock'), 'utf8').catch(() => '')
  const [pidText, start] = text.trim().split(' ')
  const pid = Number(pidText)
  if (!Number.isInteger(pid) || pid <= 0 || !pidAlive(pid)) return undefined
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')
  const now = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]
  return start === undefined || start === now ? pid : undefined
}

export interface ForegroundStem {
  readonly pid: number
  readonly exited: Promise<StemExit>
  /** stderr so far: with -f the daemon logs there. */
  stderr(): string
}

/** `stem -f -v -c CONFIG ARGS MNT` as our child: its exit code and log stay observable. */
export function startForeground (d: StemDirs, args: readonly string[] = []): ForegroundStem {
  const child = spawn(process.execPath, [STEM_BIN, '-f', '-v', '-c', d.config, ...args, d.mnt], { cwd: PROJECT_DIR, stdio: ['ignore', 'pipe', 'pipe'] })
  if (child.pid === undefined) throw new Error('stem -f did not start')
  track(d, child.pid)
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (b: Buffer) => { stdout += b.toString() })
  child.stderr.on('data', (b: Buffer) => { stderr += b.toString() })
  const exited = new Promise<StemExit>(resolve => {
    child.once('close', (code, signal) => { resolve({ code, signal, stdout, stderr }) })
  })
  return { pid: child.pid, exited, stderr: () => stderr }
}

/** Waits until the foreground daemon's mount is live; fails with its output if it exits first. */
export async function fgMounted (d: StemDirs, fg: ForegroundStem, timeoutMs = 15_000): Promise<void> {
  let gone: StemExit | undefined
  void fg.exited.then(r => { gone = r })
  await waitFor(`stem -f to mount ${d.mnt}`, () => {
    if (gone !== undefined) throw new Error(`stem -f exited (${gone.code ?? gone.signal ?? '?'}): ${gone.stderr}`)
    return stalkMount(d.mnt) !== undefined
  }, { timeoutMs })
}

/** The mount at `mnt` if it is a stalk mount (mountinfo: fuse.stalk). */
export function stalkMount (mnt: string): MountEntry | undefined {
  const m = findMount(mnt)
  return m?.fstype === 'fuse.stalk' ? m : undefined
}

/** `umount MNT`, then waits until the daemon `pid` (default: the lock holder) has exited. */
export async function unmountStem (d: StemDirs, pid?: number, timeoutMs = 20_000): Promise<void> {
  const owner = pid ?? await daemonPid(d)
  await new Promise<void>((resolve, reject) => {
    execFile('umount', [d.mnt], (err, _o, stderr) => { err ? reject(new Error(`umount ${d.mnt}: ${stderr || err.message}`)) : resolve() })
  })
  if (owner !== undefined) await waitForExit(owner, timeoutMs)
}

/** JSON lines of a file (none when it does not exist yet). */
export async function readJsonLines<T> (file: string): Promise<T[]> {
  const text = await readFile(file, 'utf8').catch(() => '')
  return text.split('\n').filter(l => l !== '').map(l => JSON.parse(l) as T)
}

export function track (d: StemDirs, pid: number): void {
  d.pids.add(pid)
  everyPid.add(pid)
}

function killHard (pid: number): void {
  // The daemon may lead its own process group (background mode): take its rsync and ssh children too.
  for (const target of [-pid, pid]) {
    try { process.kill(target, 'SIGKILL') } catch { /* already gone, or not a group leader */ }
  }
}

/** Never throws: a throwing teardown would make tap skip the ones after it. */
async function cleanUp (d: StemDirs): Promise<void> {
  const lock = await daemonPid(d)
  if (lock !== undefined) d.pids.add(lock)
  // A supervisor restarts a worker killed before it, so supervisors go first.
  const supervisors = await Promise.all([...d.pids].map(supervisorOf))
  for (const pid of supervisors) if (pid !== undefined) track(d, pid)
  const order = [...new Set([...supervisors.filter(p => p !== undefined), ...d.pids])]
  for (const pid of order) {
    if (!pidAlive(pid)) continue
    killHard(pid)
    await waitForExit(pid, 5000).catch(() => {})
  }
  for (const pid of d.pids) everyPid.delete(pid)
  if (findMount(d.mnt) !== undefined) await fusermountUnmount(d.mnt).catch(() => {})
}
