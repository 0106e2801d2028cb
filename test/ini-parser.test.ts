import t from 'tap'
import { ExitCode } from '../src/exit-codes.js'
import type { IniDocument } from '../src/config/ini-document.js'
import { parseIni } from '../src/config/ini-parser.js'

// The two example configs of the original's documentation, verbatim.
const PUSH_DOC = `[global]
timeout: 10
root: /home/me/.internal_yum
log: /home/me/fuse/logs/internal_yum

[plugin]
name: command_plugin
command: createrepo
o: -q

[target]
us-west-2: host1:/var/lib/nginx/yum
us-east-1: hostb.example.org:/var/www/yum
`
const PULL_DOC = `[global]
cachedir: /etc/ssh/cache/
log: /var/log/stalk-ssh
[DEFAULT]
cachetime: 600
[file1]
name: ssh_known_hosts
origin: https://ssh-known-hosts-server.example.com/ssh_known_hosts
`

/** Every section (DEFAULT first) with all its interpolated values, for whole-result comparisons. */
function dump (doc: IniDocument): Record<string, Record<string, string | undefined>> {
  const out: Record<string, Record<string, string | undefined>> = {}
  for (const s of ['DEFAULT', ...doc.sectionNames()]) {
    out[s] = Object.fromEntries(doc.keys(s).map(k => [k, doc.get(s, k)]))
  }
  return out
}

const syntax = (message: string | RegExp): { name: string; exitCode: number; message: string | RegExp } =>
  ({ name: 'StemError', exitCode: ExitCode.configSyntax, message })

t.test("the original's push example parses unchanged", async t => {
  const doc = parseIni(PUSH_DOC, '/etc/stalk.cf')
  t.same(doc.sectionNames(), ['global', 'plugin', 'target'])
  t.same(dump(doc), {
    DEFAULT: {},
    global: { timeout: '10', root: '/home/me/.internal_yum', log: '/home/me/fuse/logs/internal_yum' },
    plugin: { name: 'command_plugin', command: 'createrepo', o: '-q' },
    target: { 'us-west-2': 'host1:/var/lib/nginx/yum', 'us-east-1': 'hostb.example.org:/var/www/yum' }
  })
  t.same(doc.ownKeys('target'), ['us-west-2', 'us-east-1'], 'file order')
  t.equal(doc.entry('plugin', 'o')?.line, 9)
  t.equal(doc.section('target')?.line, 11)
})

t.test("the original's pull example parses unchanged, [DEFAULT] inherited", async t => {
  const doc = parseIni(PULL_DOC, '/etc/stalk-ssh.cf')
  t.same(doc.sectionNames(), ['global', 'file1'], 'DEFAULT is not a section')
  t.same(dump(doc), {
    DEFAULT: { cachetime: '600' },
    global: { cachedir: '/etc/ssh/cache/', log: '/var/log/stalk-ssh', cachetime: '600' },
    file1: {
      name: 'ssh_known_hosts',
      origin: 'https://ssh-known-hosts-server.example.com/ssh_known_hosts',
      cachetime: '600'
    }
  })
  t.same(doc.ownKeys('file1'), ['name', 'origin'])
  t.equal(doc.isOwn('file1', 'cachetime'), false)
  t.equal(doc.isOwn('DEFAULT', 'cachetime'), true)
  t.equal(doc.entry('file1', 'cachetime')?.line, 5, 'an inherited key reports its [DEFAULT] line')
})

t.test('key = value, key: value, first delimiter wins, keys lower-cased, blanks trimmed', async t => {
  const doc = parseIni('[S]\n  Key = a:b=c  \nURL: http://x/?a=1\nempty =\n', 'f')
  t.same(dump(doc)['S'], { key: 'a:b=c', url: 'http://x/?a=1', empty: '' })
  t.equal(doc.has('s'), false, 'section names are case-sensitive')
})

t.test('comments: full lines only, # and ; inline stay in the value', async t => {
  const doc = parseIni('# top\n; top\n[a]\n  # indented comment\nk: v # not a comment ; nor this\n', 'f')
  t.same(dump(doc)['a'], { k: 'v # not a comment ; nor this' })
})

t.test('continuation lines', async t => {
  const doc = parseIni('[a]\nk = one\n  two\n# comment inside\n\n    three\n\n\nnext: 1\n  [b]\n', 'f')
  t.same(dump(doc)['a'], { k: 'one\ntwo\n\nthree', next: '1\n[b]' }, 'blank kept inside, dropped at the end; deeper [x] continues')
  t.same(doc.sectionNames(), ['a'])
  const same = parseIni('[a]\n  k = v\n  [b]\n  x = 1\n', 'f')
  t.same(same.sectionNames(), ['a', 'b'], 'an equally indented line is not a continuation')
  t.same(dump(parseIni('[a]\r\nk = v\r\n\tw\r\n', 'f'))['a'], { k: 'v\nw' }, 'CRLF and tabs')
})

