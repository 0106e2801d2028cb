/**
 * One S3 request of the push target, with its failure turned into a
 * BackendError that names the operation and the object (s3-errors.ts), and
 * an abort left as the abort it is: the caller asked for it, so it is not
 * the store's failure.
 */
import { s3Failure } from './s3-errors.js'

export interface S3CallContext {
  readonly bucket: string
  readonly key?: string
  readonly op: string
}

export async function s3Call<T> (c: S3CallContext, signal: AbortSignal, request: () => Promise<T>): Promise<T> {
  try {
    return await request()
  } catch (err) {
    signal.throwIfAborted()
    throw s3Failure(err, c)
  }
}

/** The SDK's per-request options for `signal`. */
export function abortOption (signal: AbortSignal): { abortSignal: AbortSignal } {
  return { abortSignal: signal }
}
