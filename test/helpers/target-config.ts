/**
 * A TargetConfig for tests, with the config loader's defaults (ssh
 * "ssh" with no options, no extra rsync options) and a roomy time limit.
 */
import type { SshSettings, TargetConfig } from '../../src/config/types.js'

export function targetConfig (destination: string, over: Partial<Omit<TargetConfig, 'ssh'>> & { ssh?: Partial<SshSettings> } = {}): TargetConfig {
  const { ssh, ...rest } = over
  return {
    label: 'test-target',
    destination,
    rsyncOptions: [],
    timeoutMs: 120_000,
    ...rest,
    ssh: { command: 'ssh', options: [], ...ssh }
  }
}

/** rsync at 200 KiB/s: the 5 MiB sample file then takes about 25 s. */
export const SLOW_RSYNC: readonly string[] = ['--bwlimit=200']
