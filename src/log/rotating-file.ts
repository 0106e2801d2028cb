import { closeSync, fstatSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs'
import { dirname } from 'node:path'
import { Writable } from 'node:stream'

/**
 * The `log` file of [global], rotated by size the way logrotate names files
 * (log, log.1, log.2 …), so the configured path is always the current log.
 * Lines are written synchronously: a daemon that dies right after logging
 * why still leaves that line on disk, and log volume is small except at -d.
 */
export class RotatingFile extends Writable {
  private fd: number
  private size: number

  constructor (readonly file: string, private readonly maxBytes: number, private readonly keep: number) {
    super({ decodeStrings: false })
    mkdirSync(dirname(file), { recursive: true })
    this.fd = openSync(file, 'a', 0o640)
    this.size = fstatSync(this.fd).size
  }

  override _write (chunk: string | Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    try {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
      writeSync(this.fd, buf)
      this.size += buf.length
      if (this.size >= this.maxBytes) this.rotate()
      cb()
    } catch (err) {
      cb(err as Error)
    }
  }

  /** Shifts log.N-1 → log.N … log → log.1 and starts an empty log (keep 0: just empties it). */
  rotate (): void {
    closeSync(this.fd)
    for (let i = this.keep - 1; i >= 1; i--) tryRename(`${this.file}.${i}`, `${this.file}.${i + 1}`)
    if (this.keep > 0) tryRename(this.file, `${this.file}.1`)
    this.fd = openSync(this.file, this.keep > 0 ? 'a' : 'w', 0o640)
    this.size = 0
  }

  override _final (cb: (err?: Error | null) => void): void {
    try { closeSync(this.fd) } catch { /* already closed: nothing buffered to lose */ }
    cb()
  }

  /** Lines are already on disk when write returns; kept for callers that flush before exit. */
  flushSync (): void {}
}

function tryRename (from: string, to: string): void {
  try { renameSync(from, to) } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
}
