// The mapping from what the AWS SDK throws to BackendError kinds, including
// the shapes a live server rarely produces on demand (SlowDown, 5xx, a DNS
// failure, an AggregateError from a dual-stack connect). The common cases
// are also met for real in s3-backend-errors.test.ts.
import { NoSuchBucket, NoSuchKey, S3ServiceException } from '@aws-sdk/client-s3'
import t from 'tap'
import { isInvalidRange, isNotFound, isNotModified, s3ErrorCode, s3Failure } from '../backends/s3-errors.js'
import { BackendError } from '../src/errors.js'

const at = { bucket: 'bkt', key: 'a/b.txt', op: 'GetObject' }
const service = (name: string, status: number, message = 'UnknownError'): S3ServiceException =>
  new S3ServiceException({ name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status }, message })
const sys = (code: string, message = `connect ${code}`): Error => Object.assign(new Error(message), { code })

t.test('service errors by code and status', async t => {
  const cases: Array<[unknown, BackendError['kind'], RegExp]> = [
    [new NoSuchKey({ $metadata: { httpStatusCode: 404 }, message: 'The specified key does not exist.' }), 'not-found',
      /^GetObject s3:\/\/bkt\/a\/b\.txt: NoSuchKey \(HTTP 404\): The specified key does not exist\.$/],
    [service('NotFound', 404), 'not-found', /NotFound \(HTTP 404\)$/],
    [service('AccessDenied', 403, 'Access Denied'), 'forbidden', /AccessDenied \(HTTP 403\): Access Denied/],
    [service('SignatureDoesNotMatch', 403), 'forbidden', /SignatureDoesNotMatch/],
    [service('InvalidAccessKeyId', 403), 'forbidden', /InvalidAccessKeyId/],
    [service('ExpiredToken', 400), 'forbidden', /ExpiredToken \(HTTP 400\)/],
    [service('Unknown', 403), 'forbidden', /: Forbidden \(HTTP 403\)$/],
    [service('PreconditionFailed', 412), 'precondition-failed', /PreconditionFailed/],
    [service('SlowDown', 503), 'unavailable', /SlowDown \(HTTP 503\)/],
    [service('InternalError', 500), 'unavailable', /InternalError/],
    [service('Unknown', 502), 'unavailable', /Bad Gateway \(HTTP 502\)/],
    [service('RequestTimeout', 400), 'timeout', /RequestTimeout/],
    [service('AuthorizationHeaderMalformed', 400, "the region 'us-east-1' is wrong; expecting 'eu-west-1'"), 'invalid',
      /AuthorizationHeaderMalformed \(HTTP 400\): the region 'us-east-1' is wrong/]
  ]
  for (const [err, kind, message] of cases) {
    const e = s3Failure(err, at)
    t.equal(e.kind, kind, `${s3ErrorCode(err)}: ${kind}`)
    t.match(e.message, message)
    t.equal(e.cause, err, 'the SDK error is the cause')
  }
})

t.test('a missing bucket says so and names it', async t => {
  const e = s3Failure(new NoSuchBucket({ $metadata: { httpStatusCode: 404 }, message: 'x' }), { bucket: 'gone', op: 'ListObjectsV2' })
  t.equal(e.kind, 'not-found')
  t.match(e.message, /^ListObjectsV2 s3:\/\/gone: bucket "gone" does not exist: NoSuchBucket \(HTTP 404\)/)
})

t.test('network and time limits', async t => {
  const dual = new AggregateError([sys('ECONNREFUSED', 'connect ECONNREFUSED ::1:9'), sys('ECONNREFUSED')], '')
  const cases: Array<[unknown, BackendError['kind'], string]> = [
    [sys('ECONNREFUSED'), 'unavailable', 'ECONNREFUSED'],
    [dual, 'unavailable', 'ECONNREFUSED'],
    [sys('ENOTFOUND', 'getaddrinfo ENOTFOUND s3.nowhere'), 'unavailable', 'ENOTFOUND'],
    [sys('ECONNRESET', 'socket hang up'), 'unavailable', 'ECONNRESET'],
    [Object.assign(new Error('the request socket timed out'), { name: 'TimeoutError' }), 'timeout', 'TimeoutError'],
    [Object.assign(new Error('exceeded requestTimeout'), { name: 'TimeoutError', code: 'ETIMEDOUT' }), 'timeout', 'ETIMEDOUT'],
    [Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }),
      'forbidden', 'CredentialsProviderError'],
    [new Error('something odd'), 'unavailable', 'Error'],
    ['a string', 'unavailable', 'Error']
  ]
  for (const [err, kind, code] of cases) {
    t.equal(s3ErrorCode(err), code, `code ${code}`)
    t.equal(s3Failure(err, at).kind, kind, `${code}: ${kind}`)
  }
})

t.test('a BackendError passes through unchanged', async t => {
  const e = new BackendError('invalid', 'already mapped')
  t.equal(s3Failure(e, at), e)
})

t.test('the answers that are not failures', async t => {
  t.ok(isNotModified(service('NotModified', 304)), '304')
  t.notOk(isNotModified(service('NoSuchKey', 404)))
  t.ok(isNotFound(service('NoSuchKey', 404)) && isNotFound(service('NotFound', 404)), 'GET and HEAD 404')
  t.notOk(isNotFound(service('AccessDenied', 403)))
  t.ok(isInvalidRange(service('InvalidRange', 416)), '416')
  t.notOk(isNotModified(null) || isNotFound(undefined) || isInvalidRange(42), 'non-objects')
})
