/**
 * The Node API of stalk: `import { mount } from 'stalk'`. A mount made here
 * runs in the calling process (see src/api/mount.ts for what that asks of
 * the program) and is the same mount `stem` makes from the same config.
 */
export { mount } from './api/mount.js'
export { StalkMount } from './api/stalk-mount.js'
export { SyncError } from './api/sync-error.js'
export type { DrainResult, MountApiOptions, MountConfig, StalkMountEvents, StalkMountHandle, SyncResult } from './api/api-types.js'
export { CONFIG_OBJECT_LABEL } from './config/config-object.js'
export type { ConfigObject, ConfigSection, ConfigValue, PluginObject, TargetObject, TargetsObject } from './config/config-object.js'
export { loadConfig } from './config/load-config.js'
export { loadConfigObject } from './config/load-config-object.js'
export type { PullConfig, PushConfig, StalkConfig } from './config/types.js'
export type { StatusReport, PushReport, PullReport, TargetReport, FileReport } from './control/status-report.js'
export type { SyncTargetOutcome } from './control/sync-outcome.js'
export { ExitCode, StemError, type ExitCodeName } from './exit-codes.js'
export type { Verbosity } from './log/create-logger.js'
export type { Logger } from './logger.js'
export type { RoundReport } from './push/syncer-types.js'
export type { TargetResult } from '../backends/backend.js'
