#!/usr/bin/env node
// stem: the stalk command. The TypeScript sources are compiled to dist/ at install (npm ci / npm run build).
import('../dist/src/cli/main.js').catch(err => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND') {
    console.error('stem: stalk is not built; run `npm run build` in ' + new URL('..', import.meta.url).pathname)
    process.exit(1)
  }
  throw err
})
