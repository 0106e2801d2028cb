/**
 * The ETag S3 gives an object, computed from a local file, to tell whether
 * the store already holds root's content without downloading it: the hex
 * MD5 of the bytes for a single PUT, and for a multipart upload the MD5 of
 * the parts' binary MD5s followed by "-<parts>". The latter depends on the
 * part size, so only uploads cut like stalk's own (s3-upload.ts) match; any
 * other object simply does not, and is uploaded again.
 *
 * (ETags of objects encrypted with SSE-KMS or SSE-C are not MD5s: those
 * never match either. That costs an upload, never a wrong skip.)
 */
import { createHash, type Hash } from 'node:crypto'
import { createReadStream } from 'node:fs'

/** The ETag without its quotes, as compared everywhere in the S3 target. */
export function bareEtag (etag: string | undefined): string {
  return (etag ?? '').replace(/^W\//, '').replace(/^"|"$/g, '')
}

/** Whether the file's bytes give `etag` (bare) with single PUTs up to `partSize`, parts of `partSize` beyond. */
export async function fileMatchesEtag (abs: string, size: number, etag: string, partSize: number,
  signal: AbortSignal): Promise<boolean> {
  const m = /^([0-9a-f]{32})(?:-(\d+))?$/.exec(etag)
  if (m === null) return false
  const parts = m[2] === undefined ? 0 : Number(m[2])
  if (parts > 0 && Math.max(1, Math.ceil(size / partSize)) !== parts) return false
  const digests = await partDigests(abs, parts > 0 ? partSize : Number.MAX_SAFE_INTEGER, signal)
  if (parts === 0) return digests.length === 1 && digests[0]?.toString('hex') === etag
  return `${createHash('md5').update(Buffer.concat(digests)).digest('hex')}-${parts}` === etag
}

/** The MD5 of each `partSize` slice of the file, read once from start to end. */
async function partDigests (abs: string, partSize: number, signal: AbortSignal): Promise<Buffer[]> {
  const out: Buffer[] = []
  let hash: Hash = createHash('md5')
  let inPart = 0
  for await (const chunk of createReadStream(abs, { signal, highWaterMark: 1024 * 1024 })) {
    let b = chunk as Buffer
    while (b.length > 0) {
      const take = Math.min(b.length, partSize - inPart)
      hash.update(b.subarray(0, take))
      inPart += take
      b = b.subarray(take)
      if (inPart === partSize) {
        out.push(hash.digest())
        hash = createHash('md5')
        inPart = 0
      }
    }
  }
  if (inPart > 0 || out.length === 0) out.push(hash.digest())
  return out
}
