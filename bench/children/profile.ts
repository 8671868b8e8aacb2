/// <reference types="node" />
// Child: one V8 CPU profile of one Worker in workerd, taken through workerd's inspector while
// this process sends the Worker its requests one at a time. A child because the inspector speaks
// over a WebSocket, and Node 20 (the toolchain's) has a global WebSocket only under
// --experimental-websocket (the suite passes it when its own Node has none); `ws` is only a
// transitive dependency here.
//
// profile.mjs <inspector ws url> <worker> <worker url> <emulator url> count=N stream=0|1 interval=µs out=<file>
// Writes the profile (the protocol's Profiler.Profile, as JSON) to `out` and reports
// { requests, wallMs }.
import { writeFile } from "node:fs/promises";
import { numberArg, report } from "../lib/report.ts";
import { directInvoke, PROMPT_TEXT, proxyRequest, runLoad } from "../proxy/load.ts";
import { portkeyRequest } from "../proxy/portkey.ts";

const [inspectorUrl, worker, workerUrl, upstream] = process.argv.slice(2);
const out = process.argv.find((arg) => arg.startsWith("out="))?.slice("out=".length);
if (!inspectorUrl?.startsWith("ws://") || !worker || !workerUrl || !upstream || !out)
  throw new Error(
    "usage: profile.mjs <inspector ws url> <worker> <worker url> <emulator url> count=N stream=0|1 interval=µs out=<file>",
  );
const count = numberArg("count", 100);
const stream = numberArg("stream", 0) === 1;
const interval = numberArg("interval", 100);

/** The proxy suite's requests: the floor gets the emulator's own signed call, Portkey its own headers. */
function request(): Request | Promise<Request> {
  if (worker === "floor") return directInvoke(upstream!, stream, "llama", workerUrl);
  if (worker === "portkey") return portkeyRequest(workerUrl!, upstream!, stream, PROMPT_TEXT);
  return proxyRequest(workerUrl!, stream);
}

interface Session {
  call(method: string, params?: Record<string, unknown>): Promise<unknown>;
  close(): void;
}

/** A Chrome DevTools Protocol session: each call's answer matched by its id; events ignored. */
function connect(url: string): Promise<Session> {
  if (typeof WebSocket === "undefined")
    throw new Error("no global WebSocket: run this child with --experimental-websocket (Node 20)");
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
    let next = 0;
    socket.addEventListener("message", (event: MessageEvent) => {
      const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown; error?: { message?: string } };
      const waiting = message.id === undefined ? undefined : pending.get(message.id);
      if (!waiting) return;
      pending.delete(message.id!);
      if (message.error) waiting.reject(new Error(`inspector: ${message.error.message ?? "an error"}`));
      else waiting.resolve(message.result);
    });
    socket.addEventListener("error", () => reject(new Error(`inspector: cannot connect to ${url}`)), { once: true });
    socket.addEventListener("close", () => {
      for (const waiting of pending.values()) waiting.reject(new Error("inspector: the connection closed"));
      pending.clear();
    });
    socket.addEventListener(
      "open",
      () =>
        resolve({
          call: (method, params = {}) =>
            new Promise((resolveCall, rejectCall) => {
              const id = ++next;
              pending.set(id, { resolve: resolveCall, reject: rejectCall });
              socket.send(JSON.stringify({ id, method, params }));
            }),
          close: () => socket.close(),
        }),
      { once: true },
    );
  });
}

// Prepared (and signed) first: the profile holds the Worker's serving, not the client's making.
const requests: Request[] = [];
for (let i = 0; i < count; i++) requests.push(await request());
const session = await connect(inspectorUrl);
await session.call("Profiler.enable");
await session.call("Profiler.setSamplingInterval", { interval });
await session.call("Profiler.start");
const started = performance.now();
await runLoad(requests, 1);
const wallMs = performance.now() - started;
const { profile } = (await session.call("Profiler.stop")) as { profile: unknown };
await session.call("Profiler.disable");
session.close();
await writeFile(out, JSON.stringify(profile));
report({ requests: count, wallMs });
// The socket's close handshake need not hold the process.
process.exit(0);
