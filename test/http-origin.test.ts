// parseHttpOrigin: the pool key always carries the port, the path keeps
// percent-encoding and the query, and credentials in the URL are refused
// without being echoed.
import t from 'tap'
import { parseHttpOrigin, redactUserinfo } from '../backends/http-origin.js'
import { BackendError } from '../src/errors.js'

t.test('key, base URL and path', async t => {
  t.same(parseHttpOrigin('https://Mirror.Example.com/pub/file.rpm'),
    { key: 'https://mirror.example.com:443', baseUrl: 'https://mirror.example.com', path: '/pub/file.rpm' })
  t.same(parseHttpOrigin('http://127.0.0.1:8080/a'),
    { key: 'http://127.0.0.1:8080', baseUrl: 'http://127.0.0.1:8080', path: '/a' })
  t.same(parseHttpOrigin('http://host'), { key: 'http://host:80', baseUrl: 'http://host', path: '/' })
  t.same(parseHttpOrigin('https://host:443/x'), { key: 'https://host:443', baseUrl: 'https://host', path: '/x' },
    'an explicit default port is the same site as none')
  t.same(parseHttpOrigin('http://[::1]:81/x'), { key: 'http://[::1]:81', baseUrl: 'http://[::1]:81', path: '/x' })
})

t.test('the path is kept as written: encoded, with its query, without the fragment', async t => {
  t.equal(parseHttpOrigin('https://h/a%2Fb/c%20d.txt').path, '/a%2Fb/c%20d.txt', '%2F stays encoded')
  t.equal(parseHttpOrigin('https://h/dl?file=x%26y&v=2#top').path, '/dl?file=x%26y&v=2')
  t.equal(parseHttpOrigin('https://h/with space/ü.txt').path, '/with%20space/%C3%BC.txt', 'raw characters are encoded')
  t.equal(parseHttpOrigin('https://h/dir/').path, '/dir/', 'a folder keeps its slash')
  t.equal(parseHttpOrigin('https://h/a/../b').path, '/b', 'dot segments resolved')
})

t.test('two origins on one site share the key', async t => {
  const a = parseHttpOrigin('https://h:8443/one')
  const b = parseHttpOrigin('https://H:8443/two?x')
  t.equal(a.key, b.key)
  t.not(parseHttpOrigin('http://h:8443/one').key, a.key, 'the scheme is part of it')
})

t.test('refusals', async t => {
  const refuses = (origin: string, re: RegExp): void => {
    try {
      parseHttpOrigin(origin)
      t.fail(`${origin}: accepted`)
    } catch (err) {
      t.ok(err instanceof BackendError && err.kind === 'invalid', `${origin}: kind invalid`)
      t.match((err as Error).message, re, origin)
      t.notMatch((err as Error).message, /hunter2/, 'no password in the message')
    }
  }
  refuses('not a url', /is not a URL/)
  refuses('ftp://h/x', /only http:\/\/ and https:\/\//)
  refuses('s3://bucket/key', /only http/)
  refuses('https://user:hunter2@h/x', /credentials in the URL are not supported/)
  refuses('https://user@h/x', /credentials/)
  refuses('https://user:hunter2@/x', /./)
})

t.test('redactUserinfo', async t => {
  t.equal(redactUserinfo('https://u:p@h/x'), 'https://…@h/x')
  t.equal(redactUserinfo('https://h/x@y'), 'https://h/x@y', 'an @ in the path is not userinfo')
  t.equal(redactUserinfo('plain'), 'plain')
})
