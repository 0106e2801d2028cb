// Host key checking of SftpBackend: known_hosts lookups (plain, wildcard,
// negated, hashed, [host]:port, markers), then a real sshd whose key is
// unknown, different, hashed, revoked, or not checked at all.
import { execFile } from 'node:child_process'
import { createHmac } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t, { type Test } from 'tap'
import { SftpBackend, type SftpBackendOptions } from '../backends/sftp-backend.js'
import { hostMatches, knownHostName, knownKeysFor } from '../backends/sftp-known-hosts.js'
import { findTool } from './helpers/servers/find-tool.js'
import { sshdUnavailable, sshKeygen, startSshd, type SshdServer } from './helpers/servers/sshd.js'
import { tmpDir } from './helpers/tmp.js'

const KEY = 'AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl'

t.test('known_hosts lookups', async t => {
  t.equal(knownHostName('h', 22), 'h')
  t.equal(knownHostName('127.0.0.1', 2222), '[127.0.0.1]:2222')
  t.equal(knownHostName('Files.Example', 2222), '[files.example]:2222', 'lower case, as ssh hashes it')
  t.ok(hostMatches('a,h,b', 'h'), 'a list')
  t.ok(hostMatches('*.example.org', 'www.EXAMPLE.org'), 'wildcard, any case')
  t.ok(hostMatches('web?', 'web1'), '?')
  t.notOk(hostMatches('*.example.org,!bad.example.org', 'bad.example.org'), 'negation wins')
  t.notOk(hostMatches('[h]:2222', 'h'), 'a port entry is not the bare host')
  t.ok(hostMatches('[h]:2222', '[h]:2222'))
  t.notOk(hostMatches('[h]:22222', '[h]:2222'), 'no partial match')
  // What ssh-keygen -H writes for "[127.0.0.1]:2222" with this salt (the real ssh-keygen is used below).
  const hashed = '|1|c2FsdHNhbHRzYWx0c2FsdHNhbHQ=|' + hmac('saltsaltsaltsaltsalt', '[127.0.0.1]:2222')
  t.ok(hostMatches(hashed, '[127.0.0.1]:2222'), 'hashed')
  t.notOk(hostMatches(hashed, '[127.0.0.1]:2223'), 'hashed, other name')
  const text = [
    '# comment', '', `h ssh-ed25519 ${KEY} c`, `@revoked h ssh-ed25519 ${KEY}`,
    `@cert-authority h ssh-ed25519 ${KEY}`, 'h ssh-ed25519', `other ssh-rsa ${KEY}`
  ].join('\n')
  t.same(knownKeysFor(text, 'h').map(k => [k.line, k.revoked, k.keyType]), [[3, false, 'ssh-ed25519'], [4, true, 'ssh-ed25519']],
    'comments, cert authorities and broken lines skipped; revoked marked')
})

function hmac (salt: string, name: string): string {
  return createHmac('sha1', Buffer.from(salt)).update(name).digest('base64')
}

const skip = sshdUnavailable()
const sshd = skip === undefined ? await startSshd(t) : undefined

async function tryKnownHosts (t: Test, s: SshdServer, knownHosts: string | undefined, o: Partial<SftpBackendOptions> = {}): Promise<unknown> {
  const file = join(await tmpDir(t), 'known_hosts')
  if (knownHosts !== undefined) await writeFile(file, knownHosts)
  const b = new SftpBackend({ host: s.host, port: s.port, user: s.user, identityFile: s.keyFile, knownHostsFile: file, ...o })
  t.teardown(() => b.close())
  return await b.check().then(() => 'ok', (err: unknown) => err)
}

t.test('against a real sshd', { skip: skip ?? false }, async t => {
  if (sshd === undefined) return
  const name = `[127.0.0.1]:${sshd.port}`
  const good = await readFile(sshd.knownHostsFile, 'utf8')
  const hostPub = good.split(' ').slice(1, 3).join(' ')

  t.equal(await tryKnownHosts(t, sshd, good), 'ok', 'the generated known_hosts is accepted')

  const unknown = await tryKnownHosts(t, sshd, '')
  t.match(unknown, { name: 'BackendError', kind: 'forbidden', message: `host key for ${name} is not in known_hosts` }, 'empty known_hosts: refused')
  t.match(unknown, { message: /ssh-ed25519 SHA256:[A-Za-z0-9+/]{43}\. .*ssh-keyscan -p \d+ 127\.0\.0\.1 >> .*strict_host_key_checking = no/ }, 'with the fingerprint and what to do')
  t.match(await tryKnownHosts(t, sshd, undefined), { kind: 'forbidden', message: /is not in known_hosts/ }, 'missing known_hosts: refused')

  const otherKey = join(await tmpDir(t), 'other_host')
  await sshKeygen(otherKey)
  const otherPub = (await readFile(`${otherKey}.pub`, 'utf8')).split(' ').slice(0, 2).join(' ')
  const mismatch = await tryKnownHosts(t, sshd, `${name} ${otherPub}\n`)
  t.match(mismatch, { kind: 'forbidden', message: new RegExp(`^HOST KEY MISMATCH for \\[127\\.0\\.0\\.1\\]:${sshd.port}: .*known_hosts:1 lists a different ssh-ed25519 key`) })
  t.equal(await tryKnownHosts(t, sshd, `${name} ${otherPub}\n${name} ${hostPub}\n`), 'ok', 'one matching line among several is enough')

  const hashedFile = join(await tmpDir(t), 'known_hosts')
  await writeFile(hashedFile, good)
  await promisify(execFile)(findTool('ssh-keygen', 'openssh-client'), ['-H', '-f', hashedFile])
  const hashed = await readFile(hashedFile, 'utf8')
  t.match(hashed, /^\|1\|[^|]+\|[^ ]+ ssh-ed25519 /, 'ssh-keygen -H hashed it')
  t.equal(await tryKnownHosts(t, sshd, hashed), 'ok', 'a hashed entry is accepted')

  t.equal(await tryKnownHosts(t, sshd, `127.0.0.1 ${hostPub}\n`), 'ok', 'the bare host entry (port 22) vouches for the same key')
  t.match(await tryKnownHosts(t, sshd, `${good}@revoked * ${hostPub}\n`), { kind: 'forbidden', message: /marked @revoked/ }, 'a revoked key is refused')
  t.equal(await tryKnownHosts(t, sshd, '', { strictHostKeyChecking: false }), 'ok', 'strict_host_key_checking = no connects anyway')
})
