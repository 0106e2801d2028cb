#!/usr/bin/env node
// Turns the raw samples of bench/run.sh into the Markdown report (stdout)
// and a JSON file with the environment, every sample and the summary.
//
//   node bench/summarize.mjs SAMPLES.tsv ENV.json OUT.json > OUT.md
//
// SAMPLES.tsv: variant, workload, round, value, unit (tab separated).
import { readFileSync, writeFileSync } from 'node:fs'

const [samplesFile, envFile, outJson] = process.argv.slice(2)
if (!samplesFile || !envFile || !outJson) {
  console.error('usage: node bench/summarize.mjs SAMPLES.tsv ENV.json OUT.json > OUT.md')
  process.exit(2)
}
const env = JSON.parse(readFileSync(envFile, 'utf8'))
const samples = readFileSync(samplesFile, 'utf8').split('\n').filter(Boolean).map(line => {
  const [variant, workload, round, value, unit] = line.split('\t')
  return { variant, workload, round: Number(round), value: Number(value), unit }
}).filter(s => Number.isFinite(s.value))

const variants = env.variants.split(/\s+/).filter(Boolean)
const fuseVariants = variants.filter(v => v !== 'local')
const ref = variants.includes('bindfs') ? 'bindfs' : fuseVariants.find(v => v !== 'stalk')
const sizeBytes = env.size_mib * 1048576
const sizeLabel = env.size_mib % 1024 === 0 ? `${env.size_mib / 1024} GiB` : `${env.size_mib} MiB`
const n = x => x.toLocaleString('en-US')

function stats (values) {
  const v = [...values].sort((a, b) => a - b)
  if (v.length === 0) return undefined
  const mid = Math.floor(v.length / 2)
  const median = v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2
  return { median, min: v[0], max: v[v.length - 1], n: v.length }
}
const summary = {}
for (const s of samples) {
  ((summary[s.workload] ??= {})[s.variant] ??= { unit: s.unit, values: [] }).values.push(s.value)
}
for (const w of Object.values(summary)) for (const [k, x] of Object.entries(w)) w[k] = { unit: x.unit, ...stats(x.values), values: x.values }

/** 3 significant digits, no exponent. */
function fmt (x) {
  if (x === 0) return '0'
  const a = Math.abs(x)
  const d = a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : Math.min(6, 2 - Math.floor(Math.log10(a)))
  return x.toFixed(d)
}

// Rows of the main table. `conv` maps a sample to the shown value; `higher` says which way is better.
const gbps = t => sizeBytes / t / 1e9
const rows = [
  { key: 'seqwrite_s', label: `Sequential write, ${sizeLabel} (dd bs=1M, no fsync)`, unit: 'GB/s', conv: gbps, higher: true, aim: true },
  { key: 'seqwrite_fsync_s', label: `Sequential write, ${sizeLabel} (dd bs=1M conv=fsync)`, unit: 'GB/s', conv: gbps, higher: true, aim: true },
  { key: 'seqread_s', label: `Sequential read, ${sizeLabel} (dd bs=1M; FUSE cache evicted, backing file warm)`, unit: 'GB/s', conv: gbps, higher: true, aim: true },
  { key: 'randread_iops', label: `4 KiB random read, fio psync QD1 (${n(env.randread_mib * 256)} reads)`, unit: 'IOPS', conv: x => x, higher: true },
  { key: 'randread_lat_us', label: '… mean latency per read', unit: 'µs', conv: x => x, higher: false },
  { key: 'meta_total_s', label: `${n(env.meta_n)} small files: create+4 KiB write+close, stat, unlink (total)`, unit: 's', conv: x => x, higher: false },
  { key: 'meta_create_s', label: '… create + write + close', unit: 's', conv: x => x, higher: false },
  { key: 'meta_stat_s', label: '… stat', unit: 's', conv: x => x, higher: false },
  { key: 'meta_unlink_s', label: '… unlink', unit: 's', conv: x => x, higher: false },
  { key: 'ls_cold_s', label: `\`ls -l\` of ${n(env.ls_n)} entries, first after mount`, unit: 's', conv: x => x, higher: false },
  { key: 'ls_warm_s', label: '`ls -l` again (warm)', unit: 's', conv: x => x, higher: false }
]

function cellOf (key, variant, conv) {
  const st = summary[key]?.[variant]
  if (!st) return { text: '—' }
  const vals = st.values.map(conv).sort((a, b) => a - b)
  const med = stats(vals).median
  const text = vals.length > 1 ? `${fmt(med)} (${fmt(vals[0])}–${fmt(vals[vals.length - 1])})` : fmt(med)
  return { text, median: med }
}
/** Speed ratio a/b: > 1 means a is faster, whichever way the unit points. */
function speedRatio (a, b, higher) {
  if (a === undefined || b === undefined || a === 0 || b === 0) return undefined
  return higher ? a / b : b / a
}

const out = []
const ratios = {}
out.push(`# stalk push mode vs bindfs vs local — ${env.date.slice(0, 16).replace('T', ' ')}`)
out.push('')
out.push(`Median of ${env.rounds} interleaved round${env.rounds > 1 ? 's' : ''} (min–max in brackets)${env.quick ? ', **quick run (small sizes): not comparable with full runs**' : ''}. ` +
  'Ratios are speed ratios of the medians: above 1 means stalk is faster, below 1 slower.')
