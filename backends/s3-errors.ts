/**
 * Turns what the AWS SDK throws into BackendError kinds. The SDK names a
 * service error after the S3 error code in the XML body (NoSuchKey,
 * SignatureDoesNotMatch…); a HEAD response has no body, so there it only
 * has the status (NotFound, Forbidden, or "Unknown"). Network failures
 * arrive as Node system errors (ECONNREFUSED…), time limits as TimeoutError.
 * Messages name the error code and the S3 URL, never a credential: S3's own
 * messages do not echo secrets, and the request is not included.
 */
import { STATUS_CODES } from 'node:http'
import { BackendError, type BackendErrorKind } from '../src/errors.js'

export interface S3ErrorContext {
  readonly bucket: string
  /** Absent for bucket-level calls (check). */
  readonly key?: string
  /** What we were doing, for the message: "GetObject". */
  readonly op: string
}

interface SdkErrorShape {
  name?: unknown
  code?: unknown
  message?: unknown
  $metadata?: { httpStatusCode?: unknown }
  errors?: unknown
}

const FORBIDDEN = new Set(['AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'Forbidden', 'ExpiredToken',
  'InvalidToken', 'TokenRefreshRequired', 'AllAccessDisabled', 'AccountProblem', 'CredentialsProviderError', 'InvalidClientTokenId'])
const UNAVAILABLE = new Set(['SlowDown', 'ServiceUnavailable', 'InternalError', 'Throttling', 'ThrottlingException',
  'RequestLimitExceeded', 'ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH',
  'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE', 'UND_ERR_SOCKET'])
const TIMEOUT = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeTooSkewed', 'ETIMEDOUT', 'ESOCKETTIMEDOUT'])

/** The SDK throws on 304; a conditional GET that matched is not an error for us. */
export function isNotModified (err: unknown): boolean {
  const e = shape(err)
  return e.$metadata?.httpStatusCode === 304 || e.name === 'NotModified' || e.name === '304'
}

/** A missing object or bucket (HeadObject's bodiless 404 included). */
export function isNotFound (err: unknown): boolean {
  const e = shape(err)
  return e.$metadata?.httpStatusCode === 404 || e.name === 'NoSuchKey' || e.name === 'NotFound'
}

export function isInvalidRange (err: unknown): boolean {
  const e = shape(err)
  return e.$metadata?.httpStatusCode === 416 || e.name === 'InvalidRange'
}

export function s3Failure (err: unknown, c: S3ErrorContext): BackendError {
  if (err instanceof BackendError) return err
  const e = shape(err)
  const status = typeof e.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : undefined
  let code = errorCode(e)
  // A bodiless (HEAD) error answer leaves the SDK only "Unknown": the status text says more.
  if ((code === 'Unknown' || code === 'UnknownError') && status !== undefined) code = STATUS_CODES[status] ?? code
  const where = c.key === undefined ? `s3://${c.bucket}` : `s3://${c.bucket}/${c.key}`
  const detail = `${code}${status === undefined ? '' : ` (HTTP ${status})`}${serverMessage(e, code)}`
  if (code === 'NoSuchBucket') {
    return new BackendError('not-found', `${c.op} ${where}: bucket "${c.bucket}" does not exist: ${detail}`, { cause: err })
  }
  return new BackendError(kindOf(code, status), `${c.op} ${where}: ${detail}`, { cause: err })
}

function kindOf (code: string, status: number | undefined): BackendErrorKind {
  if (TIMEOUT.has(code)) return 'timeout'
  if (FORBIDDEN.has(code) || status === 401 || status === 403) return 'forbidden'
  if (code === 'NoSuchKey' || code === 'NotFound' || status === 404) return 'not-found'
  if (code === 'PreconditionFailed' || status === 412) return 'precondition-failed'
  if (UNAVAILABLE.has(code) || (status !== undefined && status >= 500)) return 'unavailable'
  if (status !== undefined && status >= 400) return 'invalid'
  // No HTTP answer at all: the network or the server process is the problem.
  return 'unavailable'
}

/** The S3 error code ("NoSuchKey"), or the system error code ("ECONNREFUSED"), or the error's class name. */
export function s3ErrorCode (err: unknown): string {
  return errorCode(shape(err))
}

function errorCode (e: SdkErrorShape): string {
  if (typeof e.code === 'string' && e.code !== '') return e.code
  // Node's connect with several addresses (localhost: ::1 and 127.0.0.1) throws an AggregateError.
  if (Array.isArray(e.errors)) {
    const inner: unknown = e.errors[0]
    if (inner !== undefined) return errorCode(shape(inner))
  }
  if (typeof e.name === 'string' && e.name !== '' && e.name !== 'Error') return e.name
  return 'Error'
}

function serverMessage (e: SdkErrorShape, code: string): string {
  const m = typeof e.message === 'string' ? e.message.trim() : ''
  // For a bodiless HEAD the SDK's message is only "UnknownError" or the code again: say nothing then.
  if (m === '' || m === code || m === 'UnknownError') return ''
  return `: ${m.split('\n')[0] ?? ''}`
}

function shape (err: unknown): SdkErrorShape {
  return typeof err === 'object' && err !== null ? err : {}
}
