#!/usr/bin/env node
// Applies patches/fuse-native+*.patch and rebuilds fuse-native's addon from
// source against the system libfuse 2 (see patches/README.md for why).
// Runs as the package's postinstall; safe to run again at any time.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, realpathSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = dirname(dirname(fileURLToPath(import.meta.url)))
const require = createRequire(join(root, 'package.json'))
const INSTALL_HINT = 'apt-get install libfuse-dev pkg-config'

function fail (message) {
  console.error(`build-fuse-native: ${message}`)
  process.exit(1)
}

// Checked first because gyp's own error for a missing pkg-config is cryptic.
function checkLibfuseDev () {
  if (process.platform !== 'linux') fail(`stalk builds fuse-native for Linux only (this is ${process.platform})`)
  const probe = spawnSync('pkg-config', ['--exists', 'fuse'], { stdio: 'ignore' })
  if (probe.error) fail(`pkg-config not found (${probe.error.message}); install it: ${INSTALL_HINT}`)
  if (probe.status !== 0) fail(`libfuse 2 development files not found (pkg-config fuse); install them: ${INSTALL_HINT}`)
}

function binOf (pkg, relative) {
  return join(dirname(require.resolve(`${pkg}/package.json`)), relative)
}

function run (label, args, cwd, env = process.env) {
  const res = spawnSync(process.execPath, args, { cwd, env, stdio: 'inherit' })
  if (res.error) fail(`${label}: ${res.error.message}`)
  if (res.status !== 0) fail(`${label} failed (exit ${res.status ?? res.signal})`)
}

// npm passes nodedir to node-gyp through the environment; when this script is
// run by hand, point node-gyp at the headers next to this node (Debian:
// /usr/include/node) instead of letting it download them.
function nodeGypArgs () {
  const args = ['rebuild', '--loglevel=warn']
  if (process.env.npm_config_nodedir) return args
  const prefix = dirname(dirname(realpathSync(process.execPath)))
  if (existsSync(join(prefix, 'include', 'node', 'common.gypi'))) args.push(`--nodedir=${prefix}`)
  return args
}

function verify (fuseDir) {
  const expected = join(fuseDir, 'build', 'Release', 'fuse.node')
  const loaded = require('node-gyp-build').path(fuseDir)
  if (loaded !== expected) fail(`node-gyp-build would load ${loaded}, not the rebuilt ${expected}`)
  const Fuse = require('fuse-native')
  if (typeof Fuse.prototype.getContext !== 'function') fail('fuse-native is not patched (no getContext)')
}

checkLibfuseDev()
// patch-package treats an already applied patch as success, so reruns are fine.
run('patch-package', [binOf('patch-package', 'index.js'), '--error-on-fail'], root)
const fuseDir = dirname(require.resolve('fuse-native/package.json'))
run('node-gyp rebuild', [binOf('node-gyp', 'bin/node-gyp.js'), ...nodeGypArgs()], fuseDir)
verify(fuseDir)
console.log(`build-fuse-native: ${JSON.parse(readFileSync(join(fuseDir, 'package.json'), 'utf8')).version} patched and built against the system libfuse`)
