import t from 'tap'
import { join } from 'node:path'
import { loadConfig } from '../src/config/load-config.js'
import type { PullConfig } from '../src/config/types.js'
import { asUser, refusal, writeConfig } from './helpers/config-fixture.js'

function load (dir: string, text: string, env: NodeJS.ProcessEnv = {}): Promise<PullConfig> {
  return loadConfig(writeConfig(dir, text), 'pull', { ...asUser, env })
}

t.test('file sections: every origin form, cachetime from section, [DEFAULT] or default', async t => {
  const dir = t.testdir()
  const c = await load(dir, [
    '[global]', 'cachedir = cache', 'log = stalk.log', 'log_max_size = 1M', 'log_keep = 2',
    '[DEFAULT]', 'region = eu-west-1',
    '[web]', 'name = hosts', 'origin = https://example.com/hosts', 'cachetime = 10m',
    '[plain]', 'name = plain.txt', 'origin = http://example.com/a.txt',
    '[bucket]', 'name = data.json', 'origin = s3://bucket/prefix/data.json', 'endpoint = http://minio:9000',
    '[ssh]', 'name = motd', 'origin = sftp://user@host:2222/etc/motd', 'cachetime = 0',
    '[rs]', 'name = list', 'origin = rsync://mirror/module/list',
    '[scp]', 'name = keys', 'origin = deploy@host.example.org:/etc/keys',
    '[v6]', 'name = v6', 'origin = [::1]:/srv/v6',
    '[dir]', 'name = repo', 'origin = https://example.com/repo/'
  ].join('\n'))
  t.equal(c.cachedir, join(dir, 'cache'))
  t.same(c.log, { file: join(dir, 'stalk.log'), maxBytes: 1024 * 1024, keep: 2 })
  t.same(c.files.map(f => [f.section, f.name, f.cachetimeMs]), [
    ['web', 'hosts', 600_000], ['plain', 'plain.txt', 60_000], ['bucket', 'data.json', 60_000], ['ssh', 'motd', 0],
    ['rs', 'list', 60_000], ['scp', 'keys', 60_000], ['v6', 'v6', 60_000], ['dir', 'repo', 60_000]
  ])
  t.same(c.files[2]?.options, new Map([
    ['name', 'data.json'], ['origin', 's3://bucket/prefix/data.json'], ['endpoint', 'http://minio:9000'], ['region', 'eu-west-1']
  ]))
  t.same(c.warnings, [])
})

t.test('an origin ending in "/" is a directory origin with dir_cachetime (default: its cachetime)', async t => {
  const c = await load(t.testdir(), [
    '[DEFAULT]', 'cachetime = 5m',
    '[web]', 'name = repo', 'origin = https://example.com/repo/',
    '[bucket]', 'name = pki', 'origin = s3://bucket/pki/', 'dir_cachetime = 30s',
    '[file]', 'name = motd', 'origin = sftp://host/etc/motd', 'dir_cachetime = 1h'
  ].join('\n'))
  t.same(c.files.map(f => [f.name, f.cachetimeMs, f.dirCachetimeMs]), [
    ['repo', 300_000, 300_000], ['pki', 300_000, 30_000], ['motd', 300_000, undefined]
  ], 'a file origin has no listing cache time, even when one is set')
  await t.rejects(load(t.testdir(), '[d]\nname = d\norigin = s3://b/p/\ndir_cachetime = soon\n'),
    refusal('configInvalid', /\[d\] dir_cachetime: "soon" is not a duration/))
})

t.test('no cachedir means a private one; push sections are ignored with a warning', async t => {
  const dir = t.testdir()
  const file = join(dir, 'stalk.cf')
  const c = await load(dir, '[global]\nmystery = 1\n[target]\na = h:/x\n[f]\nname = f\norigin = https://h/f\n[plugin:x]\n')
  t.equal('cachedir' in c, false)
  t.same(c.warnings, [
    `${file}:2: [global] mystery: unknown key, ignored`,
    `${file}:3: [target] is not used in pull mode, ignored`,
    `${file}:8: [plugin:x] is not used in pull mode, ignored`
  ])
})

