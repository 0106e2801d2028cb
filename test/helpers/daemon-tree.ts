/**
 * The background daemon is two processes: a supervisor (detached, started by
 * `stem`) and its worker, which mounts and holds the state lock. Tests find
 * the worker by the lock (stem.ts daemonPid) and its supervisor here.
 *
 *   const sup = await supervisorOf(worker)   // undefined for `stem -f`
 *   await killWholeDaemon(worker)            // a crash the supervisor cannot repair: the mount stays dead
 */
import { readFile } from 'node:fs/promises'
import { SUPERVISOR_ENV } from '../../src/cli/daemonize.js'
import { waitForExit } from './wait-for.js'

/** The parent of `pid` when that parent is a stalk supervisor (its environment says so). */
export async function supervisorOf (pid: number): Promise<number | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')
  // Field 4 (ppid) is the second after the command name, which may itself contain ") ".
  const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
  if (!Number.isInteger(ppid) || ppid <= 1) return undefined
  const env = await readFile(`/proc/${ppid}/environ`, 'utf8').catch(() => '')
  return env.split('\0').includes(`${SUPERVISOR_ENV}=1`) ? ppid : undefined
}

/**
 * SIGKILLs the supervisor of `worker` first (else it would restart the
 * worker), then the worker: what an OOM kill of both leaves behind.
 */
export async function killWholeDaemon (worker: number): Promise<void> {
  const supervisor = await supervisorOf(worker)
  if (supervisor !== undefined) {
    process.kill(supervisor, 'SIGKILL')
    await waitForExit(supervisor)
  }
  process.kill(worker, 'SIGKILL')
}
