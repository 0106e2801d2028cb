import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { TargetError } from '../backends/backend.js'
import { createTarget } from '../backends/registry.js'
import { rsyncRshString, shellQuote, splitRsyncRsh, sshArgv, sshConfigured } from '../backends/ssh-command.js'
import { silentLogger } from '../src/logger.js'
import { missingTools } from './helpers/servers/find-tool.js'
import { targetConfig } from './helpers/target-config.js'
import { tmpDir } from './helpers/tmp.js'

const awkward = ['plain', 'a b', "it's", 'say "hi"', '', "''", 'x\'y"z', 'tab\tin', 'ünï ✓', '100%', 'Key="/a b/c"']

t.test('rsyncRshString quotes so that rsync\'s split gives the argv back', async t => {
  t.same(splitRsyncRsh(rsyncRshString(awkward)), awkward)
  t.equal(rsyncRshString(['ssh', '-p', '22', '-o', 'BatchMode=yes']), 'ssh -p 22 -o BatchMode=yes', 'plain words stay unquoted')
})

t.test('splitRsyncRsh follows rsync: spaces split, quotes group, doubled quotes are literal', async t => {
  t.same(splitRsyncRsh('  ssh   -p 22 '), ['ssh', '-p', '22'])
  t.same(splitRsyncRsh(`ssh -F '/a b/c' "x""y" 'it''s' a"b c"d`), ['ssh', '-F', '/a b/c', 'x"y', "it's", 'ab cd'])
  t.same(splitRsyncRsh("ssh\t-x"), ['ssh\t-x'], 'a tab does not split (rsync splits on spaces only)')
  t.throws(() => splitRsyncRsh("ssh 'open"), /missing trailing '/)
})

t.test('sshArgv: BatchMode first, configured options before the defaults they override', async t => {
  const argv = sshArgv({
    command: '/usr/bin/ssh', port: 2222, identityFile: '/k dir/id%1', knownHostsFile: '/kh/"q"\\',
    options: ['ConnectTimeout=3']
  })
  t.same(argv.slice(0, 3), ['/usr/bin/ssh', '-o', 'BatchMode=yes'])
  t.ok(argv.includes('IdentityFile="/k dir/id%%1"'), 'identity quoted for ssh, % escaped')
  t.ok(argv.includes('UserKnownHostsFile="/kh/\\"q\\"\\\\"'), 'quote and backslash escaped for ssh')
  t.ok(argv.indexOf('ConnectTimeout=3') < argv.indexOf('ConnectTimeout=10'), 'ssh keeps the first value: the configured one')
  t.same(argv.slice(argv.indexOf('-p'), argv.indexOf('-p') + 2), ['-p', '2222'])
  t.notOk(argv.includes('-l'), 'the user goes into the destination, not -l')
})

t.test('sshConfigured tells defaults from settings', async t => {
  t.notOk(sshConfigured({ command: 'ssh', options: [] }))
  t.ok(sshConfigured({ command: 'ssh', options: [], port: 22 }))
  t.ok(sshConfigured({ command: 'ssh', options: ['A=b'] }))
  t.ok(sshConfigured({ command: '/opt/ssh', options: [] }))
})

t.test('shellQuote makes one POSIX word', async t => {
  t.equal(shellQuote('/srv/x'), '/srv/x')
  t.equal(shellQuote("it's a dir"), "'it'\\''s a dir'")
  t.equal(shellQuote(''), "''")
})

// rsync itself parses -e: run it with a stand-in ssh that records the argv it got.
t.test('the real rsync hands our ssh command exactly the argv we built', { skip: missingTools([['rsync', 'rsync']]) ?? false }, async t => {
  const dir = join(await tmpDir(t), 'bin dir')
  await mkdir(dir)
  const fake = join(dir, "fake 'ssh'")
  const out = join(dir, 'argv')
  await writeFile(fake, '#!/bin/sh\nprintf \'%s\\0\' "$@" > "$ARGV_OUT"\nexit 255\n')
  await chmod(fake, 0o755)
  const ssh = { command: fake, port: 2200, identityFile: "/keys/it's 100%/id", knownHostsFile: '/a b/known "hosts"', options: ['User=x y'] }
  const target = createTarget(targetConfig('deploy@example.invalid:/srv/m', { ssh }), {
    log: silentLogger, env: { ...process.env, ARGV_OUT: out }
  })
  const root = await tmpDir(t)
  await t.rejects(target.mirror(root, 'all', { signal: new AbortController().signal }), TargetError)
  const got = (await readFile(out, 'utf8')).split('\0').slice(0, -1)
  const want = sshArgv(ssh).slice(1)
  t.same(got.slice(0, want.length), want, 'rsync split the -e string back into our argv')
  t.same(got.slice(want.length, want.length + 3), ['-l', 'deploy', 'example.invalid'], 'then the user and host')
})
