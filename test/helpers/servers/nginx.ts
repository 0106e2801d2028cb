/**
 * A real nginx for integration tests (TEST-SERVERS.md section 3), plain HTTP
 * and TLS on two free ports of 127.0.0.1, as a child of the test process
 * (`daemon off`). Its locations are listed in nginx-config.ts.
 *
 *   if (nginxUnavailable()) …                 // a skip reason, or undefined
 *   const n = await startNginx(t)             // stopped and removed when t ends
 *   const n = await startNginx({ dir })       // in your folder; call n.stop()
 *
 *   n.httpUrl, n.httpsUrl   "http://127.0.0.1:PORT", "https://127.0.0.1:HTTPSPORT"
 *   n.caFile                the self-signed certificate (SAN IP:127.0.0.1, DNS:localhost): trust it as the CA
 *   n.wwwDir                the docroot; n.wwwDir/private is behind basic auth (n.user / n.password)
 *   n.accessLog             one line per request: connection number, requests on it, host, request, status
 *
 * Workers run as an unprivileged user, so the folders are made world-readable.
 */
import { execFile } from 'node:child_process'
import { chmod, mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { removeTree, tmpDir, type TeardownOwner } from '../tmp.js'
import { findTool, missingTools } from './find-tool.js'
import { freePort } from './free-port.js'
import { NGINX_PASSWORD, NGINX_USER, nginxConfig, nginxFiles, type NginxFiles } from './nginx-config.js'
import { runNginx } from './nginx-process.js'

export interface NginxServer {
  readonly httpUrl: string
  readonly httpsUrl: string
  readonly port: number
  readonly httpsPort: number
  readonly caFile: string
  readonly wwwDir: string
  readonly user: typeof NGINX_USER
  readonly password: typeof NGINX_PASSWORD
  readonly accessLog: string
  /** The server's own folder: config, certificate, logs (error.log, access.log). */
  readonly dir: string
  readonly pid: number
  stop: () => Promise<void>
}

const TOOLS = [['nginx', 'nginx-light'], ['openssl', 'openssl']] as const

/** Why nginx cannot run here, or undefined when it can. */
export function nginxUnavailable (): string | undefined {
  return missingTools(TOOLS)
}

export async function startNginx (owner?: TeardownOwner | { dir?: string }): Promise<NginxServer> {
  const nginx = findTool('nginx', 'nginx-light')
  const t = owner !== undefined && 'teardown' in owner ? owner : undefined
  const given = owner !== undefined && 'dir' in owner ? owner.dir : undefined
  const dir = given ?? await tmpDir(undefined, 'stalk-nginx-')
  const f = nginxFiles(dir)
  await prepare(f)
  const proc = await runNginx(nginx, f, async () => {
    const http = await freePort()
    let https = await freePort()
    while (https === http) https = await freePort()
    await writeFile(f.config, nginxConfig(f, http, https))
    return [http, https]
  })
  const stop = async (): Promise<void> => {
    await proc.stop()
    if (given === undefined) await removeTree(dir)
  }
  t?.teardown(stop)
  const [port, httpsPort] = proc.ports
  return {
    httpUrl: `http://127.0.0.1:${port}`, httpsUrl: `https://127.0.0.1:${httpsPort}`, port, httpsPort,
    caFile: f.certFile, wwwDir: f.wwwDir, user: NGINX_USER, password: NGINX_PASSWORD,
    accessLog: f.accessLog, dir, pid: proc.pid, stop
  }
}

async function prepare (f: NginxFiles): Promise<void> {
  await mkdir(join(f.wwwDir, 'private'), { recursive: true })
  await mkdir(join(f.dir, 'tmp'), { recursive: true })
  // mkdtemp makes 0700 folders; the workers must be able to walk into the docroot.
  for (const d of [f.dir, f.wwwDir, join(f.wwwDir, 'private')]) await chmod(d, 0o755)
  const openssl = findTool('openssl', 'openssl')
  await promisify(execFile)(openssl, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
    '-nodes', '-keyout', f.keyFile, '-out', f.certFile, '-days', '30', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'])
  const { stdout } = await promisify(execFile)(openssl, ['passwd', '-apr1', NGINX_PASSWORD])
  // The workers read the password file on each request, as the unprivileged user.
  await writeFile(f.htpasswd, `${NGINX_USER}:${stdout.trim()}\n`, { mode: 0o644 })
}
