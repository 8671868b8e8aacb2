// The Cloudflare Worker entry: bindings come from wrangler.toml [vars] and `wrangler secret put`.
// (Only the default export: a Worker module's other exports must be entrypoints.)
import { createApp } from "./app.ts";

export default createApp();
