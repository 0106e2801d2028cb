#!/usr/bin/env node
// Turns the raw samples of bench/pull.sh into the Markdown report (stdout)
// and a JSON file with the environment, every sample, the summary and the
// ratios against the aims.
//
//   node bench/summarize-pull.mjs SAMPLES.tsv ENV.json OUT.json > OUT.md
//
// SAMPLES.tsv: variant, workload, round, value, unit (tab separated).
import { readFileSync, writeFileSync } from 'node:fs'

const [samplesFile, envFile, outJson] = process.argv.slice(2)
if (!samplesFile || !envFile || !outJson) {
  console.error('usage: node bench/summarize-pull.mjs SAMPLES.tsv ENV.json OUT.json > OUT.md')
  process.exit(2)
}
const env = JSON.parse(readFileSync(envFile, 'utf8'))
const samples = readFileSync(samplesFile, 'utf8').split('\n').filter(Boolean).map(line => {
  const [variant, workload, round, value, unit] = line.split('\t')
  return { variant, workload, round: Number(round), value: Number(value), unit }
}).filter(s => Number.isFinite(s.value))

const AIM_COLD = 1.2 // stalk's cold read may take at most 1.2x the origin's own client
const AIM_WARM = 0.8 // stalk's warm read at least 0.8x bindfs's speed over the cache folder
const size = env.size_mib * 1048576
const sizeLabel = `${env.size_mib} MiB`

const ORIGINS = [
  { key: 'http', label: 'HTTP (nginx)', raw: 'http_curl' },
  { key: 'sftp', label: 'SFTP (OpenSSH sshd)', raw: 'sftp_get' },
  { key: 'rsyncd', label: 'rsync daemon', raw: 'rsyncd_rsync' },
  { key: 'rsyncssh', label: 'rsync over ssh', raw: 'rsyncssh_rsync' },
  { key: 's3', label: 'S3 (Ceph RGW)', raw: 's3_sdk' }
]
const LABELS = {
  stalk: '**stalk** (`dd bs=1M` from the mount)',
  curl: '`curl -o FILE`',
  get: '`sftp get` (OpenSSH)',
  scp: '`scp` (OpenSSH, SFTP protocol)',
  rsync: '`rsync -t` to a file',
  sdk: 'AWS SDK GetObject → file (in-process)',
  rclone_full: '`rclone mount --vfs-cache-mode full`',
  rclone_off: '`rclone mount --vfs-cache-mode off`',
  sshfs: '`sshfs`',
  s3fs: '`s3fs`',
  direct: 'the cached file itself (no FUSE)',
  bindfs: 'bindfs over the cache folder'
}
const labelOf = v => LABELS[v.slice(v.indexOf('_') + 1)] ?? v
const isMount = v => /_(stalk|rclone_full|rclone_off|sshfs|s3fs|bindfs)$/.test(v)

function stats (values) {
  const v = [...values].sort((a, b) => a - b)
  if (v.length === 0) return undefined
  const mid = Math.floor(v.length / 2)
  const median = v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2
  return { median, min: v[0], max: v[v.length - 1], n: v.length }
}
const summary = {}
for (const s of samples) {
  ((summary[s.variant] ??= {})[s.workload] ??= { unit: s.unit, values: [] }).values.push(s.value)
}
for (const w of Object.values(summary)) for (const [k, x] of Object.entries(w)) w[k] = { unit: x.unit, ...stats(x.values), values: x.values }
const med = (v, w) => summary[v]?.[w]?.median

/** 3 significant digits, no exponent. */
function fmt (x) {
  if (x === undefined || !Number.isFinite(x)) return '—'
  if (x === 0) return '0'
  const a = Math.abs(x)
  const d = a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : Math.min(6, 2 - Math.floor(Math.log10(a)))
  return x.toFixed(d)
}
/** "median (min–max)" of workload w of variant v, values mapped by conv. */
function cell (v, w, conv = x => x) {
  const st = summary[v]?.[w]
  if (!st) return '—'
  const vals = st.values.map(conv).sort((a, b) => a - b)
  const m = stats(vals).median
  return vals.length > 1 ? `${fmt(m)} (${fmt(vals[0])}–${fmt(vals[vals.length - 1])})` : fmt(m)
}
const mbps = t => size / t / 1e6
const mib = k => k / 1024
const x = r => r === undefined || !Number.isFinite(r) ? '—' : `${r.toFixed(2)}×`
const has = v => summary[v] !== undefined

const out = []
const ratios = { cold: {}, warm: {} }
const verdicts = []
out.push(`# stalk pull mode: cold and warm reads — ${env.date.slice(0, 16).replace('T', ' ')}`)
out.push('')
out.push(`One ${sizeLabel} file of random bytes. Median of ${env.rounds} interleaved round${env.rounds > 1 ? 's' : ''} (min–max in brackets)` +
  `${env.quick ? ', **quick run (small file): not comparable with full runs**' : ''}. Times in seconds; ` +
  '"stalk ÷ this" is stalk\'s median time divided by the row\'s (above 1: stalk is slower).')

