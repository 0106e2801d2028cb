/**
 * One daemon per state dir: two daemons replaying and compacting the same
 * journal would lose each other's records. The lock is a file holding the
 * owner's pid and its start time from /proc, so that a lock left by a crashed
 * daemon is taken over (a recycled pid, common in containers, does not count
 * as the owner) and never blocks a mount.
 */
import { link, readFile, rename, unlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

export const LOCK_FILE = 'lock'

export class StateLockedError extends Error {
  readonly pid: number
  constructor (file: string, pid: number) {
    super(`${file} is held by running process ${pid}: another stalk uses this state dir`)
    this.name = 'StateLockedError'
    this.pid = pid
  }
}

export interface StateLock {
  readonly file: string
  release(): Promise<void>
}

interface Owner { readonly pid: number; readonly start: string | undefined }

/** Lock files this process holds, so that a second open in the same process is refused. */
const heldHere = new Set<string>()

/** Fields after the command name in /proc/PID/stat: [0] is the state (field 3), [19] the start time in clock ticks (field 22). */
async function statFields (pid: number): Promise<string[] | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
    // The command name (field 2) may contain spaces; fields after its ')' are plain.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  } catch {
    return undefined
  }
}

/** Field 22 of /proc/PID/stat (start time in clock ticks), or undefined off Linux. */
async function startTimeOf (pid: number): Promise<string | undefined> {
  return (await statFields(pid))?.[19]
}

function parseOwner (text: string): Owner | undefined {
  const m = /^(\d+)(?: (\d+))?\n?$/.exec(text)
  if (m?.[1] === undefined) return undefined
  return { pid: Number(m[1]), start: m[2] }
}

async function isAlive (owner: Owner, file: string): Promise<boolean> {
  if (owner.pid === process.pid) return heldHere.has(file)
  try {
    process.kill(owner.pid, 0)
  } catch (err) {
    // EPERM: the process exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
  const fields = await statFields(owner.pid)
  // A killed daemon stays a zombie until its parent reaps it, which a container's
  // PID 1 may do late or never; a zombie holds nothing, so its lock is stale.
  if (fields?.[0] === 'Z' || fields?.[0] === 'X') return false
  const start = fields?.[19]
  return owner.start === undefined || start === undefined || start === owner.start
}

async function readText (file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}

/**
 * Moves a stale lock aside. Rename is atomic, so of two daemons taking over at
 * once only one moves the stale file; if what we moved is not what we judged
 * stale (another daemon had already replaced it), we put it back.
 */
async function removeStale (file: string, staleText: string): Promise<void> {
  const aside = `${file}.stale.${process.pid}`
  try {
    await rename(file, aside)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return
    throw err
  }
  if (await readText(aside) !== staleText) {
    await link(aside, file).catch(() => {})
  }
  await unlink(aside).catch(() => {})
}

async function tryCreate (file: string, content: string): Promise<boolean> {
  // Written in full before it appears under its name, so nobody reads half a lock.
  const tmp = `${file}.${process.pid}.tmp`
  await writeFile(tmp, content)
  try {
    await link(tmp, file)
    return true
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw err
  } finally {
    await unlink(tmp).catch(() => {})
  }
}

const ATTEMPTS = 5

/** Takes the lock of `dir` (which must exist), or throws StateLockedError if a live process holds it. */
export async function acquireStateLock (dir: string): Promise<StateLock> {
  const file = join(dir, LOCK_FILE)
  const start = await startTimeOf(process.pid)
  const content = start === undefined ? `${process.pid}\n` : `${process.pid} ${start}\n`
  for (let i = 0; i < ATTEMPTS; i++) {
    if (await tryCreate(file, content)) {
      heldHere.add(file)
      return { file, release: () => release(file, content) }
    }
    const text = await readText(file)
    if (text === undefined) continue
    const owner = parseOwner(text)
    if (owner !== undefined && await isAlive(owner, file)) throw new StateLockedError(file, owner.pid)
    await removeStale(file, text)
  }
  throw new Error(`could not take ${file}: it kept changing under us`)
}

async function release (file: string, content: string): Promise<void> {
  if (!heldHere.delete(file)) return
  // Only our own lock: after a takeover by another daemon the file is theirs.
  if (await readText(file) === content) await unlink(file).catch(() => {})
}
