// The bedrock-edge proxy on Deno. Configuration comes from the environment, under the same names
// as the Worker's bindings (MODELS, PROXY_API_KEYS, AWS_*, BEDROCK_ENDPOINT…), plus PORT and HOST.
//   deno run --allow-net --allow-env examples/proxy/deno.ts
import { createApp } from "../../worker/mod.ts";
import { servedRequest } from "./served-request.ts";

// The few Deno APIs used here, declared so the file type-checks without Deno's own types.
declare const Deno: {
  env: { get(name: string): string | undefined; toObject(): Record<string, string> };
  serve(
    options: { port: number; hostname: string; onListen?: (address: { hostname: string; port: number }) => void },
    handler: (request: Request) => Response | Promise<Response>,
  ): unknown;
};

const app = createApp({ env: Deno.env.toObject() });
Deno.serve(
  {
    port: Number(Deno.env.get("PORT") ?? 8787),
    // Loopback unless told otherwise: exposing the proxy is a decision, not a default.
    hostname: Deno.env.get("HOST") ?? "127.0.0.1",
    onListen: ({ hostname, port }) => console.log(`bedrock-edge proxy listening on http://${hostname}:${port}`),
  },
  // Deno builds request.url from the Host header as the client wrote it (served-request.ts).
  (request) => {
    const served = servedRequest(request);
    return served instanceof Response ? served : app.fetch(served);
  },
);
