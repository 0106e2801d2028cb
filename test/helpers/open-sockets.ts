/**
 * The TCP connections this process holds to a local port, read from /proc
 * (Linux): how many connections a pooled backend really keeps open, and
 * proof that close() left none behind. A socket counts while its file
 * descriptor is open, whatever its TCP state.
 */
import { readdir, readFile, readlink } from 'node:fs/promises'

/** Open sockets of this process whose remote end is 127.0.0.1:`port`. */
export async function socketsTo (port: number): Promise<number> {
  const inodes = await ownSocketInodes()
  const text = await readFile('/proc/net/tcp', 'utf8')
  const remote = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`
  let n = 0
  for (const line of text.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/)
    // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
    if (cols[2] === remote && cols[9] !== undefined && inodes.has(cols[9])) n++
  }
  return n
}

async function ownSocketInodes (): Promise<Set<string>> {
  const out = new Set<string>()
  for (const fd of await readdir('/proc/self/fd')) {
    const target = await readlink(`/proc/self/fd/${fd}`).catch(() => '')
    const m = /^socket:\[(\d+)\]$/.exec(target)
    if (m?.[1] !== undefined) out.add(m[1])
  }
  return out
}

/** Pids of every process descended from `pid` (its children, theirs, ...). */
export async function descendantsOf (pid: number): Promise<number[]> {
  const parent = new Map<number, number>()
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '')
    // The ppid is the second field after the ")" that ends the command name.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
    if (Number.isInteger(ppid)) parent.set(Number(name), ppid)
  }
  const out: number[] = []
  let frontier = [pid]
  while (frontier.length > 0) {
    frontier = [...parent].filter(([, pp]) => frontier.includes(pp)).map(([p]) => p)
    out.push(...frontier)
  }
  return out
}
