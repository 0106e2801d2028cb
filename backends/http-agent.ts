/**
 * The connection pool of one HTTP(S) site, and the trust for its TLS
 * certificates. A private CA is added to Node's bundled roots rather than
 * replacing them, like a CA installed into the system store: a site with a
 * private certificate may still redirect to a public CDN.
 */
import { readFileSync } from 'node:fs'
import { Agent as HttpAgent } from 'node:http'
import { Agent as HttpsAgent } from 'node:https'
import { createSecureContext, rootCertificates } from 'node:tls'
import { BackendError, describe } from '../src/errors.js'

/** Node's roots plus the PEM certificates in `file`; throws BackendError(invalid) naming the file. */
export function loadCaFile (file: string): string[] {
  let pem: string
  try {
    pem = readFileSync(file, 'utf8')
  } catch (err) {
    throw new BackendError('invalid', `cannot read the CA file ${file}: ${describe(err)}`, { cause: err })
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new BackendError('invalid', `the CA file ${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`)
  }
  try {
    // Parse it now, so a broken file is a config error at startup rather than a failure on first use.
    createSecureContext({ ca: pem })
  } catch (err) {
    throw new BackendError('invalid', `the CA file ${file} is not usable: ${describe(err)}`, { cause: err })
  }
  return [...rootCertificates, pem]
}

/** A keep-alive pool for `base`'s scheme; sockets are shared by every file of the site. */
export function createSiteAgent (base: URL, ca: readonly string[] | undefined): HttpAgent {
  const options = { keepAlive: true, scheduling: 'lifo' as const }
  if (base.protocol !== 'https:') return new HttpAgent(options)
  return new HttpsAgent({ ...options, ...(ca === undefined ? {} : { ca: [...ca] }) })
}
