/**
 * The readiness file of the container entrypoint, and the health check that
 * reads it. The file alone proves little (a SIGKILLed entrypoint leaves it
 * behind), so mountHealth also checks that its writer still runs, that the
 * kernel lists a stalk mount at the path and that the mount answers.
 */
import { mkdir, readFile, rename, rm, statfs, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { findMount } from '../../src/mount/mountinfo.js'

export interface ReadyInfo {
  readonly mountpoint: string
  readonly pid: number
  readonly mode: 'push' | 'pull'
  /** ISO 8601. */
  readonly readyAt: string
}

/** Written under a temporary name and renamed, so a reader never sees half a file. */
export async function writeReadyFile (file: string, info: ReadyInfo): Promise<void> {
  // 0700 as the control socket's folder must be when they share /run/stalk.
  await mkdir(dirname(file), { recursive: true, mode: 0o700 })
  const tmp = `${file}.${process.pid}.tmp`
  await writeFile(tmp, JSON.stringify(info) + '\n')
  await rename(tmp, file)
}

export async function removeReadyFile (file: string): Promise<void> {
  await rm(file, { force: true })
}

export async function readReadyFile (file: string): Promise<ReadyInfo | undefined> {
  const text = await readFile(file, 'utf8').catch(() => undefined)
  if (text === undefined) return undefined
  try { return JSON.parse(text) as ReadyInfo } catch { return undefined }
}

/** undefined when healthy, else why not. `mountpoint` (STALK_MOUNTPOINT) must match the file's, when given. */
export async function mountHealth (file: string, mountpoint: string | undefined, timeoutMs = 5000): Promise<string | undefined> {
  const info = await readReadyFile(file)
  if (info === undefined) return `not ready: no readiness file ${file}`
  if (mountpoint !== undefined && info.mountpoint !== mountpoint) return `the readiness file names ${info.mountpoint}, not ${mountpoint}`
  if (!alive(info.pid)) return `the entrypoint (pid ${info.pid}) is gone; the mount at ${info.mountpoint} is dead`
  const m = findMount(info.mountpoint)
  if (m?.fstype !== 'fuse.stalk') return `nothing from stalk is mounted at ${info.mountpoint}${m === undefined ? '' : ` (${m.fstype})`}`
  // statfs always reaches the daemon (the kernel never answers it from a cache): a hung or dead mount fails here.
  const answer = statfs(info.mountpoint).then(() => undefined, (err: NodeJS.ErrnoException) => `the mount at ${info.mountpoint} does not answer: ${err.code ?? err.message}`)
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<string>(resolve => { timer = setTimeout(() => resolve(`the mount at ${info.mountpoint} did not answer within ${timeoutMs} ms`), timeoutMs) })
  try { return await Promise.race([answer, late]) } finally { clearTimeout(timer) }
}

function alive (pid: number): boolean {
  try { process.kill(pid, 0); return true } catch (err) { return (err as NodeJS.ErrnoException).code === 'EPERM' }
}
