import t from 'tap'
import { parseStemArgs } from '../src/cli/parse-args.js'
import { ExitCode, StemError } from '../src/exit-codes.js'

t.test('status, sync and check as the first argument', async t => {
  t.same(parseStemArgs(['status']), { command: 'status', mountpoint: undefined, json: false })
  t.same(parseStemArgs(['status', '/mnt/x', '--json']), { command: 'status', mountpoint: '/mnt/x', json: true })
  t.same(parseStemArgs(['status', '--json', '/mnt/x']), { command: 'status', mountpoint: '/mnt/x', json: true }, 'options before or after')
  t.same(parseStemArgs(['sync']), { command: 'sync', mountpoint: undefined, wait: false })
  t.same(parseStemArgs(['sync', '--wait', 'm']), { command: 'sync', mountpoint: 'm', wait: true })
  t.same(parseStemArgs(['check']), { command: 'check', configFile: '/etc/stalk.cf', readOnly: false, verbosity: 'warn' })
  t.same(parseStemArgs(['check', '-rvc', 'p.cf']), { command: 'check', configFile: 'p.cf', readOnly: true, verbosity: 'info' })
  t.same(parseStemArgs(['status', '-h']), { command: 'help' })
})

t.test('mount command lines are unchanged; a folder named like a subcommand mounts as ./NAME', async t => {
  t.match(parseStemArgs(['./status']), { command: 'mount', mountpoint: './status' })
  t.match(parseStemArgs(['-c', 'x.cf', 'status']), { command: 'mount', mountpoint: 'status' }, 'not first: a mountpoint')
  t.match(parseStemArgs(['-f', 'sync']), { command: 'mount', mountpoint: 'sync', foreground: true })
})

t.test('bad subcommand lines are usage errors naming the subcommand', async t => {
  const usage = (argv: string[], message: RegExp): void => {
    let caught: unknown
    try { parseStemArgs(argv) } catch (err) { caught = err }
    t.ok(caught instanceof StemError, argv.join(' '))
    t.match(caught, { exitCode: ExitCode.usage, message }, argv.join(' '))
  }
  usage(['status', 'a', 'b'], /^status: unexpected argument: b$/)
  usage(['sync', '--json'], /^sync: Unknown option '--json'/)
  usage(['check', '/mnt/x'], /^check: Unexpected argument '\/mnt\/x'/)
  usage(['check', '-a'], /^check: Unknown option '-a'/)
})

t.test('refresh: a mountpoint, then any number of names', async t => {
  t.same(parseStemArgs(['refresh', '/mnt/p']), { command: 'refresh', mountpoint: '/mnt/p', names: [] })
  t.same(parseStemArgs(['refresh', '/mnt/p', 'motd', 'pki/certs']), { command: 'refresh', mountpoint: '/mnt/p', names: ['motd', 'pki/certs'] })
  t.same(parseStemArgs(['refresh', '-h']), { command: 'help' })
  t.throws(() => parseStemArgs(['refresh']), { exitCode: ExitCode.usage, message: 'refresh: missing MOUNTPOINT' })
  t.throws(() => parseStemArgs(['refresh', '--all', '/mnt/p']), { exitCode: ExitCode.usage, message: /^refresh: Unknown option '--all'/ })
})
