// The Cloudflare Worker entry: bindings come from wrangler.toml [vars] and `wrangler secret put`.
// Besides the default export, only the Durable Object classes wrangler.toml names: a Worker
// module's other exports must be entrypoints.
import { createApp } from "./app.ts";

export { DeploymentCooldowns } from "./durable/cooldowns.ts";
export { KeyLimits } from "./durable/key-limits.ts";

export default createApp();
