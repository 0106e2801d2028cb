/**
 * Runs Ceph's command-line tools (ceph, ceph-authtool, monmaptool,
 * radosgw-admin, the daemons' --mkfs) against the test cluster's own
 * ceph.conf, through CEPH_CONF in the child's environment only: the test
 * process's environment is left alone, so nothing can reach a real cluster
 * configured under /etc/ceph.
 */
import { execFile } from 'node:child_process'
import { findTool } from './find-tool.js'

export interface CephTool {
  /** Runs `name args…`; resolves with stdout, rejects with the command and its stderr. */
  (name: string, args: readonly string[]): Promise<string>
  /** The environment the tools and daemons run with. */
  readonly env: NodeJS.ProcessEnv
}

/** The Debian package of each tool, for the "not installed" message. */
const PACKAGE: Readonly<Record<string, string>> = {
  ceph: 'ceph-common',
  'ceph-authtool': 'ceph-common',
  'radosgw-admin': 'ceph-common',
  monmaptool: 'ceph-base'
}

export function cephTool (conf: string): CephTool {
  const env: NodeJS.ProcessEnv = { ...process.env, CEPH_CONF: conf }
  const run = (name: string, args: readonly string[]): Promise<string> => new Promise((resolve, reject) => {
    const file = findTool(name, PACKAGE[name] ?? name)
    // A minute is far more than any step takes; it only stops a hung mon from hanging the test run.
    execFile(file, args, { env, timeout: 60_000, maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err === null) { resolve(stdout); return }
      const detail = stderr.trim().split('\n').slice(-5).join('\n')
      reject(new Error(`${name} ${args.join(' ')} failed (${err.message.split('\n')[0] ?? ''}): ${detail}`, { cause: err }))
    })
  })
  return Object.assign(run, { env })
}
