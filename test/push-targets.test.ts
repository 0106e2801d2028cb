import t from 'tap'
import { symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { loadConfig } from '../src/config/load-config.js'
import type { PushConfig } from '../src/config/types.js'
import { asUser, refusal, writeConfig } from './helpers/config-fixture.js'

/** Loads a push config from `dir` (which holds `root/`) with root = root and the given sections. */
function load (dir: string, sections: string, global = ''): Promise<PushConfig> {
  return loadConfig(writeConfig(dir, `[global]\nroot = root\n${global}\n${sections}`), 'push', asUser)
}

t.test('per-target settings, [global] defaults, and what each falls back to', async t => {
  const dir = t.testdir({ root: {} })
  const c = await load(dir, [
    '[target]', 'Eu = eu.example.org:/srv/yum', 'us = rsync://mirror/yum', 'local = /srv/mirror',
    '[target:EU]', 'ssh_port = 2222', 'ssh_user = deploy', 'ssh_key = keys/eu',
    'ssh_options = ConnectTimeout=10 "ProxyCommand=ssh -W %%h:%%p bastion"',
    'rsync_options = --bwlimit=1m --exclude \'*.tmp\' --chmod=D755',
    'timeout = 10m',
    '[target:us]', 'password_file = /etc/stalk/us.pass', 'ssh_command = /usr/bin/ssh -T'
  ].join('\n'), 'ssh_command = ssh -4\nssh_known_hosts = known_hosts\ntarget_timeout = 30m\nrsync_options = -z')
  t.same(c.targets, [{
    label: 'eu',
    destination: 'eu.example.org:/srv/yum',
    ssh: {
      command: 'ssh -4',
      port: 2222,
      user: 'deploy',
      identityFile: join(dir, 'keys/eu'),
      knownHostsFile: join(dir, 'known_hosts'),
      options: ['ConnectTimeout=10', 'ProxyCommand=ssh -W %h:%p bastion']
    },
    rsyncOptions: ['--bwlimit=1m', '--exclude', '*.tmp', '--chmod=D755'],
    timeoutMs: 600_000
  }, {
    label: 'us',
    destination: 'rsync://mirror/yum',
    ssh: { command: '/usr/bin/ssh -T', knownHostsFile: join(dir, 'known_hosts'), options: [] },
    rsyncOptions: ['-z'],
    passwordFile: '/etc/stalk/us.pass',
    timeoutMs: 1_800_000
  }, {
    label: 'local',
    destination: '/srv/mirror',
    ssh: { command: 'ssh -4', knownHostsFile: join(dir, 'known_hosts'), options: [] },
    rsyncOptions: ['-z'],
    timeoutMs: 1_800_000
  }])
  t.equal(c.quietMs, 100_000, '[global] timeout stays the quiet time, not a target default')
})

t.test('a target equal to, inside or around root is refused', async t => {
  const dir = t.testdir({ root: { sub: {} }, other: {} })
  symlinkSync(join(dir, 'root'), join(dir, 'link-to-root'))
  const root = join(dir, 'root')
  const file = join(dir, 'stalk.cf')
  const spellings: Array<[string, string]> = [
    [root, 'is the root folder itself'],
    [`${root}/`, 'is the root folder itself'],
    [`${root}//`, 'is the root folder itself'],
    [`${dir}/./other/../root`, 'is the root folder itself'],
    [`file://${root}`, 'is the root folder itself'],
    [`file://localhost${root}/`, 'is the root folder itself'],
    [join(dir, 'link-to-root'), 'is the root folder itself'],
    [join(root, 'sub'), `is inside the root folder ${root}`],
    [join(root, 'not-yet/deeper'), `is inside the root folder ${root}`],
    [join(dir, 'link-to-root', 'new'), `is inside the root folder ${root}`],
    [dir, `contains the root folder ${root}`],
    ['/', `contains the root folder ${root}`]
  ]
  for (const [destination, how] of spellings) {
    await t.rejects(load(dir, `[target]\nmirror = ${destination}`),
      refusal('targetIsRoot', `${file}: [target] mirror: "${destination}" ${how}; a target must be outside root`), destination)
  }
  const c = await load(dir, `[target]\nsibling = ${join(dir, 'other')}\nrootlike = ${root}-2\nremote = host:${root}`)
  t.equal(c.targets.length, 3, 'a sibling, a name sharing a prefix and a remote path are fine')
})

t.test('target refusals', async t => {
  const dir = t.testdir({ root: {} })
  const file = join(dir, 'stalk.cf')
  const cases: Array<[string, string]> = [
    ['[target]\na = h:/x\n[target:b]\nssh_user = x',
      `${file}: [target:b]: there is no target "b" in [target] (labels there: a)`],
    ['[target:b]\nssh_user = x\n[plugin:p]', `${file}: [target:b]: there is no target "b" in [target] (labels there: none)`],
    ['[target]\nab = h:/x\n[target:AB]\n[target:ab]', `${file}: [target:ab]: target "ab" is already configured in [target:AB]`],
    ['[target]\na =', `${file}: [target] a: empty destination (e.g. host:/path)`],
    ['[target]\na = backup/yum', `${file}: [target] a: "backup/yum" is a relative local path; write it absolute`],
    ['[target]\na = h:/x\n[target:a]\nssh_port = 0', `${file}: [target:a] ssh_port: "0" is not a whole number from 1 to 65535`],
    ['[target]\na = h:/x\n[target:a]\nssh_port = ssh', `${file}: [target:a] ssh_port: "ssh" is not a whole number`],
    ['[target]\na = h:/x\n[target:a]\nssh_options = -oBatchMode=yes',
      `${file}: [target:a] ssh_options: "-oBatchMode=yes" is not Key=Value (e.g. ConnectTimeout=10)`],
    ['[target]\na = h:/x\n[target:a]\nrsync_options = --exclude \'*.tmp',
      `${file}: [target:a] rsync_options: unterminated ' quote in "--exclude '*.tmp"`],
    ['[target]\na = h:/x\n[target:a]\ntimeout = forever', `${file}: [target:a] timeout: "forever" is not a duration`]
  ]
  for (const [sections, message] of cases) {
    await t.rejects(load(dir, sections), refusal('configInvalid', message), message)
  }
  await t.rejects(load(dir, '[target]\na = h:/x', 'ssh_port = 99999'),
    refusal('configInvalid', `${file}: [global] ssh_port: "99999" is not a whole number from 1 to 65535`),
    'a bad [global] default names [global]')
})