out.push('')
const head = ['workload', 'unit', ...variants]
if (ref && variants.includes('stalk')) head.push(`stalk/${ref}`)
if (variants.includes('local') && variants.includes('stalk')) head.push('stalk/local')
out.push(`| ${head.join(' | ')} |`)
out.push(`|${head.map((_, i) => i < 2 ? '---' : '---:').join('|')}|`)
for (const r of rows) {
  if (!summary[r.key]) continue
  const cells = Object.fromEntries(variants.map(v => [v, cellOf(r.key, v, r.conv)]))
  const line = [r.label, r.unit, ...variants.map(v => cells[v].text)]
  const rr = {}
  if (ref && variants.includes('stalk')) {
    rr[ref] = speedRatio(cells.stalk.median, cells[ref].median, r.higher)
    line.push(rr[ref] === undefined ? '—' : `${rr[ref].toFixed(2)}×`)
  }
  if (variants.includes('local') && variants.includes('stalk')) {
    rr.local = speedRatio(cells.stalk.median, cells.local.median, r.higher)
    line.push(rr.local === undefined ? '—' : `${rr.local.toFixed(2)}×`)
  }
  ratios[r.key] = rr
  out.push(`| ${line.join(' | ')} |`)
}
if (!summary.randread_iops) out.push('', '_4 KiB random reads skipped: fio is not installed (`apt-get install -y fio`)._')

// Daemon resources
const res = [
  { key: 'idle_rss', label: 'RSS idle, 1 s after mount', unit: 'MiB', conv: x => x / 1024 },
  { key: 'seqread_peak_rss', label: 'peak RSS (VmHWM) during the sequential read', unit: 'MiB', conv: x => x / 1024 },
  { key: 'seqwrite_peak_rss', label: 'peak RSS during the sequential write', unit: 'MiB', conv: x => x / 1024 },
  { key: 'meta_peak_rss', label: 'peak RSS during the small-file run', unit: 'MiB', conv: x => x / 1024 },
  { key: 'round_peak_rss', label: 'peak RSS over the whole round', unit: 'MiB', conv: x => x / 1024 },
  { key: 'end_rss', label: 'RSS idle after the round', unit: 'MiB', conv: x => x / 1024 },
  { key: 'seqread_cpu_s_per_gib', label: 'daemon CPU per GiB read', unit: 's', conv: x => x },
  { key: 'seqread_ctxsw_per_mib', label: 'daemon context switches per MiB read', unit: 'n', conv: x => x },
  { key: 'seqwrite_cpu_s_per_gib', label: 'daemon CPU per GiB written (no fsync)', unit: 's', conv: x => x },
  { key: 'randread_cpu_us_per_op', label: 'daemon CPU per 4 KiB random read', unit: 'µs', conv: x => x }
]
if (fuseVariants.length) {
  out.push('', '### Daemon resources', '')
  out.push(`| | unit | ${fuseVariants.join(' | ')} |`)
  out.push(`|---|---|${fuseVariants.map(() => '---:').join('|')}|`)
  for (const r of res) {
    if (!summary[r.key]) continue
    out.push(`| ${r.label} | ${r.unit} | ${fuseVariants.map(v => cellOf(r.key, v, r.conv).text).join(' | ')} |`)
  }
}

// The aim: stalk >= 0.8x bindfs on sequential read and write.
if (ref === 'bindfs' && variants.includes('stalk')) {
  out.push('', '### Aim: stalk ≥ 0.8× bindfs on sequential read and write', '')
  for (const r of rows.filter(x => x.aim)) {
    const x = ratios[r.key]?.bindfs
    if (x === undefined) continue
    out.push(`- ${r.label}: **${x.toFixed(3)}×** — ${x >= 0.8 ? 'met' : 'missed'}`)
  }
}
const crashes = samples.filter(s => s.workload.startsWith('crash_'))
if (crashes.length) {
  out.push('', `**Daemon crashes:** ${crashes.map(c => `${c.variant} during ${c.workload.slice(6)} (round ${c.round})`).join('; ')}`)
}

const busy = samples.filter(s => s.workload.startsWith('busy_'))
if (busy.length) {
  out.push('', `**Shared machine:** ${busy.length} workload sample(s) started while the CPUs were still less than ${env.quiet_idle} % idle after waiting ${env.quiet_wait} s: ` +
    busy.map(b => `${b.variant} ${b.workload.slice(5)} r${b.round} (${b.value} % idle)`).join(', ') + '.')
}

out.push('', '### Setup', '')
out.push(`- ${env.host}: Linux ${env.kernel}, ${env.cpus} CPUs, ${env.mem_gib} GiB RAM; backing filesystem ${env.backing_fs}`)
out.push(`- Node ${env.node}; ${env.bindfs} (${env.bindfs_fuse}); ${env.fio}`)
out.push(`- stalk ${env.stalk_commit}${env.stalk_uncommitted_source_files ? ` + ${env.stalk_uncommitted_source_files} uncommitted source file(s) in the checkout` : ''}; push config: local-folder target, \`timeout: 1h\` (no sync round during the run)`)
out.push(`- bindfs options: \`${env.bindfs_opts}\`${variants.includes('bindfs_mt') ? ' (bindfs_mt: the same plus `--multithreaded`)' : ''}`)
if (env.quiet_idle !== undefined) out.push(`- before each workload the run waited (up to ${env.quiet_wait} s) for ≥ ${env.quiet_idle} % idle CPU over 0.5 s`)
out.push(`- sizes: ${sizeLabel} sequential file, ${n(env.randread_mib * 256)} random reads, ${n(env.meta_n)} small files, ${n(env.ls_n)}-entry directory; order per mount: ${env.workloads}`)
out.push('')

process.stdout.write(out.join('\n'))
const json = { env, summary, ratios, samples }
writeFileSync(outJson, JSON.stringify(json, null, 1) + '\n')
