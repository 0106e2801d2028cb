import t from 'tap'
import { createTarget } from '../backends/registry.js'
import { RemoteTarget } from '../backends/remote-target.js'
import { RsyncTarget } from '../backends/rsync-target.js'
import { ExitCode, StemError } from '../src/exit-codes.js'
import { silentLogger } from '../src/logger.js'
import { targetConfig } from './helpers/target-config.js'

const log = silentLogger

t.test('rsync kinds of destination get an rsync target', async t => {
  for (const dest of ['/srv/mirror', 'host1:/var/www', 'u@[::1]:/x', 'rsync://h/mod/p', 'h::mod']) {
    const target = createTarget(targetConfig(dest, { label: 'west' }), { log })
    t.type(target, RsyncTarget, dest)
    t.equal(target.label, 'west')
    t.equal(target.destination, dest, 'destination is kept as written, for logs')
  }
})

t.test('s3:// and sftp:// get a store target; unusable keys are config errors naming the label', async t => {
  for (const dest of ['s3://bucket/prefix', 'sftp://host/dir']) {
    const target = createTarget(targetConfig(dest, { label: 'cloud' }), { log })
    t.teardown(() => target.close())
    t.type(target, RemoteTarget, dest)
    t.equal(target.label, 'cloud')
  }
  t.equal(createTarget(targetConfig('s3://bucket/a/b/', { storeOptions: new Map([['endpoint', 'http://h:9000']]) }), { log }).destination,
    's3://bucket/a/b/ at http://h:9000', 'an S3 destination names bucket, prefix and endpoint')
  const refusals: Array<[string, Map<string, string>, RegExp]> = [
    ['s3://bucket/p', new Map([['endpoint', 'ftp://h']]), /endpoint "ftp:\/\/h" must be http:\/\/ or https:\/\//],
    ['s3://bucket/p', new Map([['access_key_id', 'AK']]), /access_key_id is set but secret_access_key is not/],
    ['s3://bucket/a//b', new Map(), /empty folder name in the prefix/],
    ['s3://Bad_Bucket!/p', new Map(), /is not a bucket name/],
    ['sftp://host/', new Map(), /names no file/],
    ['sftp://host/dir', new Map([['strict_host_key_checking', 'maybe']]), /strict_host_key_checking: "maybe" must be yes or no/]
  ]
  for (const [dest, storeOptions, message] of refusals) {
    t.throws(() => createTarget(targetConfig(dest, { label: 'cloud', storeOptions }), { log }), {
      name: 'StemError', exitCode: ExitCode.configInvalid, message: new RegExp(`^\\[target\\] cloud = [^ ]+: .*${message.source}`)
    }, dest)
  }
})

t.test('an unknown scheme names the label and the scheme', async t => {
  t.throws(() => createTarget(targetConfig('ftp://host/dir', { label: 'old' }), { log }), {
    name: 'StemError', exitCode: ExitCode.configInvalid, message: /\[target\] old = ftp:\/\/host\/dir: unknown scheme "ftp:\/\/"/
  })
})

t.test('a malformed destination is a config error naming the label', async t => {
  const err = t.throws(() => createTarget(targetConfig('rsync://h', { label: 'mod' }), { log }))
  t.type(err, StemError)
  t.match(err, { exitCode: ExitCode.configInvalid, message: /\[target\] mod = rsync:\/\/h: .*no module/ })
})
