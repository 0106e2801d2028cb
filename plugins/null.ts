/**
 * The built-in `null` plugin: no hooks at all. For mounts that only mirror to
 * targets, and for tests that need a plugin that does nothing.
 */
import { definePlugin } from './api.js'

export const plugin = definePlugin(() => ({ apiVersion: 1, name: 'null' }))