t.test('[DEFAULT]: inherited, overridable, may be reopened, keys after own keys', async t => {
  const doc = parseIni('[DEFAULT]\nx = d\ny = d\n[a]\ny = own\nz = own\n[DEFAULT]\nw = late\n', 'f')
  t.same(doc.keys('a'), ['y', 'z', 'x', 'w'])
  t.same(dump(doc)['a'], { y: 'own', z: 'own', x: 'd', w: 'late' })
  t.equal(doc.get('missing', 'x'), undefined, 'an absent section inherits nothing')
})

t.test('section header forms ConfigParser accepts', async t => {
  const doc = parseIni('[plugin:cmd] ; comment after header\nk=v\n[a]b]\n[ spaced ]\n', 'f')
  t.same(doc.sectionNames(), ['plugin:cmd', 'a]b', ' spaced '])
  t.same(dump(parseIni('\uFEFF[a]\nk=v\n', 'f'))['a'], { k: 'v' }, 'a BOM is dropped')
})

t.test('interpolation', async t => {
  const doc = parseIni([
    '[DEFAULT]', 'base = /srv', 'dir = %(base)s/data',
    '[a]', 'log = %(DIR)s/log', 'pct = 100%%', 'base = /opt', 'nested = %(pct)s of %(log)s'
  ].join('\n'), 'f')
  t.equal(doc.get('a', 'log'), '/opt/data/log', 'references resolve in the asking section, names lower-cased')
  t.equal(doc.get('a', 'pct'), '100%')
  t.equal(doc.get('a', 'nested'), '100% of /opt/data/log')
  t.equal(doc.raw('a', 'log'), '%(DIR)s/log')
  t.equal(doc.get('DEFAULT', 'dir'), '/srv/data')
})

t.test('interpolation errors name the section and key', async t => {
  const bad = (text: string, key: string): unknown => {
    try {
      parseIni(text, '/etc/x.cf').get('s', key)
    } catch (err) { return err }
    return undefined
  }
  const invalid = (message: string | RegExp): object => ({ name: 'StemError', exitCode: ExitCode.configInvalid, message })
  t.match(bad('[s]\nk = %(nope)s\n', 'k'),
    invalid('/etc/x.cf: [s] k: %(nope)s refers to "nope", which is not set in [s] or [DEFAULT]'))
  t.match(bad('[s]\na = %(b)s\nb = x%(a)s\n', 'a'), invalid('/etc/x.cf: [s] a: interpolation loop a -> b -> a'))
  t.match(bad('[s]\na = %(a)s\n', 'a'), invalid('/etc/x.cf: [s] a: interpolation loop a -> a'))
  t.match(bad('[s]\nk = 50%\n', 'k'),
    invalid('/etc/x.cf: [s] k: "%" must be followed by "%" or "(name)s", found "%" (write %% for a literal %)'))
  t.match(bad('[s]\nk = %(x)d\nx = 1\n', 'k'), invalid(/\[s\] k: "%" must be followed .* found "%\(x\)d"/))
  t.equal(bad('[s]\nk = 50%\nok = 1\n', 'ok'), undefined, 'a bad value only fails when read, as in Python')
})

t.test('syntax errors name the file and line', async t => {
  const cases: Array<[string, string]> = [
    ['[a]\nk = v\njunk line\n', '/etc/x.cf:3: expected "key: value" or "[section]", got "junk line"'],
    ['\n# c\nk = v\n[a]\n', '/etc/x.cf:3: "k = v" comes before any [section] header'],
    ['[a]\n= v\n', '/etc/x.cf:2: missing key before "=" in "= v"'],
    ['[a]\n: v\n', '/etc/x.cf:2: missing key before ":" in ": v"'],
    ['[a]\n[]\n', '/etc/x.cf:2: expected "key: value" or "[section]", got "[]"'],
    ['[a]\nk=1\n[b]\n[a]\n', '/etc/x.cf:4: section [a] appears twice (first at line 1)'],
    ['[a]\nKey=1\n\nkey: 2\n', '/etc/x.cf:4: [a] key "key" appears twice (first at line 2)'],
    ['[DEFAULT]\nk=1\n[DEFAULT]\nk=2\n', '/etc/x.cf:4: [DEFAULT] key "k" appears twice (first at line 2)']
  ]
  for (const [text, message] of cases) {
    t.throws(() => parseIni(text, '/etc/x.cf'), syntax(message), message)
  }
  t.throws(() => parseIni(`[a]\n${'x'.repeat(100)}\n`, 'f'), syntax(`f:2: expected "key: value" or "[section]", got "${'x'.repeat(57)}..."`))
})
