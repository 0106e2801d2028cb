import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { Writable } from 'node:stream'

/** pino levels → syslog severities (RFC 5424), facility daemon (3). */
const severity: Record<number, number> = { 10: 7, 20: 7, 30: 6, 40: 4, 50: 3, 60: 2 }
const FACILITY_DAEMON = 3

/**
 * Sends log lines to syslog through util-linux `logger` reading stdin (Node
 * has no unix datagram sockets). One long-lived child, argv only.
 * Returns undefined when there is no /dev/log (containers, minimal systems).
 */
export function createSyslogStream (tag: string, socket = '/dev/log'): Writable | undefined {
  if (!existsSync(socket)) return undefined
  const child: ChildProcess = spawn('logger', ['--socket', socket, '--prio-prefix', '-t', tag], {
    stdio: ['pipe', 'ignore', 'ignore']
  })
  child.on('error', () => { /* logger missing: syslog is best effort */ })
  child.unref()
  const stdin = child.stdin
  if (!stdin) return undefined
  stdin.on('error', () => { /* logger exited: drop syslog lines rather than crash */ })
  return new Writable({
    write (chunk: Buffer | string, _enc, cb) {
      stdin.write(toSyslogLine(chunk.toString()))
      cb()
    },
    final (cb) { stdin.end(); cb() }
  })
}

/** One pino JSON line → "<PRI>msg key=value…" (logger reads the priority prefix). */
export function toSyslogLine (json: string): string {
  let rec: Record<string, unknown>
  try { rec = JSON.parse(json) as Record<string, unknown> } catch { return json }
  const level = typeof rec['level'] === 'number' ? rec['level'] : 30
  const pri = FACILITY_DAEMON * 8 + (severity[level] ?? 6)
  const skip = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'name'])
  const extra = Object.entries(rec).filter(([k]) => !skip.has(k)).map(([k, v]) => `${k}=${JSON.stringify(v)}`)
  const msg = typeof rec['msg'] === 'string' ? rec['msg'] : ''
  return `<${pri}>${[msg, ...extra].join(' ').replace(/\n/g, ' ')}\n`
}
