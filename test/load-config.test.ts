import t from 'tap'
import { createHash } from 'node:crypto'
import { chmodSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadConfig } from '../src/config/load-config.js'
import { LOG_KEYS } from '../src/config/log-settings.js'
import { SECRET_KEYS } from '../src/config/pull-secrets.js'
import { TARGET_KEYS } from '../src/config/push-targets.js'
import { asUser, refusal, writeConfig } from './helpers/config-fixture.js'

/** A shipped file, wherever the tests run from. */
const shipped = (name: string): string => fileURLToPath(new URL(`../etc/${name}`, import.meta.url))

const stateName = (root: string): string =>
  `root-${createHash('sha256').update(root).digest('hex').slice(0, 16)}`

t.test("the original's push example, with root pointing at a real folder", async t => {
  const dir = t.testdir({ root: {} })
  const root = join(dir, 'root')
  const file = writeConfig(dir, `[global]
timeout: 10
root: ${root}
log: /home/me/fuse/logs/internal_yum

[plugin]
name: command_plugin
command: createrepo
o: -q

[target]
us-west-2: host1:/var/lib/nginx/yum
us-east-1: hostb.example.org:/var/www/yum
`)
  const target = (label: string, destination: string): object => ({
    label,
    destination,
    ssh: { command: 'ssh', options: [] },
    rsyncOptions: [],
    timeoutMs: 3_600_000
  })
  t.same(await loadConfig(file, 'push', asUser), {
    mode: 'push',
    file,
    root,
    quietMs: 10_000,
    maxWaitMs: 600_000,
    retryMinMs: 5000,
    retryMaxMs: 300_000,
    shutdownGraceMs: 60_000,
    lazy: false,
    stateDir: join('/home/tester/.local/state/stalk', stateName(root)),
    log: { file: '/home/me/fuse/logs/internal_yum', maxBytes: 10 * 1024 * 1024, keep: 5 },
    plugins: [{ section: 'plugin', name: 'command_plugin', options: new Map([['command', 'createrepo'], ['o', '-q']]) }],
    targets: [target('us-west-2', 'host1:/var/lib/nginx/yum'), target('us-east-1', 'hostb.example.org:/var/www/yum')],
    warnings: []
  })
})

t.test("the original's pull example", async t => {
  const file = writeConfig(t.testdir(), `[global]
cachedir: /etc/ssh/cache/
log: /var/log/stalk-ssh
[DEFAULT]
cachetime: 600
[file1]
name: ssh_known_hosts
origin: https://ssh-known-hosts-server.example.com/ssh_known_hosts
`)
  const origin = 'https://ssh-known-hosts-server.example.com/ssh_known_hosts'
  t.same(await loadConfig(file, 'pull', asUser), {
    mode: 'pull',
    file,
    cachedir: '/etc/ssh/cache',
    opTimeoutMs: 600_000,
    lazy: false,
    log: { file: '/var/log/stalk-ssh', maxBytes: 10 * 1024 * 1024, keep: 5 },
    files: [{
      section: 'file1',
      name: 'ssh_known_hosts',
      origin,
      cachetimeMs: 600_000,
      options: new Map([['name', 'ssh_known_hosts'], ['origin', origin], ['cachetime', '600']])
    }],
    warnings: []
  })
})

t.test('the result is frozen', async t => {
  const dir = t.testdir({ root: {} })
  const c = await loadConfig(writeConfig(dir, '[global]\nroot = root\n[target]\na = h:/x\n'), 'push', asUser)
  t.ok(Object.isFrozen(c) && Object.isFrozen(c.targets) && Object.isFrozen(c.targets[0]) && Object.isFrozen(c.log))
})

t.test('[DEFAULT] keys are inherited, but never become target labels or plugin options', async t => {
  const dir = t.testdir({ root: {} })
  const file = writeConfig(dir, [
    '[DEFAULT]', 'timeout = 20', 'cachetime = 600', 'base = /srv',
    '[global]', 'root = root', 'log = %(base)s/log/stalk',
    '[plugin:cmd]', 'command = make',
    '[target]', 'a = host:%(base)s/a'
  ].join('\n'))
  const c = await loadConfig(file, 'push', asUser)
  t.equal(c.quietMs, 20_000, '[global] inherits timeout')
  t.equal(c.log.file, '/srv/log/stalk', 'interpolation from [DEFAULT]')
  t.same(c.targets.map(x => [x.label, x.destination]), [['a', 'host:/srv/a']])
  t.same(c.plugins, [{ section: 'plugin:cmd', name: 'cmd', options: new Map([['command', 'make']]) }])
  t.same(c.warnings, [], 'inherited keys are not unknown [global] keys')
})

