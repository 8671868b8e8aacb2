/// <reference types="node" />
// Portkey's gateway (`@portkey-ai/gateway` 1.15.2), its Bedrock provider pointed at the emulator
// through `x-portkey-custom-host`. Its npm package ships one Node build (build/start-server.js,
// a hono app started with @hono/node-server), which runs as published on Node and, for the
// workerd comparison, is re-bundled as a Worker: the same app with its Node-only server, websocket
// and Redis modules stubbed, under nodejs_compat as Portkey's own wrangler.toml sets it.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { EMULATOR_CREDENTIALS } from "../../emulator/credentials.ts";
import { bundle, ROOT } from "../lib/build.ts";
import { type ChildServer, freePort } from "../lib/server.ts";
import { benchLlama, portkeyBindings } from "./proxy-settings.ts";

const START_SERVER = join(ROOT, "node_modules", "@portkey-ai", "gateway", "build", "start-server.js");

/** A chat request to Portkey for the emulator's llama model: Portkey calls Converse for it. */
export function portkeyRequest(base: string, emulatorUrl: string, stream: boolean, text: string): Request {
  return new Request(`${base}/v1/chat/completions`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-portkey-provider": "bedrock",
      "x-portkey-aws-access-key-id": EMULATOR_CREDENTIALS.accessKeyId,
      "x-portkey-aws-secret-access-key": EMULATOR_CREDENTIALS.secretAccessKey,
      "x-portkey-aws-region": "us-east-1",
      "x-portkey-custom-host": emulatorUrl,
    },
    body: JSON.stringify({ model: benchLlama(), messages: [{ role: "user", content: text }], stream }),
  });
}

/** Portkey's Node build as published: `start-server.js --headless --port=N`. */
export async function startPortkeyNode(emulatorUrl: string): Promise<ChildServer> {
  const port = await freePort();
  const child = spawn(process.execPath, [START_SERVER, "--headless", `--port=${port}`], {
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, ...portkeyBindings(emulatorUrl), NODE_ENV: "production" },
  });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  // It announces itself after a one-second spinner; asking is quicker and surer.
  for (let waited = 0; ; waited += 50) {
    if (child.exitCode !== null) throw new Error(`Portkey exited with ${child.exitCode}: ${stderr.slice(-1000)}`);
    const up = await fetch(`${url}/`).then(
      (response) => response.body?.cancel().then(() => true) ?? true,
      () => false,
    );
    if (up) break;
    if (waited > 20_000) {
      child.kill();
      throw new Error(`Portkey did not listen on ${url} within 20 s: ${stderr.slice(-1000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url,
    pid: child.pid,
    stop: async () => {
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** Cuts `from` out of `text` exactly once, or fails: the build this is written against changed. */
function replaceOnce(text: string, from: string | RegExp, to: (match: RegExpExecArray) => string): string {
  const pattern = typeof from === "string" ? new RegExp(from.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "g") : from;
  const matches = [...text.matchAll(new RegExp(pattern.source, "g"))];
  if (matches.length !== 1)
    throw new Error(`Portkey's build changed: ${pattern.source} matched ${matches.length} times`);
  const match = matches[0]! as RegExpExecArray;
  return text.slice(0, match.index) + to(match) + text.slice(match.index + match[0].length);
}

/** Node-only modules the app imports but never uses on a chat call, and what stands in for them. */
const STUBS: Record<string, string> = {
  "@hono/node-server": "export const serve = () => ({});",
  "@hono/node-ws":
    "export const createNodeWebSocket = () => ({ injectWebSocket() {}, upgradeWebSocket: () => () => new Response(null, { status: 501 }) });",
  ws: "export default class WebSocket {}",
  ioredis: "export default class Redis {}",
};
const NODE_BUILTINS = /^(buffer|stream|util|zlib|events|crypto|fs|fs\/promises|path|url|https|http|net|tls|os)$/;

/**
 * start-server.js as a Worker module: its app (the one it hands to `serve`) becomes the default
 * export; the server start-up after it (a console spinner, timers at module scope) is cut, and
 * `--headless` is set as its command line would set it.
 */
export async function portkeyWorkerSource(): Promise<string> {
  let source = readFileSync(START_SERVER, "utf8").replace(/^#!.*\n/, "");
  source = replaceOnce(source, "process.argv.slice(2)", () => '["--headless"]');
  const app = /\{fetch:([\w$]+)\.fetch,port:/.exec(source)?.[1];
  if (!app) throw new Error("Portkey's build changed: no serve({fetch: app.fetch, port}) call");
  source = replaceOnce(
    source,
    /const [\w$]+=`http:\/\/localhost:\$\{[\w$]+\}`;[\s\S]*$/,
    () => `export default { fetch: (request, env, ctx) => ${app}.fetch(request, env, ctx) };`,
  );
  const built = await bundle({
    stdin: {
      contents: source,
      resolveDir: join(ROOT, "node_modules", "@portkey-ai", "gateway", "build"),
      loader: "js",
    },
    bundle: true,
    format: "esm",
    platform: "neutral",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["browser", "module", "main"],
    target: "es2022",
    minify: true,
    outfile: "portkey-worker.js",
    logLevel: "silent",
    plugins: [
      {
        name: "portkey-in-workerd",
        setup(build) {
          build.onResolve({ filter: NODE_BUILTINS }, (args) => ({ path: `node:${args.path}`, external: true }));
          build.onResolve({ filter: /^(@hono\/node-server|@hono\/node-ws|ws|ioredis)$/ }, (args) => ({
            path: args.path,
            namespace: "stub",
          }));
          build.onLoad({ filter: /.*/, namespace: "stub" }, (args) => ({ contents: STUBS[args.path]!, loader: "js" }));
        },
      },
    ],
  });
  const [contents] = built.outputs.values();
  if (!contents) throw new Error("the Portkey Worker bundle is empty");
  return new TextDecoder().decode(contents);
}
