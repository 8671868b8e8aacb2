/// <reference types="node" />
// The bedrock-edge proxy on Node (>= 20) with @hono/node-server. Configuration comes from the
// environment, under the same names as the Worker's bindings (MODELS, PROXY_API_KEYS, AWS_*,
// BEDROCK_ENDPOINT…), plus PORT and HOST.
//   npx tsx examples/proxy/node.ts
import { serve } from "@hono/node-server";
import { nodeFetch, nodeSigningCrypto } from "../../node/mod.ts";
import { createApp } from "../../worker/mod.ts";

// bedrock-edge/node: Bedrock calls on node:http with keep-alive and SigV4 on node:crypto, cheaper
// per request than Node's global fetch and WebCrypto (README, Benchmarks).
const app = createApp({ env: process.env, fetch: nodeFetch, signingCrypto: nodeSigningCrypto });
serve(
  {
    fetch: (request) => app.fetch(request),
    port: Number(process.env.PORT ?? 8787),
    // Loopback unless told otherwise: exposing the proxy is a decision, not a default.
    hostname: process.env.HOST ?? "127.0.0.1",
  },
  ({ address, port }) => console.log(`bedrock-edge proxy listening on http://${address}:${port}`),
);
