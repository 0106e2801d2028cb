import { readFileSync } from 'node:fs'

export interface MountEntry {
  readonly mountpoint: string
  readonly fstype: string
  readonly source: string
  /** The connection's minor device number: the id under /sys/fs/fuse/connections. */
  readonly minor: number
  /** The superblock options, e.g. "rw,user_id=1000,group_id=1000" for FUSE (user_id: who mounted it). */
  readonly superOptions: string
}

/** Undoes mountinfo's octal escapes (\040 for space, \011 tab, \012 newline, \134 backslash). */
function unescape (s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)))
}

/** Parses /proc/self/mountinfo text (proc(5)): fields before " - " then fstype and source. */
export function parseMountinfo (text: string): MountEntry[] {
  const out: MountEntry[] = []
  for (const line of text.split('\n')) {
    if (line === '') continue
    const [left, right] = line.split(' - ')
    if (left === undefined || right === undefined) continue
    const f = left.split(' ')
    const r = right.split(' ')
    const mp = f[4]
    const dev = f[2]
    if (mp === undefined || dev === undefined || r[0] === undefined) continue
    out.push({
      mountpoint: unescape(mp),
      fstype: r[0],
      source: unescape(r[1] ?? ''),
      minor: Number(dev.split(':')[1] ?? -1),
      superOptions: r[2] ?? ''
    })
  }
  return out
}

/** The topmost mount at exactly `path` (absolute, resolved), if any. Reading mountinfo never touches the FUSE fs itself. */
export function findMount (path: string, file = '/proc/self/mountinfo'): MountEntry | undefined {
  const entries = parseMountinfo(readFileSync(file, 'utf8')).filter(e => e.mountpoint === path)
  return entries[entries.length - 1]
}