// ---- cold reads
out.push('', `## Cold read: the first read after a fresh mount with an empty cache`, '')
out.push('| origin | reader | cold read (s) | MB/s | stalk ÷ this | read again, same mount (s) |')
out.push('|---|---|---:|---:|---:|---:|')
for (const o of ORIGINS) {
  const vs = Object.keys(summary).filter(v => v.startsWith(`${o.key}_`))
  if (vs.length === 0) continue
  const stalk = `${o.key}_stalk`
  const order = [stalk, ...vs.filter(v => v !== stalk && !isMount(v)), ...vs.filter(v => v !== stalk && isMount(v))].filter(has)
  let first = true
  for (const v of order) {
    const r = v === stalk ? undefined : med(stalk, 'cold_s') / med(v, 'cold_s')
    if (v !== stalk) ratios.cold[`${stalk}/${v}`] = r
    let rtext = v === stalk ? '—' : x(r)
    if (v === o.raw && r !== undefined) rtext = `**${x(r)}** (aim ≤ ${AIM_COLD}×: ${r <= AIM_COLD ? 'met' : 'missed'})`
    out.push(`| ${first ? o.label : ''} | ${labelOf(v)} | ${cell(v, 'cold_s')} | ${fmt(mbps(med(v, 'cold_s')))} | ${rtext} | ${isMount(v) ? cell(v, 'again_s') : ''} |`)
    first = false
  }
  if (has(stalk) && has(o.raw)) {
    const r = med(stalk, 'cold_s') / med(o.raw, 'cold_s')
    verdicts.push({ aim: `cold ≤ ${AIM_COLD}× ${labelOf(o.raw)}`, origin: o.label, stalk: med(stalk, 'cold_s'), ref: med(o.raw, 'cold_s'), ratio: r, met: r <= AIM_COLD })
  }
}

// ---- warm reads
const warm = ['warm_direct', 'warm_bindfs', 'warm_stalk'].filter(has)
if (warm.length) {
  out.push('', '## Warm read: the copy stalk cached, fresh (no trip to the origin)', '')
  out.push('First read = right after a fresh mount (the FUSE page cache is empty, the cached file is in the host page cache); ' +
    'again = the same file once more on the same mount.', '')
  out.push('| reader | first read (s) | GB/s | again (s) | GB/s | stalk speed ÷ this, first | … again |')
  out.push('|---|---:|---:|---:|---:|---:|---:|')
  for (const v of warm) {
    const r1 = med(v, 'warm_s') / med('warm_stalk', 'warm_s')
    const r2 = med(v, 'again_s') / med('warm_stalk', 'again_s')
    ratios.warm[`warm_stalk/${v}`] = { first: r1, again: r2 }
    const mark = (r) => v === 'warm_bindfs' && Number.isFinite(r) ? `**${x(r)}** (aim ≥ ${AIM_WARM}×: ${r >= AIM_WARM ? 'met' : 'missed'})` : x(r)
    out.push(`| ${v === 'warm_stalk' ? '**stalk** (fresh mount, cached copy fresh)' : labelOf(v)} | ${cell(v, 'warm_s')} | ${fmt(size / med(v, 'warm_s') / 1e9)} | ` +
      `${cell(v, 'again_s')} | ${fmt(size / med(v, 'again_s') / 1e9)} | ${v === 'warm_stalk' ? '—' : mark(r1)} | ${v === 'warm_stalk' ? '—' : mark(r2)} |`)
  }
  if (has('warm_stalk') && has('warm_bindfs')) {
    for (const [w, what] of [['warm_s', 'first read after mount'], ['again_s', 'read again on the same mount']]) {
      const r = med('warm_bindfs', w) / med('warm_stalk', w)
      verdicts.push({ aim: `warm ≥ ${AIM_WARM}× bindfs (${what})`, origin: 'cache', stalk: med('warm_stalk', w), ref: med('warm_bindfs', w), ratio: r, met: r >= AIM_WARM, speed: true })
    }
  }
}

// ---- aims
if (verdicts.length) {
  out.push('', '## Against the aims', '')
  out.push('| aim | origin | stalk (s) | reference (s) | ratio | |')
  out.push('|---|---|---:|---:|---:|---|')
  for (const a of verdicts) {
    out.push(`| ${a.aim} | ${a.origin} | ${fmt(a.stalk)} | ${fmt(a.ref)} | ${x(a.ratio)}${a.speed ? ' speed' : ' time'} | ${a.met ? 'met' : '**missed**'} |`)
  }
}

