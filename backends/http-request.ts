/**
 * One HTTP request/response exchange with node:http(s), no redirects: it
 * resolves with the response as soon as the headers are in, and the body is
 * the caller's to read. The time limit is an idle limit on the socket, so
 * it covers connecting, waiting for the headers and every pause in the body:
 * a stalled body fails with a timeout BackendError instead of hanging.
 * An aborted signal rejects with the signal's reason, never a BackendError.
 */
import type { Agent as HttpAgent, ClientRequest, IncomingMessage } from 'node:http'
import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { networkError, timeoutError } from './http-errors.js'

export interface RequestSpec {
  readonly method: 'GET' | 'HEAD'
  readonly url: URL
  readonly headers: Readonly<Record<string, string>>
  /** A pooled keep-alive agent, or false for a one-off connection (another host after a redirect). */
  readonly agent: HttpAgent | false
  /** Trusted CAs for a one-off https connection (a pooled agent carries its own). */
  readonly ca?: readonly string[]
  readonly timeoutMs: number
  readonly signal?: AbortSignal
}

/** The request's error if the signal was aborted: its reason, as fetch() and timers do. */
export function abortReason (signal: AbortSignal | undefined): unknown {
  if (signal?.aborted !== true) return undefined
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError')
}

export async function sendRequest (spec: RequestSpec): Promise<IncomingMessage> {
  try {
    return await sendOnce(spec, true)
  } catch (err) {
    // A pooled socket the server closed while idle: the request never reached it, so GET/HEAD retry once.
    if (err instanceof StaleSocketError) return await sendOnce(spec, false)
    throw err
  }
}

class StaleSocketError extends Error {}

function sendOnce (spec: RequestSpec, mayRetry: boolean): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    spec.signal?.throwIfAborted()
    const request = spec.url.protocol === 'https:' ? httpsRequest : httpRequest
    const req = request(spec.url, {
      method: spec.method,
      headers: spec.headers,
      agent: spec.agent,
      timeout: spec.timeoutMs,
      ...(spec.signal === undefined ? {} : { signal: spec.signal }),
      ...(spec.ca === undefined ? {} : { ca: [...spec.ca] })
    })
    let response: IncomingMessage | undefined
    const classify = (cause: unknown): unknown => abortReason(spec.signal) ??
      (mayRetry && response === undefined && isStale(req, cause) ? new StaleSocketError() : networkError(spec.method, spec.url, cause))
    const fail = (cause: unknown): void => {
      const err = classify(cause)
      if (response === undefined) reject(err)
      // After the headers, the body's reader learns of the failure through the response stream.
      else if (!response.complete) response.destroy(err instanceof Error ? err : new Error(String(err)))
    }
    req.on('timeout', () => {
      const err = timeoutError(spec.method, spec.url, spec.timeoutMs)
      // The response first: req.destroy() would otherwise dump the body and hide the reason.
      fail(err)
      req.destroy(err)
    })
    req.on('error', fail)
    req.once('response', res => {
      response = res
      resolve(res)
    })
    req.end()
  })
}

function isStale (req: ClientRequest, err: unknown): boolean {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined
  return req.reusedSocket && (code === 'ECONNRESET' || code === 'EPIPE')
}
