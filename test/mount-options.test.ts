import t, { type Test } from 'tap'
import { parseStemArgs } from '../src/cli/parse-args.js'
import { IGNORED_OPTIONS } from '../fstab-helper/ignored-options.js'
import { fstabToStemArgs, type FstabEnv } from '../fstab-helper/mount-options.js'

/** The argv, failing the test with the refusal when there is one. */
function argvOf (t: Test, options: string, device = 'stalk', env: FstabEnv = {}): string[] {
  const r = fstabToStemArgs(device, '/mnt/x', options, env)
  if ('error' in r) { t.fail(`${options}: refused: ${r.error}`); return [] }
  return r.argv
}

function refusal (options: string, device = 'stalk', env: FstabEnv = {}): string {
  const r = fstabToStemArgs(device, '/mnt/x', options, env)
  return 'error' in r ? r.error : `accepted: ${r.argv.join(' ')}`
}

t.test('the README example becomes a pull mount with allow_other', async t => {
  const r = fstabToStemArgs('stalk', '/etc/ssh/kh', 'config=/etc/stalk/ssh.cf,allow_other,ro,noauto')
  t.same(r, {
    argv: ['-c', '/etc/stalk/ssh.cf', '-r', '-a', '-n', 'stalk', '/etc/ssh/kh'],
    ignored: [{ option: 'noauto', why: 'read by mount(8) and systemd before the helper runs' }]
  })
})

t.test('each meaningful option and its stem flag', async t => {
  t.same(argvOf(t, 'rw'), ['-c', '/etc/stalk.cf', '-n', 'stalk', '/mnt/x'], 'rw: push mode, stem\'s default config')
  t.same(argvOf(t, ''), ['-c', '/etc/stalk.cf', '-n', 'stalk', '/mnt/x'], 'no options at all: the same')
  t.same(argvOf(t, 'ro'), ['-c', '/etc/stalk.cf', '-r', '-n', 'stalk', '/mnt/x'])
  t.same(argvOf(t, 'allow_other'), ['-c', '/etc/stalk.cf', '-a', '-n', 'stalk', '/mnt/x'])
  t.same(argvOf(t, 'foreground'), ['-c', '/etc/stalk.cf', '-f', '-n', 'stalk', '/mnt/x'])
  t.same(argvOf(t, 'verbose'), ['-c', '/etc/stalk.cf', '-v', '-n', 'stalk', '/mnt/x'])
  t.same(argvOf(t, 'debug'), ['-c', '/etc/stalk.cf', '-d', '-n', 'stalk', '/mnt/x'])
  t.same(argvOf(t, 'verbose,debug'), ['-c', '/etc/stalk.cf', '-d', '-n', 'stalk', '/mnt/x'], 'debug includes verbose')
  t.same(argvOf(t, 'config=/etc/stalk/a.cf'), ['-c', '/etc/stalk/a.cf', '-n', 'stalk', '/mnt/x'])
  t.same(argvOf(t, 'rw', 'stalk', { defaultConfig: '/opt/s.cf' }).slice(0, 2), ['-c', '/opt/s.cf'], 'env.defaultConfig')
  t.same(argvOf(t, 'ro,ro'), ['-c', '/etc/stalk.cf', '-r', '-n', 'stalk', '/mnt/x'], 'a repeated option is fine')
})

t.test('stem reads the argv the way fstab meant it', async t => {
  const argv = argvOf(t, 'ro,config=/etc/stalk/k.cf,allow_other,debug,foreground', 'kh')
  t.same(parseStemArgs(argv), {
    command: 'mount', configFile: '/etc/stalk/k.cf', readOnly: true, allowOther: true,
    foreground: true, verbosity: 'debug', name: 'kh', mountpoint: '/mnt/x'
  })
  t.match(parseStemArgs(argvOf(t, 'rw')), { readOnly: false, allowOther: false, foreground: false, verbosity: 'warn', name: 'stalk' })
})

t.test('config= values: =, quotes, commas and spaces inside quotes', async t => {
  t.equal(argvOf(t, 'config=/etc/a=b.cf,ro')[1], '/etc/a=b.cf', 'only the first = separates')
  t.equal(argvOf(t, 'config="/etc/a b,c.cf",ro')[1], '/etc/a b,c.cf', 'mount(8) passes quotes as written')
  t.same(argvOf(t, 'rw,config="/etc/a b,c.cf",noauto').slice(0, 3), ['-c', '/etc/a b,c.cf', '-n'])
  t.equal(argvOf(t, 'config=/etc/s.cf,config=/etc/s.cf')[1], '/etc/s.cf', 'the same file twice is fine')
  t.match(refusal('config=/a.cf,config=/b.cf'), /^config=\/b\.cf: contradicts config=\/a\.cf/)
  t.match(refusal('config='), /^config=: config needs a file/)
  t.match(refusal('config'), /^config: config needs a file/)
  t.match(refusal('config=etc/s.cf'), /^config=etc\/s\.cf: the config file must be an absolute path/)
  t.match(refusal('config="/etc/a.cf'), /unclosed double quote/)
})

