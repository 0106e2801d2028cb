import t from 'tap'
import { parseRsyncOrigin } from '../backends/rsync-origin.js'
import { BackendError } from '../src/errors.js'

const none = new Map<string, string>()
const opts = (o: Record<string, string>): Map<string, string> => new Map(Object.entries(o))

t.test('ssh origins', async t => {
  const a = parseRsyncOrigin('host1:/srv/files/a.txt', none)
  t.same(a.settings.remote, { kind: 'ssh', host: 'host1' })
  t.equal(a.path, '/srv/files/a.txt')
  t.same(a.settings.ssh, { command: 'ssh', options: [] }, 'defaults')
  t.same(parseRsyncOrigin('deploy@host1:/srv/b', none).settings.remote, { kind: 'ssh', user: 'deploy', host: 'host1' })
  t.same(parseRsyncOrigin('[::1]:/srv/c', none).settings.remote, { kind: 'ssh', host: '::1' })
  t.equal(parseRsyncOrigin('host1:rel/d.txt', none).path, 'rel/d.txt', 'relative to the login\'s home')
  t.equal(parseRsyncOrigin('host1:/srv/with space.txt', none).path, '/srv/with space.txt')
})

t.test('rsync daemon origins', async t => {
  const d = parseRsyncOrigin('rsync://mirror.example:8873/pub/dists/file.gz', none)
  t.same(d.settings.remote, { kind: 'rsync-daemon', host: 'mirror.example', port: 8873, module: 'pub' })
  t.equal(d.path, 'dists/file.gz', 'inside the module')
  t.same(parseRsyncOrigin('rsync://stalk@mirror/pub/f', none).settings.remote,
    { kind: 'rsync-daemon', user: 'stalk', host: 'mirror', module: 'pub' })
  t.same(parseRsyncOrigin('mirror::pub/f', none).settings.remote, { kind: 'rsync-daemon', host: 'mirror', module: 'pub' }, 'short form')
})

t.test('settings from the section, then [global]', async t => {
  const own = opts({ ssh_port: '2222', ssh_key: 'keys/id', ssh_options: 'ConnectTimeout=3 "ProxyJump=a b"', ssh_user: '' })
  const global = opts({ ssh_user: 'mirror', ssh_known_hosts: '/etc/stalk/known_hosts', ssh_port: '22', ssh_command: '/usr/bin/ssh' })
  const o = parseRsyncOrigin('host1:/f', own, global, '/etc/stalk')
  t.same(o.settings.ssh, {
    command: '/usr/bin/ssh', port: 2222, user: 'mirror', identityFile: '/etc/stalk/keys/id',
    knownHostsFile: '/etc/stalk/known_hosts', options: ['ConnectTimeout=3', 'ProxyJump=a b']
  }, 'own keys win, an empty one falls back, relative paths from the config folder')
})

t.test('daemon passwords', async t => {
  const url = 'rsync://stalk@mirror/pub/f'
  t.equal(parseRsyncOrigin(url, opts({ password: 'pw1' })).settings.password, 'pw1', 'a password read by the loader: RSYNC_PASSWORD')
  const g = parseRsyncOrigin(url, none, opts({ password_file: 'rsync.pass' }), '/etc/stalk').settings
  t.equal(g.passwordFile, '/etc/stalk/rsync.pass', 'a password_file only in [global]: --password-file')
  t.equal(g.password, undefined)
  const both = parseRsyncOrigin(url, opts({ password: 'from-env', password_file: '/x' })).settings
  t.same([both.password, both.passwordFile], ['from-env', undefined], 'the loader already read the file (or the environment won)')
  t.notOk('password' in parseRsyncOrigin('host1:/f', opts({ password: 'pw1' })).settings, 'ssh origins take no password')
})

t.test('the pool key', async t => {
  const key = (origin: string, o = none): string => parseRsyncOrigin(origin, o).key
  t.equal(key('host1:/a'), key('host1:/b/c'), 'files on one login share a backend')
  t.not(key('host1:/a'), key('host2:/a'))
  t.not(key('host1:/a'), key('other@host1:/a'), 'another user')
  t.not(key('host1:/a'), key('host1:/a', opts({ ssh_port: '2222' })), 'other ssh settings')
  t.equal(key('rsync://m/pub/a'), key('rsync://m/pub/b/c'))
  t.not(key('rsync://m/pub/a'), key('rsync://m/other/a'), 'a module is a backend of its own')
  t.not(key('rsync://m/pub/a', opts({ password: 'one' })), key('rsync://m/pub/a', opts({ password: 'two' })), 'other passwords')
  t.notMatch(key('rsync://m/pub/a', opts({ password: 'hunter22' })), /hunter22/, 'the key holds no password')
  t.equal(key('rsync://m/pub/a', opts({ ssh_port: '2' })), key('rsync://m/pub/a'), 'ssh settings do not matter to a daemon')
})

t.test('a folder origin: a path ending in "/", or a module or login folder', async t => {
  const folder = (origin: string): string => parseRsyncOrigin(origin, none, undefined, undefined, true).path
  t.equal(folder('host1:/srv/pub/'), '/srv/pub/')
  t.equal(folder('rsync://mirror/pub/dir/'), 'dir/')
  t.equal(folder('rsync://mirror/pub/'), '', 'the whole module')
  t.equal(folder('host1:'), '', 'the login folder')
  t.throws(() => folder('host1:/srv/f'), /a folder origin ends in "\/"/)
})

t.test('refusals name the problem', async t => {
  const refuses = (origin: string, why: RegExp, o = none): void => {
    try {
      parseRsyncOrigin(origin, o)
      t.fail(`${origin}: accepted`)
    } catch (err) {
      t.ok(err instanceof BackendError && err.kind === 'invalid', `${origin}: a BackendError of kind invalid`)
      t.match((err as Error).message, why, origin)
    }
  }
  refuses('/srv/local/file', /is a local path; an rsync origin is host:\/path or rsync:\/\//)
  refuses('./file', /is a local path/)
  refuses('https://host/f', /is a https:\/\/ URL, not an rsync origin/)
  refuses('host1:', /names no file/)
  refuses('rsync://mirror/pub', /names no file/)
  refuses('rsync://mirror/pub/dir/', /names no file/)
  refuses('rsync://mirror/', /names no module/)
  refuses('-oProxyCommand=x:/f', /cannot start with "-"/)
  refuses('rsync://u:secret@mirror/pub/f', /password does not belong in the URL/)
  refuses('host1:/f', /ssh_port: "0" is not a whole number from 1 to 65535/, opts({ ssh_port: '0' }))
  refuses('host1:/f', /ssh_options: "nope" is not Key=Value/, opts({ ssh_options: 'nope' }))
  refuses('host1:/f', /ssh_options: unterminated/, opts({ ssh_options: '"open' }))
})
