/**
 * End-to-end runs of `stem -r` (pull mode) and the probes its tests use.
 * Pull mode has no state lock, so the daemon is found by its command line
 * (the test's own config path and mountpoint; the worker that holds the
 * mount has `--foreground`) and tracked for the teardown of stemDirs, which
 * kills it and detaches the mount.
 *
 *   const d = await pullDirs(t)                           // stemDirs + d.cache
 *   await writeStemConfig(d, { global: pullGlobal(d), f: { name, origin } })
 *   const m = await mountPull(d)                          // m.code, m.stderr, m.pid (the worker)
 *   const r = await tool('cat', [join(d.mnt, 'f')])       // code, stdout (Buffer), stderr
 *   await unmountPull(d, m.pid)
 *
 * Files in the mount are read by child processes (cat, ls, dd) under a
 * time limit: a hung FUSE op then fails the test instead of blocking the
 * test process's thread pool.
 */
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Test } from 'tap'
import { processesMentioning, waitForNoProcess } from './process-list.js'
import { runStem, STEM_BIN, stemDirs, track, unmountStem, type StemDirs, type StemExit } from './stem.js'
import type { Section } from './stem-config.js'
import { waitFor } from './wait-for.js'

export interface PullDirs extends StemDirs {
  /** The persistent cache dir the test configures (created by stem). */
  readonly cache: string
}

export async function pullDirs (t: Test): Promise<PullDirs> {
  const d = await stemDirs(t, 'stalk-pull-')
  return { ...d, cache: join(d.base, 'cache') }
}

/** [global] with the test's cache dir and log file; `over` wins (cachedir: undefined = private cache). */
export function pullGlobal (d: PullDirs, over: Section = {}): Section {
  return { cachedir: d.cache, log: d.log, ...over }
}

export interface PullMount extends StemExit { readonly pid: number | undefined }

/** `stem -r -c CONFIG ARGS MNT` in the background; `env` is added to the daemon's environment. */
export async function mountPull (d: StemDirs, o: { args?: readonly string[]; env?: Readonly<Record<string, string>> } = {}): Promise<PullMount> {
  const env = Object.entries(o.env ?? {}).map(([k, v]) => `${k}=${v}`)
  const command = env.length === 0 ? undefined : ['/usr/bin/env', ...env, process.execPath, STEM_BIN]
  const r = await runStem(['-r', '-c', d.config, ...(o.args ?? []), d.mnt], { timeoutMs: 60_000, ...(command === undefined ? {} : { command }) })
  const procs = r.code === 0 ? await pullDaemons(d) : []
  // Any supervisor first: one would restart a worker killed before it.
  for (const p of [...procs].sort((a, b) => Number(a.worker) - Number(b.worker))) track(d, p.pid)
  return { ...r, pid: procs.find(p => p.worker)?.pid }
}

/** The processes of this test's daemon: the worker (`--foreground`, holds the mount) and any supervisor. */
export async function pullDaemons (d: StemDirs): Promise<Array<{ readonly pid: number; readonly worker: boolean }>> {
  const out: Array<{ pid: number; worker: boolean }> = []
  for (const pid of await processesMentioning(d.config)) {
    const argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0')
    if (argv.includes(d.mnt)) out.push({ pid, worker: argv.includes('--foreground') })
  }
  return out
}

/** `umount MNT`, then waits until every process of the daemon has exited (throws if one stays). */
export async function unmountPull (d: StemDirs, pid: number | undefined): Promise<void> {
  await unmountStem(d, pid)
  const left = await waitForNoProcess(d.config, 15_000)
  if (left.length > 0) throw new Error(`after umount ${d.mnt}, processes ${left.join(', ')} still run`)
}

export interface ToolRun {
  readonly code: number
  readonly stdout: Buffer
  readonly stderr: string
}

/** Runs a program to its end (killed after `timeoutMs`); never throws for a non-zero exit. */
export function tool (file: string, args: readonly string[], timeoutMs = 30_000): Promise<ToolRun> {
  return new Promise(resolve => {
    execFile(file, args, { encoding: 'buffer', timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1
      resolve({ code, stdout, stderr: stderr.toString() })
    })
  })
}

export function sha256 (b: Buffer): string {
  return createHash('sha256').update(b).digest('hex')
}

/** `ls -l DIR` as name → size (the size column of each regular file). */
export async function listSizes (dir: string): Promise<Map<string, number>> {
  const r = await tool('ls', ['-l', dir])
  if (r.code !== 0) throw new Error(`ls -l ${dir} failed (${r.code}): ${r.stderr}`)
  const sizes = new Map<string, number>()
  for (const line of r.stdout.toString().split('\n')) {
    const f = line.trim().split(/\s+/)
    if (f.length >= 9 && line.startsWith('-')) sizes.set(f.slice(8).join(' '), Number(f[4]))
  }
  return sizes
}

export interface AccessLine { readonly method: string; readonly path: string; readonly status: number }

/** Requests for `path` in nginx's access log (format of nginx-config.ts: CONN N HOST "REQUEST" STATUS). */
export async function requestsFor (accessLog: string, path: string): Promise<AccessLine[]> {
  const text = await readFile(accessLog, 'utf8').catch(() => '')
  const out: AccessLine[] = []
  for (const m of text.matchAll(/"(\w+) (\S+) [^"]*" (\d{3})/g)) {
    if (m[2] === path) out.push({ method: m[1] ?? '', path, status: Number(m[3]) })
  }
  return out
}

/** How many requests of `method` for `path` nginx logged. */
export async function countRequests (accessLog: string, path: string, method = 'GET'): Promise<number> {
  return (await requestsFor(accessLog, path)).filter(r => r.method === method).length
}

/** Waits until the daemon's log file has a line containing every one of `parts`; returns that line. */
export async function logLine (d: StemDirs, ...parts: readonly string[]): Promise<string> {
  return await waitFor(`a log line with ${parts.join(', ')} in ${d.log}`, async () => {
    const text = await readFile(d.log, 'utf8').catch(() => '')
    return text.split('\n').find(l => parts.every(p => l.includes(p)))
  }, { timeoutMs: 10_000 })
}
