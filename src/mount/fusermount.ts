import { execFile } from 'node:child_process'

/**
 * Lazily detaches a FUSE mount (`fusermount -uz`): works for a live mount and
 * for a dead one ("Transport endpoint is not connected"). Tries fusermount3
 * when only libfuse3's tool is installed.
 */
export function fusermountUnmount (mountpoint: string): Promise<void> {
  return tryTool('fusermount', mountpoint).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err
    return tryTool('fusermount3', mountpoint)
  })
}

function tryTool (tool: string, mountpoint: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(tool, ['-uz', mountpoint], { timeout: 10_000 }, (err, _out, stderr) => {
      if (!err) { resolve(); return }
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') { reject(err); return }
      reject(new Error(`${tool} -uz ${mountpoint}: ${stderr.trim() || err.message}`, { cause: err }))
    })
  })
}