t.test('refusals name the section and key', async t => {
  const dir = t.testdir()
  const file = join(dir, 'stalk.cf')
  const f = (body: string): string => `[global]\n[f]\n${body}\n`
  const cases: Array<[string, string]> = [
    ['[global]\ncachedir = /c\n', `${file}: no file sections (a [section] with name and origin) to serve`],
    [f('origin = https://h/x'), `${file}: [f] name: missing (the file name in the mount)`],
    [f('name = x'), `${file}: [f] origin: missing (where the file comes from, e.g. https://host/path)`],
    [f('name = x\norigin ='), `${file}: [f] origin: missing`],
    [f('name = a/b\norigin = https://h/x'), `${file}: [f] name: "a/b" must be a plain file name, without "/"`],
    [f('name = ..\norigin = https://h/x'), `${file}: [f] name: ".." is not a file name`],
    [f('name = .\norigin = https://h/x'), `${file}: [f] name: "." is not a file name`],
    [f('name = a\0b\norigin = https://h/x'), `${file}: [f] name: "a\0b" contains a NUL character`],
    [f(`name = ${'é'.repeat(128)}\norigin = https://h/x`), 'is longer than 255 bytes'],
    [f('name = x\norigin = ftp://h/x'),
      `${file}: [f] origin: unknown origin scheme "ftp://" (use http://, https://, s3://, sftp://, rsync:// or host:/path)`],
    [f('name = x\norigin = FILE:///etc/x'), `${file}: [f] origin: unknown origin scheme "file://"`],
    [f('name = x\norigin = /srv/x'), `${file}: [f] origin: "/srv/x" is not an origin (use http://`],
    [f('name = x\norigin = host:relative'), `${file}: [f] origin: "host:relative" is not an origin`],
    [f('name = x\norigin = https://'), `${file}: [f] origin: "https://" is not a valid https:// URL with a host`],
    [f('name = x\norigin = s3:///key'), `${file}: [f] origin: "s3:///key" is not a valid s3:// URL with a host`],
    [f('name = x\norigin = https://h/x\ncachetime = 1 hour'), `${file}: [f] cachetime: "1 hour" is not a duration (e.g. 600 or 10m)`],
    ['[DEFAULT]\ncachetime = x\n[f]\nname = x\norigin = https://h/x\n', `${file}: [f] cachetime: "x" is not a duration`],
    ['[a]\nname = same\norigin = https://h/1\n[b]\nname = same\norigin = https://h/2\n',
      `${file}: [b] name: "same" is also the name in [a]`]
  ]
  for (const [text, message] of cases) {
    await t.rejects(load(dir, text), refusal('configInvalid', message), message)
  }
})

t.test('secrets from *_file and from STALK_<SECTION>_<KEY>', async t => {
  const dir = t.testdir({ 'secret.txt': 's3cret\n', 'id.txt': 'AKIA' })
  const text = [
    '[DEFAULT]', 'access_key_id_file = id.txt',
    '[my-bucket]', 'name = a', 'origin = s3://b/a', 'secret_access_key_file = secret.txt',
    '[web]', 'name = b', 'origin = https://h/b', 'password = inline'
  ].join('\n')
  const c = await load(dir, text, { STALK_WEB_PASSWORD: 'from-env', STALK_MY_BUCKET_SESSION_TOKEN: 'tok' })
  t.equal(c.files[0]?.options.get('secret_access_key'), 's3cret', 'one trailing newline dropped')
  t.equal(c.files[0]?.options.get('access_key_id'), 'AKIA', 'a *_file in [DEFAULT] works for every section')
  t.equal(c.files[0]?.options.get('session_token'), 'tok')
  t.equal(c.files[1]?.options.get('password'), 'from-env', 'the environment wins')
  t.equal(c.files[1]?.options.get('access_key_id'), 'AKIA')

  const file = join(dir, 'stalk.cf')
  await t.rejects(load(dir, '[f]\nname = a\norigin = s3://b/a\npassword = x\npassword_file = secret.txt\n'),
    refusal('configInvalid', `${file}: [f] password_file: give either password or password_file, not both`))
  await t.rejects(load(dir, '[f]\nname = a\norigin = s3://b/a\npassword_file = nope.txt\n'),
    refusal('configInvalid', `${file}: [f] password_file: cannot read ${join(dir, 'nope.txt')}: ENOENT`))
})

t.test('[global] origin options are every file\'s defaults; a section\'s own value wins', async t => {
  const dir = t.testdir({ 'secret.txt': 'from-a-file\n' })
  const file = writeConfig(dir, `[global]
endpoint: http://127.0.0.1:18082
region: eu-west-1
secret_access_key_file: secret.txt
cache_max_size: 1G
op_timeout: 2m
lazy: yes
[a]
name: a
origin: s3://bucket/a
[b]
name: b
origin: s3://bucket/b
endpoint: http://other:9000
`)
  const c = await loadConfig(file, 'pull', asUser)
  t.equal(c.cacheMaxBytes, 1024 ** 3)
  t.equal(c.opTimeoutMs, 120_000)
  t.equal(c.lazy, true)
  t.same(c.warnings, [])
  const [a, b] = c.files
  t.equal(a?.options.get('endpoint'), 'http://127.0.0.1:18082')
  t.equal(a?.options.get('region'), 'eu-west-1')
  t.equal(a?.options.get('secret_access_key'), 'from-a-file', 'a global secret file applies to every file')
  t.equal(b?.options.get('endpoint'), 'http://other:9000', 'the section overrides [global]')
})
