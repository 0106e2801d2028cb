import t from 'tap'
import { DestinationSyntaxError, parseDestination, type Destination } from '../backends/parse-destination.js'

const table: Array<[string, Destination, string]> = [
  ['/srv/mirror', { kind: 'local', path: '/srv/mirror' }, 'absolute path'],
  ['./relative', { kind: 'local', path: './relative' }, 'relative path'],
  ['relative', { kind: 'local', path: 'relative' }, 'bare name'],
  ['/tmp/a:b', { kind: 'local', path: '/tmp/a:b' }, "a ':' after a '/' is part of a local path"],
  ['./a:b', { kind: 'local', path: './a:b' }, "'./' makes a name with ':' local"],
  ['file:///srv/x%20y', { kind: 'local', path: '/srv/x y' }, 'file:// URL'],
  ['ho[st:/x', { kind: 'local', path: 'ho[st:/x' }, "a '[' inside a host name is local, as in rsync"],
  ['host1:/var/lib/nginx/yum', { kind: 'ssh', host: 'host1', path: '/var/lib/nginx/yum' }, 'host:/path'],
  ['deploy@host1:/srv', { kind: 'ssh', user: 'deploy', host: 'host1', path: '/srv' }, 'user@host:/path'],
  ['host:', { kind: 'ssh', host: 'host', path: '' }, 'empty path is the home folder'],
  ['C:', { kind: 'ssh', host: 'C', path: '' }, '"C:" is a host, not a drive letter'],
  ['a:b/c', { kind: 'ssh', host: 'a', path: 'b/c' }, 'a:b/c is host a, path b/c'],
  ['h:a:b', { kind: 'ssh', host: 'h', path: 'a:b' }, 'only the first colon splits'],
  ['[::1]:/path', { kind: 'ssh', host: '::1', path: '/path' }, 'IPv6 in brackets'],
  ['me@[fe80::1]:dir', { kind: 'ssh', user: 'me', host: 'fe80::1', path: 'dir' }, 'user and IPv6'],
  ['a@b@host:/x', { kind: 'ssh', user: 'a@b', host: 'host', path: '/x' }, "the last '@' separates the user"],
  ['host:~/mirror', { kind: 'ssh', host: 'host', path: '~/mirror' }, 'remote ~ is left to the remote side'],
  ['rsync://host/mod', { kind: 'rsync-daemon', host: 'host', module: 'mod', path: '' }, 'daemon module'],
  ['rsync://stalk@127.0.0.1:8873/push/sub/dir', { kind: 'rsync-daemon', user: 'stalk', host: '127.0.0.1', port: 8873, module: 'push', path: 'sub/dir' }, 'daemon URL with user, port and path'],
  ['RSYNC://h/m/p', { kind: 'rsync-daemon', host: 'h', module: 'm', path: 'p' }, 'scheme is case-insensitive'],
  ['rsync://[::1]:873/m/', { kind: 'rsync-daemon', host: '::1', port: 873, module: 'm', path: '' }, 'daemon on IPv6'],
  ['host::mod/sub', { kind: 'rsync-daemon', host: 'host', module: 'mod', path: 'sub' }, 'host::module short form'],
  ['u@host::mod', { kind: 'rsync-daemon', user: 'u', host: 'host', module: 'mod', path: '' }, 'user@host::module'],
  ['s3://bucket/prefix', { kind: 'url', scheme: 's3' }, 's3 URL'],
  ['sftp://h/p', { kind: 'url', scheme: 'sftp' }, 'sftp URL'],
  ['ftp://h/p', { kind: 'url', scheme: 'ftp' }, 'any other scheme']
]

t.test('destinations parse by rsync\'s rules', async t => {
  for (const [input, expected, why] of table) t.same(parseDestination(input), expected, `${input}: ${why}`)
})

const bad: Array<[string, RegExp]> = [
  ['', /empty/],
  ['   ', /empty/],
  [':/path', /no host/],
  ['@host:/x', /empty user/],
  ['rsync://host', /no module/],
  ['rsync://host/', /no module/],
  ['host::', /no module/],
  ['rsync://user:pw@host/m', /password does not belong in the URL/],
  ['rsync://host:0/m', /out of range/],
  ['rsync://host:99999/m', /out of range/],
  ['rsync://host:abc/m', /bad host or port/],
  ['-oProxyCommand=x:/p', /cannot start with "-"/],
  ['rsync://-h/m', /cannot start with "-"/],
  ['~/mirror', /not expanded/]
]

t.test('nonsense is refused with a reason', async t => {
  for (const [input, message] of bad) {
    t.throws(() => parseDestination(input), { name: 'DestinationSyntaxError', message }, JSON.stringify(input))
  }
  t.ok(new DestinationSyntaxError('x') instanceof Error)
})
