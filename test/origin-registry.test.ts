import t from 'tap'
import { OriginRegistry } from '../backends/origin-registry.js'
import { HttpBackend } from '../backends/http-backend.js'
import { RsyncOriginBackend } from '../backends/rsync-origin-backend.js'
import { S3Backend } from '../backends/s3-backend.js'
import { SftpBackend } from '../backends/sftp-backend.js'
import type { PullFileConfig } from '../src/config/types.js'
import { ExitCode, StemError } from '../src/exit-codes.js'
import { silentLogger } from '../src/logger.js'

function file (section: string, origin: string, options: Record<string, string> = {}): PullFileConfig {
  return { section, name: section, origin, cachetimeMs: 60_000, options: new Map(Object.entries({ origin, ...options })) }
}

t.test('each scheme gets its backend; one server, one backend', async t => {
  const r = new OriginRegistry({ log: silentLogger, configDir: '/etc/stalk' })
  t.teardown(() => r.close())
  const a = r.open(file('a', 'https://mirror.example.org/a.txt'))
  const b = r.open(file('b', 'https://mirror.example.org:443/dir/b.txt?x=1'))
  t.ok(a.backend instanceof HttpBackend)
  t.equal(a.backend, b.backend, 'same host and port: shared (pooled connections)')
  t.same([a.path, b.path], ['/a.txt', '/dir/b.txt?x=1'])
  t.not(r.open(file('c', 'https://mirror.example.org/c', { http_user: 'u', password: 'p' })).backend, a.backend,
    'other credentials: another backend')
  const s3 = r.open(file('s', 's3://bucket/k/ey', { endpoint: 'http://127.0.0.1:9', access_key_id: 'a', secret_access_key: 'b' }))
  t.ok(s3.backend instanceof S3Backend)
  t.equal(s3.path, 'k/ey')
  const sftp = r.open(file('f', 'sftp://me@host:2222/srv/x'))
  t.ok(sftp.backend instanceof SftpBackend)
  t.equal(sftp.path, '/srv/x')
  t.ok(r.open(file('r1', 'host:/srv/x')).backend instanceof RsyncOriginBackend)
  t.ok(r.open(file('r2', 'rsync://host/module/x')).backend instanceof RsyncOriginBackend)
  t.equal(r.all().length, 6)
})

t.test('directory origins: the folder path with its slash, on the server\'s one backend', async t => {
  const r = new OriginRegistry({ log: silentLogger, configDir: '/etc/stalk' })
  t.teardown(() => r.close())
  const dir = (section: string, origin: string, options: Record<string, string> = {}): PullFileConfig =>
    ({ ...file(section, origin, options), dirCachetimeMs: 60_000 })
  const s3 = { endpoint: 'http://127.0.0.1:9', access_key_id: 'a', secret_access_key: 'b' }
  t.equal(r.open(dir('s', 's3://bucket/pki/', s3)).path, 'pki/')
  t.equal(r.open(dir('b', 's3://bucket/', s3)).path, '', 'the whole bucket')
  t.equal(r.open(dir('b', 's3://bucket/', s3)).backend, r.open(file('k', 's3://bucket/key', s3)).backend, 'shared with its files')
  t.equal(r.open(dir('f', 'sftp://me@host:2222/srv/pub/')).path, '/srv/pub/')
  t.equal(r.open(dir('r', 'host:/srv/pub/')).path, '/srv/pub/')
  t.equal(r.open(dir('m', 'rsync://host/module/')).path, '')
  t.equal(r.open(dir('h', 'https://mirror.example.org/pub/')).path, '/pub/')
  t.throws(() => r.open(dir('q', 'https://mirror.example.org/pub/?x')), { exitCode: ExitCode.configInvalid, message: /^\[q\] origin: .*ends in "\/"/ })
})

t.test('a bad origin is a config error naming the section', async t => {
  const r = new OriginRegistry({ log: silentLogger, configDir: '/etc/stalk' })
  t.teardown(() => r.close())
  for (const [section, origin] of [['nokey', 's3://bucket'], ['creds', 'https://u:secret@host/x'], ['folder', 'host:/dir/']]) {
    let caught: unknown
    try { r.open(file(section ?? '', origin ?? '')) } catch (err) { caught = err }
    t.ok(caught instanceof StemError, `${origin}: refused`)
    t.match(caught, { exitCode: ExitCode.configInvalid, message: new RegExp(`^\\[${section}\\] origin: `) })
    t.notMatch(String((caught as Error).message), /secret/, 'no secret in the message')
  }
})
