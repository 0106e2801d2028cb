/**
 * Builds the AWS SDK client for one S3 store (AWS or an S3-compatible
 * server such as Ceph RGW, MinIO, Swift's s3api). Everything that decides
 * how requests go out lives here; backends/s3-backend.ts only sends commands.
 */
import { Agent as HttpAgent } from 'node:http'
import { Agent as HttpsAgent } from 'node:https'
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3'
import type { Logger } from '../src/logger.js'

/**
 * 'when_required' (the default) sends checksums only where the S3 API demands
 * them. The SDK's own default, 'when_supported', uploads stream bodies as
 * aws-chunked with a trailing CRC32, which Ceph RGW answers with 411 and
 * Swift with 501 (TEST-SERVERS.md): it is for AWS only.
 */
export type S3ChecksumMode = 'when_required' | 'when_supported'

export interface S3Credentials {
  readonly accessKeyId: string
  readonly secretAccessKey: string
  readonly sessionToken?: string
}

export interface S3Timeouts {
  /** TCP (and TLS) connect. */
  readonly connectMs: number
  /** From sending a request to the response headers. */
  readonly headersMs: number
  /** Silence on an open connection, e.g. a download that stalls halfway. */
  readonly idleMs: number
}

export interface S3ClientSettings {
  /** An S3-compatible server: "http://127.0.0.1:18082". Absent: AWS. */
  readonly endpoint?: string
  /** Absent: AWS_REGION, AWS_DEFAULT_REGION, else us-east-1. */
  readonly region?: string
  /** bucket in the path (http://host/bucket/key) rather than the host name. Default: yes with an endpoint. */
  readonly pathStyle?: boolean
  /** Absent: the SDK's default chain (environment, ~/.aws files, container and instance metadata). */
  readonly credentials?: S3Credentials
  readonly checksums?: S3ChecksumMode
  /** Attempts per request, retries included (default 3: a file read waits on this). */
  readonly maxAttempts?: number
  readonly timeouts?: Partial<S3Timeouts>
}

export const DEFAULT_S3_TIMEOUTS: S3Timeouts = { connectMs: 10_000, headersMs: 60_000, idleMs: 60_000 }

export function s3Region (s: S3ClientSettings, env: NodeJS.ProcessEnv = process.env): string {
  return s.region ?? nonEmpty(env['AWS_REGION']) ?? nonEmpty(env['AWS_DEFAULT_REGION']) ?? 'us-east-1'
}

export function createS3Client (s: S3ClientSettings, log?: Logger, env: NodeJS.ProcessEnv = process.env): S3Client {
  const t = { ...DEFAULT_S3_TIMEOUTS, ...s.timeouts }
  const checksums = s.checksums === 'when_supported' ? 'WHEN_SUPPORTED' : 'WHEN_REQUIRED'
  // One keep-alive agent per client: every file of the bucket reuses its connections.
  const agent = { keepAlive: true, maxSockets: 32 }
  const config: S3ClientConfig = {
    region: s3Region(s, env),
    forcePathStyle: s.pathStyle ?? s.endpoint !== undefined,
    requestChecksumCalculation: checksums,
    responseChecksumValidation: checksums,
    maxAttempts: s.maxAttempts ?? 3,
    requestHandler: {
      connectionTimeout: t.connectMs,
      requestTimeout: t.headersMs,
      // Without this the SDK only logs a warning when requestTimeout passes and keeps waiting.
      throwOnRequestTimeout: true,
      socketTimeout: t.idleMs,
      httpAgent: new HttpAgent(agent),
      httpsAgent: new HttpsAgent(agent)
    },
    // A bucket in another AWS region answers 301; follow it rather than fail every read.
    followRegionRedirects: s.endpoint === undefined,
    ...(s.endpoint === undefined ? {} : { endpoint: s.endpoint }),
    ...(s.credentials === undefined ? {} : { credentials: { ...s.credentials } }),
    ...(log === undefined ? {} : { logger: sdkLogger(log) })
  }
  return new S3Client(config)
}

/** The SDK logs every command at info: that is debug detail for us; its warnings stay warnings. */
function sdkLogger (log: Logger): NonNullable<S3ClientConfig['logger']> {
  const text = (args: unknown[]): string => args.map(a => typeof a === 'string' ? a : JSON.stringify(a)).join(' ')
  return {
    trace: () => {},
    debug: () => {},
    info: () => {},
    warn: (...args: unknown[]) => { log.warn(`aws-sdk: ${text(args)}`) },
    error: (...args: unknown[]) => { log.error(`aws-sdk: ${text(args)}`) }
  }
}

function nonEmpty (v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v
}
