/**
 * The Worker the browser tests run under `wrangler dev`: the real app over the bundled index, plus the site
 * routes. Until src/app.ts registers the site routes itself, this entry adds them (registering them twice later is
 * harmless: the first registration answers).
 */
import { createApp } from '../../src/app'
import { bundledIndex } from '../../src/index'
import { registerSite } from '../../src/site'

export default registerSite(createApp(bundledIndex))
