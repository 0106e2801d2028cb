/**
 * Runs a test server as a child of the test process: on a free port, with
 * its output in a log file, ready only once it has greeted a client with its
 * banner ("SSH-2.0-", "@RSYNCD:"), which proves it accepts connections and
 * not just that the port is bound. A port taken in the meantime is retried
 * with a new one. Children still alive when the test process exits are
 * killed, so a crashed test leaves no server behind.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { closeSync, openSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { connect } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { freePort } from './free-port.js'

export interface DaemonSpec {
  readonly argv: readonly string[]
  readonly logFile: string
}

export interface DaemonProcess {
  readonly pid: number
  readonly port: number
  /** SIGTERM, then SIGKILL after 3 s; resolves once the process is gone. Safe to call twice. */
  stop: () => Promise<void>
}

const live = new Set<ChildProcess>()
process.once('exit', () => { for (const c of live) c.kill('SIGKILL') })

export async function startOnFreePort (name: string, banner: string,
  build: (port: number) => Promise<DaemonSpec>, timeoutMs = 10_000): Promise<DaemonProcess> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort()
    const spec = await build(port)
    const child = launch(spec)
    const ready = await waitForBanner(port, banner, child, timeoutMs)
    if (ready === true) return { pid: child.pid ?? -1, port, stop: () => stopChild(child) }
    await stopChild(child)
    const log = await readFile(spec.logFile, 'utf8').catch(() => '')
    if (/Address already in use/i.test(log) && attempt < 5) continue
    throw new Error(`${name} did not start (${ready}); its log ${spec.logFile} says:\n${log.slice(-2000)}`)
  }
}

function launch (spec: DaemonSpec): ChildProcess {
  const [cmd, ...args] = spec.argv
  if (cmd === undefined) throw new TypeError('empty argv')
  const fd = openSync(spec.logFile, 'a')
  try {
    const child = spawn(cmd, args, { stdio: ['ignore', fd, fd] })
    live.add(child)
    child.once('exit', () => { live.delete(child) })
    child.once('error', () => { live.delete(child) })
    return child
  } finally {
    closeSync(fd)
  }
}

/** true when the banner arrived; otherwise why not. */
async function waitForBanner (port: number, banner: string, child: ChildProcess, timeoutMs: number): Promise<true | string> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) return `exited with ${child.exitCode ?? child.signalCode}`
    const greeting = await readGreeting(port)
    if (greeting?.startsWith(banner) === true) return true
    await sleep(25)
  }
  return `no "${banner}" banner within ${timeoutMs} ms`
}

function readGreeting (port: number): Promise<string | undefined> {
  return new Promise(resolve => {
    const sock = connect({ host: '127.0.0.1', port })
    const finish = (s: string | undefined): void => { sock.destroy(); resolve(s) }
    sock.setTimeout(2000, () => { finish(undefined) })
    sock.once('error', () => { finish(undefined) })
    sock.once('data', (b: Buffer) => { finish(b.toString('latin1')) })
    sock.once('end', () => { finish(undefined) })
  })
}

async function stopChild (child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const gone = new Promise<void>(resolve => child.once('exit', () => { resolve() }))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000)
  await gone
  clearTimeout(timer)
}
