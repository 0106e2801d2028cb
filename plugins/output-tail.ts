/**
 * Keeps the last `max` bytes of a stream. A chatty command (createrepo on a
 * large repo) can print megabytes; the daemon only needs the end, which is
 * where the error usually is.
 */
export class OutputTail {
  private buf: Buffer = Buffer.alloc(0)
  /** Bytes dropped from the front so far. */
  dropped = 0

  constructor (private readonly max: number) {}

  push (chunk: Buffer): void {
    const all = Buffer.concat([this.buf, chunk])
    const cut = Math.max(0, all.length - this.max)
    this.dropped += cut
    // copy when cutting, so the dropped bytes can be garbage collected
    this.buf = cut > 0 ? Buffer.from(all.subarray(cut)) : all
  }

  /** The kept text, marked when the front was cut. */
  text (): string {
    const s = this.buf.toString('utf8')
    return this.dropped > 0 ? `[${this.dropped} bytes cut]…${s}` : s
  }
}

/** The last `lines` lines of `text`, at most `chars` characters, trimmed: for error messages. */
export function tailOf (text: string, lines = 10, chars = 1000): string {
  const kept = text.trimEnd().split('\n').slice(-lines).join('\n')
  return kept.length > chars ? '…' + kept.slice(-chars) : kept
}
