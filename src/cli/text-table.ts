/**
 * Plain-text tables for stem's human output: columns padded to their widest
 * cell, the last one not padded (so a long reason never pushes the others
 * around), cells kept on one line.
 */

/** Renders `rows` under `header`; every line starts with `indent`. */
export function textTable (header: readonly string[], rows: readonly (readonly string[])[], indent = ''): string {
  const all = [header, ...rows].map(r => r.map(oneLine))
  const widths = header.map((_, i) => Math.max(...all.map(r => (r[i] ?? '').length)))
  return all.map(r => indent + r.map((cell, i) => i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n')
}

/** Newlines (ssh's and rsync's stderr) become " / " so that one row stays one line. */
export function oneLine (s: string): string {
  return s.trim().split(/\s*\n\s*/).join(' / ')
}

/** "1.2 KiB", "340 B", "12.0 MiB". */
export function formatBytes (n: number): string {
  if (n < 1024) return `${n} B`
  const units = ['KiB', 'MiB', 'GiB', 'TiB']
  let v = n / 1024
  let u = 0
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++ }
  return `${v.toFixed(1)} ${units[u] ?? 'TiB'}`
}

/** "45s", "3m 20s", "2h 05m", "3d 4h": two units at most. */
export function formatDuration (ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000))
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`
  if (s < 86400) return `${Math.floor(s / 3600)}h ${String(Math.floor(s / 60) % 60).padStart(2, '0')}m`
  return `${Math.floor(s / 86400)}d ${Math.floor(s / 3600) % 24}h`
}
