import t from 'tap'
import { createTarget } from '../backends/registry.js'
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

t.test('s3:// and sftp:// are refused as not supported yet', async t => {
  for (const dest of ['s3://bucket/prefix', 'sftp://host/dir']) {
    const scheme = dest.split(':')[0] ?? ''
    t.throws(() => createTarget(targetConfig(dest, { label: 'cloud' }), { log }), {
      name: 'StemError', exitCode: ExitCode.configInvalid,
      message: new RegExp(`\\[target\\] cloud = ${dest}: ${scheme}:// targets are not supported yet`)
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
