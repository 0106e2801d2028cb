#!/usr/bin/env node
// Small-file metadata workload, timed inside the process (Node start-up is
// not counted):
//
//   node bench/meta.mjs DIR [N=5000] [SIZE=4096]
//
// create: open(O_CREAT|O_EXCL|O_WRONLY) + write SIZE bytes + close, N times
// stat:   stat() every file
// unlink: unlink() every file
//
// DIR is created if missing and removed at the end if it is empty.
// Prints one JSON line: {"n","size","create_s","stat_s","unlink_s","total_s"}.
import { closeSync, constants, mkdirSync, openSync, rmdirSync, statSync, unlinkSync, writeSync } from 'node:fs'
import { join } from 'node:path'

const [dir, nArg = '5000', sizeArg = '4096'] = process.argv.slice(2)
const n = Number(nArg)
const size = Number(sizeArg)
if (!dir || !Number.isInteger(n) || n < 1 || !Number.isInteger(size) || size < 0) {
  console.error('usage: node bench/meta.mjs DIR [N=5000] [SIZE=4096]')
  process.exit(2)
}

mkdirSync(dir, { recursive: true })
const buf = Buffer.alloc(size, 0x61)
const names = Array.from({ length: n }, (_, i) => join(dir, 'f' + String(i).padStart(6, '0')))
const { O_CREAT, O_EXCL, O_WRONLY } = constants
const now = () => Number(process.hrtime.bigint()) / 1e9

const t0 = now()
for (const f of names) {
  const fd = openSync(f, O_CREAT | O_EXCL | O_WRONLY, 0o644)
  if (size > 0) writeSync(fd, buf, 0, size, 0)
  closeSync(fd)
}
const t1 = now()
let bytes = 0
for (const f of names) bytes += statSync(f).size
const t2 = now()
for (const f of names) unlinkSync(f)
const t3 = now()

try { rmdirSync(dir) } catch { /* not empty or already gone: leave it */ }
if (bytes !== n * size) {
  console.error(`meta: stat saw ${bytes} bytes, expected ${n * size}`)
  process.exit(1)
}
const r = (x) => Math.round(x * 1e4) / 1e4
console.log(JSON.stringify({ n, size, create_s: r(t1 - t0), stat_s: r(t2 - t1), unlink_s: r(t3 - t2), total_s: r(t3 - t0) }))
