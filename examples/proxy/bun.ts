// The bedrock-edge proxy on Bun. Configuration comes from the environment, under the same names
// as the Worker's bindings (MODELS, PROXY_API_KEYS, AWS_*, BEDROCK_ENDPOINT…), plus PORT and HOST.
//   bun examples/proxy/bun.ts
import { createApp, servedRequest } from "../../worker/mod.ts";

// The few Bun APIs used here, declared so the file type-checks without bun-types.
declare const Bun: {
  env: Record<string, string | undefined>;
  serve(options: {
    port: number;
    hostname: string;
    idleTimeout: number;
    fetch: (request: Request) => Response | Promise<Response>;
  }): { url: URL };
};

const app = createApp({ env: Bun.env });
const server = Bun.serve({
  port: Number(Bun.env.PORT ?? 8787),
  // Loopback unless told otherwise: exposing the proxy is a decision, not a default.
  hostname: Bun.env.HOST ?? "127.0.0.1",
  // Bun closes connections idle for 10 s by default; a model may think longer than that between
  // two stream chunks. 255 s is Bun's maximum.
  idleTimeout: 255,
  // Bun hands over a relative URL when Host is missing or not host[:port] (servedRequest, worker/served-request.ts).
  fetch: (request) => {
    const served = servedRequest(request);
    return served instanceof Response ? served : app.fetch(served);
  },
});
console.log(`bedrock-edge proxy listening on ${server.url.origin}`);