t.test('ro and rw contradict each other in either order', async t => {
  t.match(refusal('ro,rw'), /^rw: contradicts ro/)
  t.match(refusal('rw,ro'), /^ro: contradicts rw/)
  t.match(refusal('rw,noauto,ro', 'stalk', { sloppy: true }), /^ro: contradicts rw/, 'mount -s does not excuse a contradiction')
})

t.test('unknown options are refused by name', async t => {
  t.match(refusal('ro,uid=1000'), /^uid=1000: unknown option/)
  t.match(refusal('allow_root'), /^allow_root: unknown option \(stalk knows ro, rw, config=/)
  t.match(refusal('constructor'), /^constructor: unknown option/, 'no lookup through Object.prototype')
  t.match(refusal('ro=1'), /^ro=1: ro takes no value/)
  t.match(refusal('allow_other=yes'), /^allow_other=yes: allow_other takes no value/)
  t.match(refusal('noauto=1'), /^noauto=1: unknown option/, 'a dropped option with a value is not the dropped option')
})

t.test('mount -s drops unknown options, never unsupported ones', async t => {
  const r = fstabToStemArgs('stalk', '/mnt/x', 'ro,uid=1000,noauto', { sloppy: true })
  t.same(r, {
    argv: ['-c', '/etc/stalk.cf', '-r', '-n', 'stalk', '/mnt/x'],
    ignored: [
      { option: 'uid=1000', why: 'unknown to stalk; dropped because of mount -s' },
      { option: 'noauto', why: 'read by mount(8) and systemd before the helper runs' }
    ]
  })
  t.match(refusal('noexec', 'stalk', { sloppy: true }), /^noexec: stalk cannot mount noexec/)
})

t.test('flags a stalk mount cannot honour are refused, with the reason', async t => {
  t.match(refusal('rw,user,noexec'), /^noexec: stalk cannot mount noexec \(user and users imply it: write user,exec/)
  t.match(refusal('suid'), /^suid: stalk mounts are always nosuid/)
  t.match(refusal('dev'), /^dev: stalk mounts are always nodev/)
  t.match(refusal('sync'), /^sync: /)
  t.match(refusal('dirsync'), /^dirsync: /)
  t.match(refusal('mand'), /^mand: /)
  t.match(refusal('nosymfollow'), /^nosymfollow: /)
})

t.test('the drop table: every entry is accepted and changes nothing', async t => {
  const plain = argvOf(t, 'ro')
  for (const o of IGNORED_OPTIONS) {
    const written = o.prefix === true ? o.name + (o.name.endsWith('=') ? 'something' : 'systemd.automount') : o.name
    const r = fstabToStemArgs('stalk', '/mnt/x', `ro,${written}`)
    if ('error' in r) { t.fail(`${written}: ${r.error}`); continue }
    t.same(r.argv, plain, written)
    t.same(r.ignored.map(i => i.option), [written], `${written} is reported as ignored`)
  }
  const many = 'rw,nosuid,nodev,noatime,relatime,_netdev,user,nofail,users,x-systemd.requires=/srv,x-systemd.mount-timeout=30,x-gvfs-show,comment=systemd.automount,user=bob,defaults,,'
  t.same(argvOf(t, many), argvOf(t, 'rw'), 'what mount(8) really passes, trailing empty items included')
})

t.test('the device becomes -n, checked like stem checks it', async t => {
  t.same(argvOf(t, 'rw', 'mydev').slice(-3), ['-n', 'mydev', '/mnt/x'])
  t.same(argvOf(t, 'rw', 'none'), ['-c', '/etc/stalk.cf', '/mnt/x'], 'none: stem\'s default name')
  t.match(refusal('rw', 'my dev'), /cannot contain spaces, commas or backslashes/)
  t.match(refusal('rw', 'a,allow_other'), /cannot contain spaces, commas or backslashes/)
  t.match(refusal('rw', 'a\\b'), /cannot contain spaces, commas or backslashes/)
  t.match(refusal('rw', '-r'), /cannot start with -/)
  t.match(refusal('rw', ''), /device .* is empty/)
})

t.test('the mountpoint must be absolute', async t => {
  const r = fstabToStemArgs('stalk', 'mnt', 'rw')
  t.same(r, { error: 'mountpoint mnt is not an absolute path' })
})
