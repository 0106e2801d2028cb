/**
 * Runs nginx in the foreground for a test and waits until it answers an
 * HTTP request (which proves a worker is serving, not just that the master
 * bound the ports). nginx sends no banner, so the banner-based
 * startOnFreePort of daemon-process.ts does not fit. Ports taken in the
 * meantime by someone else are retried with new ones.
 *
 * nginx runs under a small sh watchdog that holds a pipe from the test
 * process: when the test process ends in any way (even SIGKILL from a tap
 * timeout, when no exit handler runs), the pipe reaches EOF and the
 * watchdog stops nginx, so no server outlives its test.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { closeSync, openSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { request } from 'node:http'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import type { NginxFiles } from './nginx-config.js'

export interface NginxProcess {
  /** nginx's master process. */
  readonly pid: number
  readonly ports: readonly [number, number]
  /** Stops nginx (SIGTERM: a slow download in flight would hold up a graceful stop); safe to call twice. */
  stop: () => Promise<void>
}

// $1 is nginx, the rest its arguments. The reader gets the pipe through fd 3:
// a background job's stdin would otherwise be /dev/null.
const WATCHDOG = `exec 3<&0
"$@" </dev/null &
pid=$!
(read -r _ <&3; kill -TERM "$pid" 2>/dev/null) &
wait "$pid"`

export async function runNginx (nginx: string, f: NginxFiles,
  writeConfig: () => Promise<readonly [number, number]>, timeoutMs = 10_000): Promise<NginxProcess> {
  for (let attempt = 1; ; attempt++) {
    const ports = await writeConfig()
    const child = launch(nginx, f)
    const ready = await waitForHttp(ports[0], child, timeoutMs)
    if (ready === true) {
      const pid = Number((await readFile(join(f.dir, 'nginx.pid'), 'utf8')).trim())
      return { pid, ports, stop: () => stopChild(child, pid) }
    }
    await stopChild(child, undefined)
    const log = await readFile(f.errorLog, 'utf8').catch(() => '')
    if (/Address already in use/i.test(log) && attempt < 5) continue
    throw new Error(`nginx did not start (${ready}); its log ${f.errorLog} says:\n${log.slice(-2000)}`)
  }
}

function launch (nginx: string, f: NginxFiles): ChildProcess {
  const fd = openSync(f.errorLog, 'a')
  try {
    const argv = [nginx, '-e', f.errorLog, '-c', f.config, '-p', `${f.dir}/`, '-g', 'daemon off;']
    return spawn('/bin/sh', ['-c', WATCHDOG, 'nginx-watchdog', ...argv], { stdio: ['pipe', fd, fd] })
  } finally {
    closeSync(fd)
  }
}

async function waitForHttp (port: number, child: ChildProcess, timeoutMs: number): Promise<true | string> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) return `exited with ${child.exitCode ?? child.signalCode}`
    if (await answers(port)) return true
    await sleep(25)
  }
  return `no HTTP answer on port ${port} within ${timeoutMs} ms`
}

function answers (port: number): Promise<boolean> {
  return new Promise(resolve => {
    const req = request({ host: '127.0.0.1', port, path: '/', method: 'HEAD', agent: false, timeout: 2000 }, res => {
      res.resume()
      resolve(true)
    })
    req.once('timeout', () => { req.destroy() })
    req.once('error', () => { resolve(false) })
    req.end()
  })
}

/** Closing the pipe makes the watchdog stop nginx; SIGKILL to the master if it takes over 3 s. */
async function stopChild (child: ChildProcess, pid: number | undefined): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const gone = new Promise<void>(resolve => child.once('exit', () => { resolve() }))
  child.stdin?.end()
  const timer = setTimeout(() => {
    try { if (pid !== undefined) process.kill(pid, 'SIGKILL') } catch { /* already gone */ }
    child.kill('SIGKILL')
  }, 3000)
  await gone
  clearTimeout(timer)
}
