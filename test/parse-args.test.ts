import t from 'tap'
import { parseStemArgs } from '../src/cli/parse-args.js'
import { ExitCode, StemError } from '../src/exit-codes.js'

t.test('the original flags', async t => {
  t.same(parseStemArgs(['/mnt/x']), {
    command: 'mount', configFile: '/etc/stalk.cf', readOnly: false, allowOther: false,
    foreground: false, verbosity: 'warn', name: 'stalk', mountpoint: '/mnt/x'
  }, 'defaults: /etc/stalk.cf, push mode, background, no allow_other')
  t.same(parseStemArgs(['-r', '-a', '-f', '-v', '-c', 'cfg.ini', '-n', 'yum', 'mnt']), {
    command: 'mount', configFile: 'cfg.ini', readOnly: true, allowOther: true,
    foreground: true, verbosity: 'info', name: 'yum', mountpoint: 'mnt'
  })
  t.equal((parseStemArgs(['-d', 'm']) as { verbosity: string }).verbosity, 'debug')
  t.equal((parseStemArgs(['-v', '-d', 'm']) as { verbosity: string }).verbosity, 'debug', '-d wins over -v')
  t.equal((parseStemArgs(['-rfc', 'c.ini', 'm']) as { configFile: string }).configFile, 'c.ini', 'short flags combine')
})

t.test('help and version', async t => {
  t.same(parseStemArgs(['--help']), { command: 'help' })
  t.same(parseStemArgs(['-h', 'mnt']), { command: 'help' })
  t.same(parseStemArgs(['--version']), { command: 'version' })
})

t.test('bad command lines are usage errors', async t => {
  const usage = (argv: string[], message: RegExp): void => {
    let caught: unknown
    try { parseStemArgs(argv) } catch (err) { caught = err }
    t.ok(caught instanceof StemError, `${argv.join(' ')}: a StemError`)
    t.match(caught, { exitCode: ExitCode.usage, message }, argv.join(' '))
  }
  usage([], /missing MOUNTPOINT/)
  usage(['a', 'b'], /unexpected argument: b/)
  usage(['-x', 'm'], /Unknown option '-x'/)
  usage(['-c'], /argument missing/)
  usage(['-n', 'a b', 'm'], /cannot contain spaces or commas/)
  usage(['-n', 'a,allow_other', 'm'], /cannot contain spaces or commas/)
})

t.test('STALK_CONFIG is the default of -c, for the mount and for stem check', async t => {
  const env = { STALK_CONFIG: '/srv/stalk/pull.cf' }
  t.match(parseStemArgs(['/mnt/x'], env), { command: 'mount', configFile: '/srv/stalk/pull.cf' }, 'mount: taken from the environment')
  t.match(parseStemArgs(['-c', 'own.cf', '/mnt/x'], env), { configFile: 'own.cf' }, '-c wins over STALK_CONFIG')
  t.match(parseStemArgs(['check', '-r'], env), { command: 'check', configFile: '/srv/stalk/pull.cf', readOnly: true }, 'check: taken too')
  t.match(parseStemArgs(['check', '-c', 'own.cf'], env), { configFile: 'own.cf' }, 'check: -c wins')
  t.match(parseStemArgs(['/mnt/x'], { STALK_CONFIG: '' }), { configFile: '/etc/stalk.cf' }, 'empty: /etc/stalk.cf')
  t.match(parseStemArgs(['/mnt/x'], { HOME: '/root' }), { configFile: '/etc/stalk.cf' }, 'unset: /etc/stalk.cf')
  const before = process.env['STALK_CONFIG']
  process.env['STALK_CONFIG'] = '/from/process/env.cf'
  t.teardown(() => { if (before === undefined) delete process.env['STALK_CONFIG']; else process.env['STALK_CONFIG'] = before })
  t.match(parseStemArgs(['/mnt/x']), { configFile: '/etc/stalk.cf' }, 'no environment given: /etc/stalk.cf (the parser never reads process.env)')
})
