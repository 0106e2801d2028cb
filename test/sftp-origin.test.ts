// sftp:// origins and their ssh options → SftpBackend settings, pool key and path.
import { homedir, userInfo } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { parseSftpOrigin } from '../backends/sftp-origin.js'
import { BackendError } from '../src/errors.js'

const opts = (o: Record<string, string> = {}): Map<string, string> => new Map(Object.entries(o))

t.test('host, port, user and path from the URL', async t => {
  const o = parseSftpOrigin('sftp://mirror@files.example:2222/srv/motd', opts())
  t.same(o.settings, { host: 'files.example', port: 2222, user: 'mirror' })
  t.equal(o.path, '/srv/motd')
  t.match(o.key, /^mirror@files\.example:2222 /)
})

t.test('the path is percent-decoded and absolute; /~/ is relative to the login directory', async t => {
  t.equal(parseSftpOrigin('sftp://h/srv/a%20b%C3%BC.txt', opts()).path, '/srv/a bü.txt')
  t.equal(parseSftpOrigin('sftp://h/~/notes.txt', opts()).path, 'notes.txt')
  t.equal(parseSftpOrigin('sftp://h/~/d/x', opts()).path, 'd/x')
  t.equal(parseSftpOrigin('sftp://h/~', opts()).path, '.')
  t.equal(parseSftpOrigin('sftp://h/%7E/x', opts()).path, 'x', 'an encoded ~ is the same ~')
  t.equal(parseSftpOrigin('sftp://h//abs', opts()).path, '//abs')
})

t.test('defaults: no port or user in the settings, ssh-like defaults in the key', async t => {
  const o = parseSftpOrigin('sftp://h/f', opts())
  t.same(o.settings, { host: 'h' })
  t.equal(o.key, `${userInfo().username}@h:22 key=(agent/default) known_hosts=${join(homedir(), '.ssh/known_hosts')} strict=yes`)
})

t.test('IPv6 hosts lose their brackets', async t => {
  const o = parseSftpOrigin('sftp://u@[::1]:2200/f', opts())
  t.equal(o.settings.host, '::1')
  t.match(o.key, /^u@\[::1\]:2200 /)
})

t.test('options: the section first, then [global]; the URL beats ssh_user and ssh_port', async t => {
  const global = opts({ ssh_user: 'g', ssh_port: '2022', ssh_key: '/g/key', strict_host_key_checking: 'no' })
  const section = opts({ ssh_key: '/s/key', ssh_known_hosts: '/s/kh', key_passphrase: 'pw', ssh_user: '' })
  const o = parseSftpOrigin('sftp://h/f', section, global)
  t.same(o.settings, { host: 'h', port: 2022, user: 'g', identityFile: '/s/key', passphrase: 'pw', knownHostsFile: '/s/kh', strictHostKeyChecking: false })
  t.equal(o.key, 'g@h:2022 key=/s/key known_hosts=/s/kh strict=no', 'the passphrase is not in the key')
  const url = parseSftpOrigin('sftp://u@h:23/f', section, global)
  t.equal(url.settings.user, 'u')
  t.equal(url.settings.port, 23)
})

t.test('key paths: ~/ is home, relative ones need the config folder', async t => {
  t.equal(parseSftpOrigin('sftp://h/f', opts({ ssh_key: '~/.ssh/k' })).settings.identityFile, join(homedir(), '.ssh/k'))
  t.equal(parseSftpOrigin('sftp://h/f', opts({ ssh_key: 'keys/k' }), undefined, { configDir: '/etc/stalk' }).settings.identityFile, '/etc/stalk/keys/k')
  t.throws(() => parseSftpOrigin('sftp://h/f', opts({ ssh_known_hosts: 'kh' })), /ssh_known_hosts: "kh" must be an absolute path/)
})

t.test('strict_host_key_checking', async t => {
  for (const v of ['yes', 'Yes', 'true', 'on', '1']) t.equal(parseSftpOrigin('sftp://h/f', opts({ strict_host_key_checking: v })).settings.strictHostKeyChecking, true, v)
  for (const v of ['no', 'false', 'off', '0']) t.equal(parseSftpOrigin('sftp://h/f', opts({ strict_host_key_checking: v })).settings.strictHostKeyChecking, false, v)
  t.throws(() => parseSftpOrigin('sftp://h/f', opts({ strict_host_key_checking: 'accept-new' })), /must be yes or no/)
})

t.test('a folder origin keeps its slash; /~/ is the login folder', async t => {
  const folder = (origin: string): string => parseSftpOrigin(origin, opts(), undefined, { folder: true }).path
  t.equal(folder('sftp://h/srv/a%20b/'), '/srv/a b/')
  t.equal(folder('sftp://h/'), '/', 'the server root')
  t.equal(folder('sftp://h/~/'), '', 'the login folder')
  t.equal(folder('sftp://h/~/pub/'), 'pub/', 'under the login folder')
  t.throws(() => folder('sftp://h/srv'), /a folder origin ends in "\/"/)
})

t.test('refusals are BackendError invalid with the reason', async t => {
  const cases: Array<[string, Record<string, string>, RegExp]> = [
    ['sftp://h', {}, /names no file/],
    ['sftp://h/', {}, /names no file/],
    ['sftp://u:secret@h/f', {}, /a password in the URL is not supported/],
    ['sftp://h/f?x=1', {}, /"\?" and "#" are not allowed/],
    ['sftp://h/a%zz', {}, /bad percent-encoding/],
    ['sftp://h/a%00b', {}, /NUL/],
    ['https://h/f', {}, /not an sftp:\/\/ URL/],
    ['sftp://h:0/f', {}, /the URL port: "0" is not a port number/],
    ['sftp://h/f', { ssh_port: '70000' }, /ssh_port: "70000" is not a port number/],
    ['sftp://h/f', { ssh_port: '22x' }, /ssh_port: "22x"/],
    ['not a url', {}, /not a valid sftp:\/\/ URL/]
  ]
  for (const [origin, o, msg] of cases) {
    try {
      parseSftpOrigin(origin, opts(o))
      t.fail(`${origin}: accepted`)
    } catch (err) {
      t.ok(err instanceof BackendError && err.kind === 'invalid', `${origin}: invalid`)
      t.match((err as Error).message, msg, origin)
      t.notMatch((err as Error).message, /secret/, 'never the password')
    }
  }
})
