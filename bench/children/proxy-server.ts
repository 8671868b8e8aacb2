/// <reference types="node" />
// Child: our proxy on Node as docs/RUNTIMES.md's Node server runs it (createApp on @hono/node-server,
// Bedrock called through bedrock-edge/node: nodeFetch, nodeSigningCrypto), on loopback, with the
// emulator as upstream. Its log lines are dropped, as the workerd benchmark drops them. Stops
// when stdin closes.
import { serve } from "@hono/node-server";
import { nodeFetch, nodeSigningCrypto } from "../../node/mod.ts";
import { createApp } from "../../worker/mod.ts";
import { proxyBindings } from "../proxy/proxy-settings.ts";
import { report } from "../lib/report.ts";

const emulatorUrl = process.argv[2];
if (!emulatorUrl) throw new Error("usage: proxy-server.mjs <emulator url>");
const app = createApp({
  env: proxyBindings(emulatorUrl),
  log: () => undefined,
  fetch: nodeFetch,
  signingCrypto: nodeSigningCrypto,
});
const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info) => {
  report({ url: `http://127.0.0.1:${info.port}` });
});
process.stdin.resume();
process.stdin.on("end", () => server.close(() => process.exit(0)));
