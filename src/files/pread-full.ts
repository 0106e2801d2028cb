import { readSync } from 'node:fs'

/**
 * Reads `length` bytes at `position` into `buf`, looping over short preads.
 * The kernel takes a short FUSE read for end of file, so only the real end
 * may stop it early; a failing pread throws (never a 0 that reads as EOF).
 * Synchronous: local-disk reads on the FUSE path measured faster without
 * the thread-pool hop (PERF-BASELINE).
 */
export function preadFull (fd: number, buf: Buffer, length: number, position: number): number {
  let done = 0
  while (done < length) {
    const n = readSync(fd, buf, done, length - done, position + done)
    if (n === 0) break
    done += n
  }
  return done
}
