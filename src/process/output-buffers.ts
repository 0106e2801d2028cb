/**
 * Bounded copies of a child's output. A listing is read from its start, an
 * error from its end, and a chatty program (createrepo on a large repo) can
 * print megabytes of which only the end says what went wrong.
 */

/** Keeps the first `limit` bytes of a stream. */
export class HeadBuffer {
  private chunks: Buffer[] = []
  private size = 0
  constructor (private readonly limit: number) {}

  push (b: Buffer): void {
    if (this.size >= this.limit) return
    const part = b.subarray(0, this.limit - this.size)
    this.chunks.push(part)
    this.size += part.length
  }

  text (): string {
    return Buffer.concat(this.chunks).toString('utf8')
  }
}

/**
 * Keeps the last `limit` bytes of a stream without holding all of it. A cut
 * tail starts at its first whole line when a program reads it (rsync's
 * stderr is matched line by line), or with "[N bytes cut]…" when a person
 * reads it and should know that something came before.
 */
export class TailBuffer {
  private chunks: Buffer[] = []
  private size = 0
  private dropped = 0
  constructor (private readonly limit: number, private readonly cut: 'line' | 'mark') {}

  push (b: Buffer): void {
    this.chunks.push(b)
    this.size += b.length
    // Compacting at twice the limit copies each byte a bounded number of times.
    if (this.size > 2 * this.limit) this.compact()
  }

  text (): string {
    this.compact()
    const s = Buffer.concat(this.chunks).toString('utf8')
    if (this.dropped === 0) return s
    if (this.cut === 'mark') return `[${this.dropped} bytes cut]…${s}`
    // Drop the cut first line (and any split UTF-8 sequence with it).
    const nl = s.indexOf('\n')
    return nl < 0 ? s : s.slice(nl + 1)
  }

  private compact (): void {
    if (this.size <= this.limit) return
    const all = Buffer.concat(this.chunks)
    this.dropped += all.length - this.limit
    this.chunks = [all.subarray(all.length - this.limit)]
    this.size = this.limit
  }
}
