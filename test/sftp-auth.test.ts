// SftpBackend's credentials against a real sshd: an encrypted key with and
// without its passphrase, and keys held by a real ssh-agent.
import { execFile, spawn } from 'node:child_process'
import { appendFile, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t, { type Test } from 'tap'
import { SftpBackend, type SftpBackendOptions } from '../backends/sftp-backend.js'
import { findTool, missingTools } from './helpers/servers/find-tool.js'
import { sshdUnavailable, startSshd, type SshdServer } from './helpers/servers/sshd.js'
import { tmpDir } from './helpers/tmp.js'
import { waitFor } from './helpers/wait-for.js'

const run = promisify(execFile)
const skip = sshdUnavailable() ?? missingTools([['ssh-agent', 'openssh-client'], ['ssh-add', 'openssh-client']])
const sshd = skip === undefined ? await startSshd(t) : undefined

/** A new key pair the server accepts; `passphrase` '' for none. */
async function authorizedKey (t: Test, s: SshdServer, passphrase: string): Promise<string> {
  const file = join(await tmpDir(t), 'id_ed25519')
  await run(findTool('ssh-keygen', 'openssh-client'), ['-q', '-t', 'ed25519', '-N', passphrase, '-C', 'stalk-auth-test', '-f', file])
  await appendFile(join(s.dir, 'authorized_keys'), await readFile(`${file}.pub`))
  return file
}

async function checkWith (t: Test, s: SshdServer, o: Partial<SftpBackendOptions>): Promise<unknown> {
  const b = new SftpBackend({ host: s.host, port: s.port, user: s.user, knownHostsFile: s.knownHostsFile, ...o })
  t.teardown(() => b.close())
  return await b.check().then(() => 'ok', (err: unknown) => err)
}

t.test('an encrypted key', { skip: skip ?? false }, async t => {
  if (sshd === undefined) return
  const key = await authorizedKey(t, sshd, 'correct horse')
  t.equal(await checkWith(t, sshd, { identityFile: key, passphrase: 'correct horse' }), 'ok', 'with its passphrase')
  t.match(await checkWith(t, sshd, { identityFile: key }),
    { name: 'BackendError', kind: 'invalid', message: /^cannot use ssh_key .*id_ed25519: .*\(the key is encrypted: set key_passphrase\)$/ }, 'without: says so')
  const wrong = await checkWith(t, sshd, { identityFile: key, passphrase: 'battery staple' })
  t.match(wrong, { kind: 'invalid', message: /\(is key_passphrase right\?\)$/ }, 'a wrong passphrase: says so')
  t.notMatch((wrong as Error).message, /battery/, 'never repeats the passphrase')
})

t.test('ssh-agent', { skip: skip ?? false }, async t => {
  if (sshd === undefined) return
  const key = await authorizedKey(t, sshd, '')
  const sock = join(await tmpDir(t), 'agent.sock')
  const agent = spawn(findTool('ssh-agent', 'openssh-client'), ['-D', '-a', sock], { stdio: 'ignore' })
  t.teardown(() => { agent.kill() })
  await waitFor('the agent socket', () => run('test', ['-S', sock]).then(() => true))
  await run(findTool('ssh-add', 'openssh-client'), ['-q', key], { env: { ...process.env, SSH_AUTH_SOCK: sock } })

  t.equal(await checkWith(t, sshd, { agent: sock }), 'ok', 'a key from the agent logs in')
  await run(findTool('ssh-add', 'openssh-client'), ['-D'], { env: { ...process.env, SSH_AUTH_SOCK: sock } })
  t.match(await checkWith(t, sshd, { agent: sock }), { kind: 'forbidden', message: /^authentication failed for root@127\.0\.0\.1:\d+ \(offered: ssh-agent / },
    'an empty agent: authentication failed, naming the agent')
})
