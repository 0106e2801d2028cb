/**
 * The ceph.conf of the test cluster (TEST-SERVERS.md appendix A): one mon,
 * one memstore OSD, one RGW, all on 127.0.0.1, every file under `dir`.
 * Settings that look odd are load-bearing:
 *
 * - cephx everywhere: with `auth … required = none` radosgw loops on
 *   "get_initial_auth_request returned -13" for 300 s and gives up.
 * - pool size 1, 8 PGs, `mon max pg per osd = 1000`: one OSD has to hold
 *   the dozen pools RGW creates.
 * - memstore: no disk or LVM; object data lives in the OSD's RAM and is
 *   gone when it is killed, which is all a test needs.
 */
import { join } from 'node:path'

export interface CephConfOptions {
  readonly dir: string
  readonly fsid: string
  readonly monPort: number
  readonly rgwPort: number
}

export interface CephPaths {
  readonly conf: string
  readonly keyring: string
  readonly monmap: string
  readonly osdSecret: string
  readonly logs: string
}

export function cephPaths (dir: string): CephPaths {
  return {
    conf: join(dir, 'ceph.conf'),
    keyring: join(dir, 'keyring'),
    monmap: join(dir, 'monmap'),
    osdSecret: join(dir, 'osd-secret.json'),
    logs: join(dir, 'log')
  }
}

/** The folders ceph.conf points at; they must exist before the daemons start. */
export function cephDirs (dir: string): string[] {
  return ['run', 'log', 'mon.a', 'osd.0', 'crash', 'rgw.a'].map(d => join(dir, d))
}

export function cephConf (o: CephConfOptions): string {
  const d = o.dir
  return `[global]
fsid = ${o.fsid}
mon initial members = a
mon host = v2:127.0.0.1:${o.monPort}
public addr = 127.0.0.1
public network = 127.0.0.0/8
ms bind ipv6 = false
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
keyring = ${d}/keyring
run dir = ${d}/run
admin socket = ${d}/run/$name.asok
pid file = ${d}/run/$name.pid
log file = ${d}/log/$name.log
crash dir = ${d}/crash
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon warn on pool no redundancy = false
mon max pg per osd = 1000
osd objectstore = memstore
memstore device bytes = 4294967296
osd data = ${d}/osd.$id
mon data = ${d}/mon.$id
[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:${o.rgwPort}
rgw data = ${d}/rgw.a
`
}
