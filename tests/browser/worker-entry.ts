/**
 * The Worker the browser tests run under `wrangler dev`: the real Worker (src/index.ts, the API over the bundled
 * index) with the site routes added. Until src/app.ts registers them itself, this entry does; afterwards the second
 * registration is harmless (the first matching route answers) and the temp config may point at src/index.ts.
 */
import app from '../../src/index'
import { registerSite } from '../../src/site'

export default registerSite(app)
