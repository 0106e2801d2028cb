// s3:// origins and their config keys: what reaches the S3 backend, which
// sections share a client, and a clear refusal for each mistake.
import t from 'tap'
import { parseS3Origin, S3_OPTION_KEYS } from '../backends/s3-origin.js'
import { BackendError } from '../src/errors.js'

const opts = (o: Record<string, string> = {}): Map<string, string> => new Map(Object.entries(o))

t.test('bucket and key; AWS defaults', async t => {
  const o = parseS3Origin('s3://my-bucket/dir/file.tar.gz', opts())
  t.equal(o.path, 'dir/file.tar.gz', 'the key without the leading /')
  t.same(o.settings, { bucket: 'my-bucket', pathStyle: false, checksums: 'when_required' }, 'no endpoint: AWS, virtual-host style')
  t.notOk('credentials' in o.settings, 'no keys: the SDK default chain')
  t.notOk('region' in o.settings, 'no region: the environment or us-east-1 (s3-client.ts)')
})

t.test('keys are literal: spaces, %, ?, # and unicode stay as written', async t => {
  t.equal(parseS3Origin('s3://b/a dir/100%20 ü?x=1#frag', opts()).path, 'a dir/100%20 ü?x=1#frag')
  t.equal(parseS3Origin('s3://b/a/b/c', opts()).path, 'a/b/c')
})

t.test('a folder origin: the prefix with its slash, or the whole bucket', async t => {
  t.equal(parseS3Origin('s3://b/dir/sub/', opts(), undefined, true).path, 'dir/sub/')
  t.equal(parseS3Origin('s3://b/', opts(), undefined, true).path, '', 'the bucket: no prefix')
  t.throws(() => parseS3Origin('s3://b/dir', opts(), undefined, true), /a folder origin ends in "\/"/)
  t.equal(parseS3Origin('s3://b/dir/', opts(), undefined, true).key, parseS3Origin('s3://b/f', opts()).key,
    'a folder and a file in one bucket share a client')
})

t.test('an S3-compatible server: endpoint, region, path style by default', async t => {
  const o = parseS3Origin('s3://bkt/k', opts({
    endpoint: 'http://127.0.0.1:18082/', region: 'default', access_key_id: 'AK', secret_access_key: 'SK', checksums: 'WHEN-SUPPORTED'
  }))
  t.same(o.settings, {
    bucket: 'bkt', endpoint: 'http://127.0.0.1:18082', region: 'default', pathStyle: true, checksums: 'when_supported',
    credentials: { accessKeyId: 'AK', secretAccessKey: 'SK' }
  })
  t.equal(parseS3Origin('s3://bkt/k', opts({ endpoint: 'https://s3.example.net', path_style: 'no' })).settings.pathStyle, false,
    'path_style = no: virtual-host style at the endpoint')
  t.equal(parseS3Origin('s3://bkt/k', opts({ path_style: 'yes' })).settings.pathStyle, true, 'path_style = yes on AWS')
})

t.test('keys fall back to [global]; the section wins; an empty value counts as unset', async t => {
  const global = opts({ endpoint: 'http://10.0.0.1:7480', region: 'eu', access_key_id: 'GAK', secret_access_key: 'GSK' })
  const o = parseS3Origin('s3://b/k', opts({ region: 'us', endpoint: '' }), global)
  t.equal(o.settings.endpoint, 'http://10.0.0.1:7480')
  t.equal(o.settings.region, 'us')
  t.same(o.settings.credentials, { accessKeyId: 'GAK', secretAccessKey: 'GSK' })
})

t.test('session_token goes with the keys', async t => {
  const o = parseS3Origin('s3://b/k', opts({ access_key_id: 'A', secret_access_key: 'S', session_token: 'T' }))
  t.same(o.settings.credentials, { accessKeyId: 'A', secretAccessKey: 'S', sessionToken: 'T' })
})

t.test('the pool key: same store and identity share, anything else does not, no secret in it', async t => {
  const base = { endpoint: 'http://h:1', access_key_id: 'AK', secret_access_key: 'secret-one' }
  const a = parseS3Origin('s3://b/one', opts(base))
  const b = parseS3Origin('s3://b/two', opts(base))
  t.equal(a.key, b.key, 'two files of one bucket share a backend')
  t.not(parseS3Origin('s3://other/one', opts(base)).key, a.key, 'another bucket')
  t.not(parseS3Origin('s3://b/one', opts({ ...base, endpoint: 'http://h:2' })).key, a.key, 'another endpoint')
  t.not(parseS3Origin('s3://b/one', opts({ ...base, access_key_id: 'AK2' })).key, a.key, 'another key id')
  t.not(parseS3Origin('s3://b/one', opts({ ...base, secret_access_key: 'secret-two' })).key, a.key, 'another secret')
  t.not(parseS3Origin('s3://b/one', opts({ ...base, checksums: 'when_supported' })).key, a.key, 'another checksum mode')
  t.not(parseS3Origin('s3://b/one', opts()).key, a.key, 'the default chain')
  t.notMatch(a.key, 'secret-one', 'the secret is not in the key')
})

t.test('refusals say what is wrong', async t => {
  const refuses = (origin: string, o: Record<string, string>, message: RegExp, what: string): void => {
    t.throws(() => parseS3Origin(origin, opts(o)), { name: 'BackendError', message }, what)
  }
  refuses('s3://bucket', {}, /no object key after the bucket: write s3:\/\/bucket\/path/, 'a bucket without a key')
  refuses('s3://bucket/', {}, /no object key/, 'a bucket and a slash')
  refuses('s3:///key', {}, /no bucket/, 'no bucket')
  refuses('s3://b/dir/', {}, /names a folder, not an object/, 'a folder as a file origin')
  refuses('s3://host:9000/k', {}, /not a bucket name .*endpoint =/, 'a port in the bucket')
  refuses('s3://user@b/k', {}, /not a bucket name/, 'user info')
  refuses('https://b/k', {}, /not an s3:\/\/bucket\/key origin/, 'another scheme')
  refuses('s3://b/k', { endpoint: 'localhost:9000' }, /must be http:\/\/ or https:\/\//, 'an endpoint without scheme')
  refuses('s3://b/k', { endpoint: 'not a url' }, /is not a URL/, 'an endpoint that is no URL')
  refuses('s3://b/k', { endpoint: 'http://h:1/prefix' }, /only scheme, host and port/, 'an endpoint with a path')
  refuses('s3://b/k', { endpoint: 'http://u:p@h:1' }, /must not hold credentials/, 'credentials in the endpoint')
  refuses('s3://b/k', { path_style: 'maybe' }, /path_style "maybe" is not a boolean/, 'path_style')
  refuses('s3://b/k', { checksums: 'always' }, /checksums "always" must be when_required or when_supported/, 'checksums')
  refuses('s3://b/k', { access_key_id: 'A' }, /access_key_id is set but secret_access_key is not/, 'half a key pair')
  refuses('s3://b/k', { secret_access_key: 'S' }, /secret_access_key is set but access_key_id is not/, 'the other half')
  refuses('s3://b/k', { session_token: 'T' }, /session_token needs access_key_id/, 'a token alone')
  let err: unknown
  try {
    parseS3Origin('s3://b', opts())
  } catch (e) {
    err = e
  }
  t.ok(err instanceof BackendError && err.kind === 'invalid', 'kind invalid (EINVAL)')
})

t.test('the documented keys', async t => {
  t.same([...S3_OPTION_KEYS].sort(),
    ['access_key_id', 'checksums', 'endpoint', 'path_style', 'region', 'secret_access_key', 'session_token'])
})
