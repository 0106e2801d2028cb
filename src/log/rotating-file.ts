import { renameSync, statSync } from 'node:fs'
import { Writable } from 'node:stream'
import { createRequire } from 'node:module'
import type { SonicBoom as SonicBoomType } from 'sonic-boom'

// sonic-boom is CommonJS: its named export is only visible through require.
const { SonicBoom } = createRequire(import.meta.url)('sonic-boom') as typeof import('sonic-boom')

/**
 * The `log` file of [global], rotated by size the way logrotate names files
 * (log, log.1, log.2 …), so the configured path is always the current log.
 * Writes are buffered (SonicBoom); a rotation flushes, shifts, reopens.
 */
export class RotatingFile extends Writable {
  private readonly boom: SonicBoomType
  private size: number
  /** SonicBoom opens asynchronously; set once the first open is done. */
  private opened = false

  constructor (readonly file: string, private readonly maxBytes: number, private readonly keep: number) {
    super({ decodeStrings: false })
    this.boom = new SonicBoom({ dest: file, mkdir: true, append: true, sync: false })
    this.boom.once('ready', () => { this.opened = true })
    this.size = sizeOf(file)
  }

  override _write (chunk: string | Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    const text = typeof chunk === 'string' ? chunk : chunk.toString('utf8')
    this.boom.write(text)
    this.size += Buffer.byteLength(text)
    if (this.size >= this.maxBytes) this.rotate()
    cb()
  }

  /** Shifts log.N-1 → log.N … log → log.1 and starts an empty log. */
  rotate (): void {
    this.flushSync()
    for (let i = this.keep - 1; i >= 1; i--) tryRename(`${this.file}.${i}`, `${this.file}.${i + 1}`)
    if (this.keep > 0) tryRename(this.file, `${this.file}.1`)
    this.boom.reopen()
    this.size = 0
  }

  override _final (cb: (err?: Error | null) => void): void {
    try { this.boom.flushSync() } catch { /* nothing buffered or fd gone: nothing to lose */ }
    this.boom.end()
    cb()
  }

  /**
   * SonicBoom opens the file asynchronously and throws from flushSync until
   * it is open. A daemon that refuses to start exits within milliseconds of
   * creating its logger, and that throw then replaced the real reason (exit
   * code and message) with "sonic boom is not ready yet". Before the open
   * there is no fd to flush to; what is buffered is written once it opens.
   */
  flushSync (): void {
    if (!this.opened) return
    this.boom.flushSync()
  }
}

function sizeOf (file: string): number {
  try { return statSync(file).size } catch { return 0 }
}

function tryRename (from: string, to: string): void {
  try { renameSync(from, to) } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
}
