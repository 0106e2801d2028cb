/**
 * A request to the configured site that follows redirects (301, 302, 303,
 * 307, 308; at most MAX_REDIRECTS), keeping the method (only GET and HEAD
 * are sent, so 303's switch to GET changes nothing) and the conditional and
 * range headers.
 *
 * The site's own headers (Authorization and whatever else the config set)
 * go only to the site's own scheme+host+port: a redirect elsewhere must not
 * hand our credentials to a third party, as curl and browsers also drop
 * them. Other hosts get a one-off connection, so the pool only ever holds
 * sockets to the site. A redirect from https to plain http is refused: it
 * would let anyone on the path substitute the content.
 */
import type { Agent as HttpAgent, IncomingMessage } from 'node:http'
import { BackendError } from '../src/errors.js'
import type { Logger } from '../src/logger.js'
import { discardBody } from './http-body.js'
import { describeUrl } from './http-errors.js'
import { sendRequest } from './http-request.js'

export const MAX_REDIRECTS = 5

/** The configured origin a backend talks to. */
export interface HttpSite {
  readonly base: URL
  readonly agent: HttpAgent
  /** Configured headers, names in lower case. */
  readonly headers: Readonly<Record<string, string>>
  /** Trusted CAs for one-off https connections to other hosts; undefined: Node's defaults. */
  readonly ca?: readonly string[]
  readonly timeoutMs: number
  readonly log: Logger
}

export interface Answer {
  readonly res: IncomingMessage
  /** Where the answer came from, after redirects. */
  readonly url: URL
}

const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308])
// identity: the bytes in the cache must be the file's bytes, not a compressed transfer form.
const BASE_HEADERS: Readonly<Record<string, string>> = { 'accept-encoding': 'identity', 'user-agent': 'stalk' }

export async function requestFollowingRedirects (site: HttpSite, method: 'GET' | 'HEAD', start: URL,
  extraHeaders: Readonly<Record<string, string>>, signal?: AbortSignal): Promise<Answer> {
  let url = start
  for (let followed = 0; ; followed++) {
    const own = url.origin === site.base.origin
    const res = await sendRequest({
      method,
      url,
      headers: { ...BASE_HEADERS, ...(own ? site.headers : {}), ...extraHeaders },
      agent: own ? site.agent : false,
      ...(own || site.ca === undefined ? {} : { ca: site.ca }),
      timeoutMs: site.timeoutMs,
      ...(signal === undefined ? {} : { signal })
    })
    let next: URL | undefined
    try {
      next = redirectTarget(method, url, res)
    } catch (err) {
      res.destroy()
      throw err
    }
    if (next === undefined) return { res, url }
    await discardBody(res)
    if (followed >= MAX_REDIRECTS) {
      throw new BackendError('unavailable',
        `${method} ${describeUrl(start)}: more than ${MAX_REDIRECTS} redirects (the last one to ${describeUrl(next)})`)
    }
    site.log.debug({ from: describeUrl(url), to: describeUrl(next), status: res.statusCode }, 'following a redirect')
    url = next
  }
}

/** Where a redirect answer points, or undefined for any other answer. */
function redirectTarget (method: string, url: URL, res: IncomingMessage): URL | undefined {
  const location = res.headers.location
  if (!REDIRECT_STATUSES.has(res.statusCode ?? 0) || location === undefined) return undefined
  const where = `${method} ${describeUrl(url)}: ${res.statusCode ?? ''} redirect`
  let next: URL
  try {
    next = new URL(location, url)
  } catch {
    throw new BackendError('invalid', `${where} to an unusable Location`)
  }
  next.hash = ''
  if (next.protocol !== 'http:' && next.protocol !== 'https:') {
    throw new BackendError('invalid', `${where} to a ${next.protocol} URL, which is not followed`)
  }
  if (url.protocol === 'https:' && next.protocol === 'http:') {
    throw new BackendError('invalid', `${where} from https to plain http (${describeUrl(next)}) refused`)
  }
  return next
}
