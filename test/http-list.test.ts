// HttpBackend.list against a real nginx with `autoindex_format json`: the
// list conformance suite over http, and over https behind basic auth, then
// what is particular to HTTP: an HTML page where a listing was expected is
// a clear error (never scraped), wrong credentials are forbidden.
import { join } from 'node:path'
import t from 'tap'
import { rejectsKind } from './helpers/expect-backend-error.js'
import { nginxBackend } from './helpers/http-fixture.js'
import { listAll, listConformance, writeServedFile as put } from './helpers/list-conformance.js'
import { nginxUnavailable, startNginx } from './helpers/servers/nginx.js'

const skip = nginxUnavailable()
const nginx = skip === undefined ? await startNginx(t) : undefined

t.test('http list', { skip: skip ?? false }, async t => {
  if (nginx === undefined) return
  const n = nginx

  await listConformance(t, 'http (nginx json index)', {
    setup: async t => ({ backend: nginxBackend(t, n), dirOf: rel => `/conf/${rel}`, put: (rel, data, m) => put(join(n.wwwDir, 'conf'), rel, data, m) }),
    missingFolder: 'not-found',
    keepsMtime: true
  })

  await listConformance(t, 'https (nginx json index, basic auth)', {
    setup: async t => ({
      backend: nginxBackend(t, n, { tls: true }),
      dirOf: rel => `/private/conf/${rel}`,
      put: (rel, data, m) => put(join(n.wwwDir, 'private', 'conf'), rel, data, m)
    }),
    missingFolder: 'not-found',
    keepsMtime: true
  })

  await t.test('an HTML page instead of a JSON index is refused, saying why', async t => {
    await put(join(n.wwwDir, 'html'), 'index.html', '<html><body><a href="x">x</a></body></html>', 1_700_000_000_000)
    await rejectsKind(t, listAll(nginxBackend(t, n), '/html/'), 'invalid', /an HTML index, not a JSON folder listing .*autoindex_format json/)
  })

  await t.test('wrong credentials are forbidden', async t => {
    await rejectsKind(t, listAll(nginxBackend(t, n, { auth: 'bad' }), '/private/'), 'forbidden', /401/)
  })
})
