/**
 * Which processes on this machine mention a string in their command line:
 * after an abort, no rsync or ssh naming the test's unique root folder may
 * be left. Reads /proc (Linux), skipping processes that end while we look.
 */
import { readdir, readFile } from 'node:fs/promises'
import { setTimeout as sleep } from 'node:timers/promises'

export async function processesMentioning (needle: string): Promise<number[]> {
  const pids: number[] = []
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue
    const cmdline = await readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => '')
    if (cmdline.split('\0').some(arg => arg.includes(needle))) pids.push(Number(name))
  }
  return pids
}

/** Polls until no process mentions `needle` or `timeoutMs` passes; returns those left. */
export async function waitForNoProcess (needle: string, timeoutMs = 2000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const left = await processesMentioning(needle)
    if (left.length === 0 || Date.now() > deadline) return left
    await sleep(50)
  }
}