t.test('an unreadable config file is configUnreadable with the OS reason', async t => {
  const dir = t.testdir({ 'a-folder': {} })
  await t.rejects(loadConfig(join(dir, 'missing.cf'), 'push'),
    refusal('configUnreadable', `${join(dir, 'missing.cf')}: cannot read the config file: ENOENT: no such file or directory`))
  await t.rejects(loadConfig(join(dir, 'a-folder'), 'pull'),
    refusal('configUnreadable', `${join(dir, 'a-folder')}: cannot read the config file: EISDIR: illegal operation on a directory`))
})

t.test('a config file without read permission is configUnreadable', {
  skip: process.getuid?.() === 0 ? 'root reads files whatever their mode' : false
}, async t => {
  const file = writeConfig(t.testdir(), '[global]\n')
  chmodSync(file, 0o000)
  await t.rejects(loadConfig(file, 'push'), refusal('configUnreadable', `${file}: cannot read the config file: EACCES: permission denied`))
})

t.test('relative config paths are made absolute for messages and the result', async t => {
  const dir = t.testdir({ root: {} })
  writeConfig(dir, '[global]\nroot: root\n[plugin]\nname: null\n')
  const cwd = process.cwd()
  t.teardown(() => { process.chdir(cwd) })
  process.chdir(dir)
  const c = await loadConfig('stalk.cf', 'push', asUser)
  t.equal(c.file, join(dir, 'stalk.cf'))
  t.equal(c.root, join(dir, 'root'))
})

t.test('syntax errors reach the caller with file and line', async t => {
  const file = writeConfig(t.testdir(), '[global]\nroot: /x\n\n[target\nno delimiter here\n')
  await t.rejects(loadConfig(file, 'push', asUser),
    refusal('configSyntax', `${file}:4: expected "key: value" or "[section]", got "[target"`))
  const dup = writeConfig(t.testdir(), '[a]\nname: x\n[a]\n')
  await t.rejects(loadConfig(dup, 'pull', asUser), refusal('configSyntax', `${dup}:3: section [a] appears twice (first at line 1)`))
})

t.test('the shipped example configs load, once root points at a real folder', async t => {
  const dir = t.testdir({ root: {} })
  const pushText = readFileSync(shipped('push.example.ini'), 'utf8')
  t.match(pushText, /^root: \/srv\/stalk\/root$/m)
  const push = await loadConfig(writeConfig(dir, pushText.replace(/^root: .*$/m, `root: ${join(dir, 'root')}`)), 'push', asUser)
  t.same(push.targets.map(x => [x.label, x.destination]), [['local', '/srv/stalk/mirror']])
  t.same(push.warnings, [])
  const pull = await loadConfig(shipped('pull.example.ini'), 'pull', asUser)
  t.same(pull.files.map(f => [f.name, f.origin, f.cachetimeMs]),
    [['ssh_known_hosts', 'https://keys.example.org/ssh_known_hosts', 600_000]])
  t.same(pull.warnings, [])
})

t.test('the example configs mention every key', async t => {
  const pushKeys = ['root', 'timeout', 'max_wait', 'retry_min', 'retry_max', 'shutdown_grace', 'target_timeout',
    'state_dir', 'lazy', ...LOG_KEYS, ...TARGET_KEYS, 'name', 'command']
  const pullKeys = ['cachedir', ...LOG_KEYS, 'name', 'origin', 'cachetime', 'dir_cachetime', ...SECRET_KEYS.map(k => `${k}_file`)]
  for (const [file, keys] of [['push.example.ini', pushKeys], ['pull.example.ini', pullKeys]] as const) {
    const text = readFileSync(shipped(file), 'utf8')
    for (const key of keys) t.match(text, new RegExp(`^#?${key}: `, 'm'), `${file}: ${key}`)
  }
})
