// How the S3 client is built: region precedence, checksum mode, path style,
// retries, and that one backend keeps its connections alive across calls
// (checked with a fake S3 endpoint that counts TCP connections).
import t from 'tap'
import { S3Backend } from '../backends/s3-backend.js'
import { createS3Client, s3Region } from '../backends/s3-client.js'
import { silentLogger } from '../src/logger.js'
import { FAKE_S3_SETTINGS, fakeS3, objectHeaders } from './helpers/fake-s3.js'

t.test('region: given, else AWS_REGION, else AWS_DEFAULT_REGION, else us-east-1', async t => {
  t.equal(s3Region({ region: 'eu-central-1' }, { AWS_REGION: 'x' }), 'eu-central-1')
  t.equal(s3Region({}, { AWS_REGION: 'ap-south-1', AWS_DEFAULT_REGION: 'y' }), 'ap-south-1')
  t.equal(s3Region({}, { AWS_DEFAULT_REGION: 'sa-east-1' }), 'sa-east-1')
  t.equal(s3Region({}, { AWS_REGION: '' }), 'us-east-1')
})

t.test('client settings', async t => {
  const compat = createS3Client({ endpoint: 'http://127.0.0.1:1', region: 'r' }, silentLogger, {})
  t.teardown(() => { compat.destroy() })
  t.equal(await compat.config.requestChecksumCalculation(), 'WHEN_REQUIRED', 'checksums only when required by default')
  t.equal(await compat.config.responseChecksumValidation(), 'WHEN_REQUIRED')
  t.equal(compat.config.forcePathStyle, true, 'an endpoint means path style')
  t.equal(await compat.config.maxAttempts(), 3, 'few attempts: a reader waits on them')
  t.equal(await compat.config.region(), 'r')

  const aws = createS3Client({ checksums: 'when_supported', maxAttempts: 2 }, silentLogger, {})
  t.teardown(() => { aws.destroy() })
  t.equal(await aws.config.requestChecksumCalculation(), 'WHEN_SUPPORTED')
  t.equal(aws.config.forcePathStyle, false, 'AWS: virtual-host style')
  t.equal(await aws.config.maxAttempts(), 2)
  t.equal(await aws.config.region(), 'us-east-1')

  const creds = createS3Client({ credentials: { accessKeyId: 'AK', secretAccessKey: 'SK', sessionToken: 'TOK' } }, silentLogger, {})
  t.teardown(() => { creds.destroy() })
  t.match(await creds.config.credentials(), { accessKeyId: 'AK', secretAccessKey: 'SK', sessionToken: 'TOK' }, 'static credentials')
})

t.test('one backend reuses its connections (keep-alive pool)', async t => {
  const s3 = await fakeS3(t, (_req, res) => { res.writeHead(200, objectHeaders(5)).end() })
  const b = new S3Backend({ bucket: 'b', endpoint: s3.url, ...FAKE_S3_SETTINGS, log: silentLogger })
  t.teardown(() => b.close())
  for (let i = 0; i < 5; i++) t.same(await b.stat(`k${i}`), { size: 5, mtimeMs: 0, etag: '"abc"' }, `stat ${i}`)
  t.equal(s3.connections(), 1, 'five sequential calls, one connection')
})