// ---- where stalk's cold read goes
const stalks = ORIGINS.map(o => `${o.key}_stalk`).filter(has)
if (stalks.length) {
  out.push('', '## Where stalk\'s cold read goes', '')
  out.push('open = `open(2)` of the file: lookup (origin HEAD/stat), download into the cache, fsync, rename; read = `dd bs=1M` of the open file through FUSE. ' +
    'CPU = the daemon\'s user+system time during the cold read, its reaped children (rsync, ssh) included.', '')
  out.push('| origin | open (s) | read (s) | total (s) | daemon CPU (s) |')
  out.push('|---|---:|---:|---:|---:|')
  for (const v of stalks) {
    out.push(`| ${ORIGINS.find(o => v.startsWith(`${o.key}_`)).label} | ${cell(v, 'cold_open_s')} | ${cell(v, 'cold_read_s')} | ${cell(v, 'cold_s')} | ${cell(v, 'cold_cpu_s')} |`)
  }
  const peers = Object.keys(summary).filter(v => isMount(v) && !v.endsWith('_stalk') && summary[v].cold_open_s)
  if (peers.length) {
    out.push('', 'The other mounts, for comparison (they answer open at once and download while serving reads):', '')
    out.push('| mount | open (s) | read (s) | total (s) | daemon CPU (s) |')
    out.push('|---|---:|---:|---:|---:|')
    for (const v of peers) out.push(`| ${v} | ${cell(v, 'cold_open_s')} | ${cell(v, 'cold_read_s')} | ${cell(v, 'cold_s')} | ${cell(v, 'cold_cpu_s')} |`)
  }
}

// ---- memory
const daemons = Object.keys(summary).filter(v => summary[v].idle_rss)
if (daemons.length) {
  out.push('', '## Daemon memory', '')
  out.push('RSS of the daemon and its live children (sshfs: + ssh; stalk: the worker that serves the mount, + rsync/ssh while they run), ' +
    'idle = 1 s after the mount was live, peak = VmHWM reset just before the cold (warm_*: first) read. ' +
    'stalk also runs a supervisor process (last column).', '')
  out.push('| daemon | idle RSS (MiB) | peak RSS during the read (MiB) | supervisor RSS (MiB) |')
  out.push('|---|---:|---:|---:|')
  for (const v of daemons) {
    const peak = summary[v].cold_peak_rss ? 'cold_peak_rss' : 'warm_peak_rss'
    out.push(`| ${v} | ${cell(v, 'idle_rss', mib)} | ${cell(v, peak, mib)} | ${summary[v].supervisor_rss ? cell(v, 'supervisor_rss', mib) : ''} |`)
  }
}

const crashes = samples.filter(s => s.workload === 'crash')
if (crashes.length) out.push('', `**Daemon crashes:** ${crashes.map(c => `${c.variant} (round ${c.round})`).join('; ')}`)
const busy = samples.filter(s => s.workload.startsWith('busy_'))
if (busy.length) {
  out.push('', `**Shared machine:** ${busy.length} sample(s) started while the CPUs were still less than ${env.quiet_idle} % idle after waiting ${env.quiet_wait} s: ` +
    busy.map(b => `${b.variant} ${b.workload.slice(5)} r${b.round} (${b.value} % idle)`).join(', ') + '.')
}
const missing = env.variants.split(/\s+/).filter(v => v && !has(v))
if (missing.length) out.push('', `**No sample:** ${missing.join(', ')} (see the run's log).`)

out.push('', '## Setup', '')
out.push(`- ${env.host}: Linux ${env.kernel}, ${env.cpus} CPUs, ${env.mem_gib} GiB RAM; scratch on ${env.backing_fs}; everything over loopback`)
out.push(`- stalk ${env.stalk_commit}${env.stalk_uncommitted_source_files ? ` + ${env.stalk_uncommitted_source_files} uncommitted source file(s) in the checkout` : ''}, Node ${env.node}; AWS SDK ${env.aws_sdk}`)
out.push(`- origins: ${env.nginx}; ${env.openssh}; ${env.rsync}${env.ceph ? `; ${env.ceph}` : ''}`)
out.push(`- peers: ${env.curl.split(' ').slice(0, 2).join(' ')}; ${env.rclone} (\`${env.rclone_opts}\`); ${env.sshfs} (\`${env.sshfs_opts}\`); ${env.s3fs} (\`${env.s3fs_opts}\`); ${env.bindfs} (\`${env.bindfs_opts}\`)`)
out.push(`- before each sample: the origin file read into the page cache, ${2 * env.size_mib} MiB of memory prefaulted, and a wait (up to ${env.quiet_wait} s) for ≥ ${env.quiet_idle} % idle CPU over 0.5 s`)
out.push(`- variants, in round order: ${env.variants}`)
out.push('')

process.stdout.write(out.join('\n'))
writeFileSync(outJson, JSON.stringify({ env, summary, ratios, aims: verdicts, samples }, null, 1) + '\n')
