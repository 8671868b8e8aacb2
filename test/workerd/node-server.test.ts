/// <reference types="node" />
// The same proxy outside workerd: createApp() from worker/mod.ts, served by @hono/node-server,
// bindings passed as an object. Same SDK, same answers, same disconnect handling.
import { type AddressInfo, connect, type Socket } from "node:net";
import { serve, type ServerType } from "@hono/node-server";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveEmulator, type ServedEmulator } from "../../emulator/node.ts";
import { createNodeFetch, type NodeFetch, nodeSigningCrypto, type SigningCrypto } from "../../node/mod.ts";
import { STALL_TIMES } from "../../worker/delivery.ts";
import { createApp, type LogLine } from "../../worker/mod.ts";
import {
  baseBindings,
  eventually,
  leaveSlowStream,
  modelString,
  rawSse,
  TEST_KEYS,
  TEST_MODELS,
  USER_HELLO,
} from "./harness.ts";

let served: ServedEmulator;
let server: ServerType;
let url: string;
const logs: LogLine[] = [];
const openSockets = new Set<Socket>();

beforeAll(async () => {
  served = await serveEmulator({ port: 0 });
  const env = {
    ...baseBindings(served.url),
    MODELS: JSON.stringify({
      ...TEST_MODELS,
      late: modelString("llama", "wait700"),
      "late-stream": modelString("llama", "wait700", "slow50", "long60"),
      huge: modelString("openai", "long200000"),
      // Silent 200 ms between its four pieces: keep-alive comments (30 ms) go out in the silences.
      pausing: modelString("llama", "slow200", "long4"),
      flowing: modelString("llama", "long4"),
    }),
  };
  ({ server, url } = await serveApp(createApp({ env, log: (line) => logs.push(line), keepAliveMs: 30 })));
  server.on("connection", (socket: Socket) => {
    openSockets.add(socket);
    socket.once("close", () => openSockets.delete(socket));
  });
});
afterAll(async () => {
  await closeServer(server);
  await served?.close();
});

// serve() puts @hono/node-server's Request and Response in the process's globals, as a user's
// server gets them by default, which is what this file tests; the files after it in this process
// get Node's back (test/helpers/shared-process.ts).
const { Request: nodeRequest, Response: nodeResponse } = globalThis;
afterAll(() => {
  Object.assign(globalThis, { Request: nodeRequest, Response: nodeResponse });
});

async function serveApp(app: ReturnType<typeof createApp>): Promise<{ server: ServerType; url: string }> {
  const started = await new Promise<ServerType>((resolve) => {
    const listening: ServerType = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(listening));
  });
  return { server: started, url: `http://127.0.0.1:${(started.address() as AddressInfo).port}` };
}

async function closeServer(started: ServerType | undefined): Promise<void> {
  // close() alone would wait for the SDK's idle keep-alive connections to time out.
  if (started && "closeAllConnections" in started) started.closeAllConnections();
  await new Promise<void>((resolve) => (started ? started.close(() => resolve()) : resolve()));
}

/** Streams a slow answer, leaves after 3 chunks: the upstream stream is cancelled and the line is a 499. */
async function leaveMidStream(client: OpenAI, lines: readonly LogLine[]): Promise<void> {
  served.emulator.stats.reset();
  await leaveSlowStream(client);
  await eventually(() => served.emulator.stats.cancelledStreams === 1, 1000, "the upstream stream to be cancelled");
  const line = await eventually(() => lines.find((entry) => entry.model === "slow-long"));
  expect(line.status).toBe(499);
}

describe("createApp() on @hono/node-server", () => {
  const client = () => new OpenAI({ baseURL: `${url}/v1`, apiKey: TEST_KEYS[1], maxRetries: 0 });

  it("answers a streamed completion with usage, through the official SDK", async () => {
    const stream = await client().chat.completions.create({
      model: "r1",
      messages: USER_HELLO,
      stream: true,
      stream_options: { include_usage: true },
    });
    let content = "";
    let reasoning = "";
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta as { content?: string; reasoning_content?: string } | undefined;
      content += delta?.content ?? "";
      reasoning += delta?.reasoning_content ?? "";
      usage = chunk.usage ?? usage;
    }
    expect(content).toMatch(/^Hello from the Bedrock emulator \(r1\)/);
    expect(reasoning.length).toBeGreaterThan(10);
    expect(usage!.completion_tokens).toBeGreaterThan(0);
    const line = await eventually(() => logs.find((entry) => entry.model === "r1"));
    expect(line).toMatchObject({ status: 200, stream: true });
  });

  it("answers a plain completion and lists the models", async () => {
    const completion = await client().chat.completions.create({ model: "qwen2", messages: USER_HELLO });
    expect(completion.choices[0]!.message.content).toContain("(qwen2)");
    const models = await client().models.list();
    expect(models.data.map((model) => model.id)).toContain("openai-tool");
  });

  it("waits out a cold model behind SSE comments", async () => {
    const { text } = await rawSse(url, { model: "cold-qwen3", messages: USER_HELLO, stream: true });
    expect(text.startsWith(": waiting for the model to become ready\n\n")).toBe(true);
    expect(text.endsWith("data: [DONE]\n\n")).toBe(true);
  });

  it("keep-alive comments in a silent stream change nothing the SDK gives, on chat, legacy Completions and the Responses API (runtimes47 #2)", async () => {
    const raw = await rawSse(url, { model: "pausing", messages: USER_HELLO, stream: true });
    expect(raw.text.match(/^: still waiting for the model$/gm)!.length).toBeGreaterThanOrEqual(3);
    const sdk = client();
    const chat = async (model: string) => {
      let text = "";
      const stream = await sdk.chat.completions.create({ model, messages: USER_HELLO, stream: true });
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
      return text;
    };
    const legacy = async (model: string) => {
      let text = "";
      for await (const chunk of await sdk.completions.create({ model, prompt: "Hi", stream: true })) {
        text += chunk.choices[0]?.text ?? "";
      }
      return text;
    };
    const responses = async (model: string) => {
      const types: string[] = [];
      let text = "";
      for await (const event of await sdk.responses.create({ model, input: "Hi", stream: true })) {
        types.push(event.type);
        if (event.type === "response.output_text.delta") text += event.delta;
      }
      return { types, text };
    };
    expect(await chat("pausing")).toBe(await chat("flowing"));
    expect(await legacy("pausing")).toBe(await legacy("flowing"));
    const [paused, flowed] = [await responses("pausing"), await responses("flowing")];
    expect(paused).toEqual(flowed);
    expect(paused.types.at(-1)).toBe("response.completed");
    expect(paused.text.length).toBeGreaterThan(0);
  });

  it("a client that leaves mid-stream cancels the upstream call", () => leaveMidStream(client(), logs));

  it("a plain answer larger than the connection holds, to a client that never reads: cut after the stall time, not held (backpressure6 #2)", {
    timeout: 90_000,
  }, async () => {
    // @hono/node-server writes the first reads of a body without waiting for the socket: an
    // answer handed over whole sat in memory for as long as the client kept its connection.
    // 8 choices of 200,000 pieces, about 12 MB: more than loopback's socket buffers take.
    const body = JSON.stringify({ model: "huge", messages: USER_HELLO, n: 8 });
    const { host, port } = new URL(url);
    const socket = connect({ host: host.split(":")[0], port: Number(port) });
    socket.pause();
    await new Promise((resolve) => socket.once("connect", resolve));
    // The server's side of this connection: the client, never reading, cannot see it closed.
    const serverSide = await new Promise<Socket>((resolve) => {
      const sockets = () => [...openSockets].find((open) => open.remotePort === socket.localPort);
      const poll = () => (sockets() ? resolve(sockets()!) : setTimeout(poll, 5));
      poll();
    });
    socket.write(
      `POST /v1/chat/completions HTTP/1.1\r\nhost: ${host}\r\nauthorization: Bearer ${TEST_KEYS[1]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    try {
      // This process makes and writes the 12 MB first: the stall time runs after that, however
      // busy the machine. Held, the answer would never be logged at all.
      const line = await eventually(
        () => logs.find((entry) => entry.model === "huge"),
        STALL_TIMES.firstMs + STALL_TIMES.laterMs + 60_000,
        "the huge answer's line",
      );
      expect([line.status, line.error]).toEqual([499, "the answer stopped being read: the client had gone"]);
      // The answer's bytes are let go with the connection, not kept for a client that never reads.
      await eventually(() => serverSide.destroyed, 2000, "the connection to be closed");
    } finally {
      socket.destroy();
    }
  });

  it.each([
    ["a plain call", "late", false],
    ["a stream, before its first byte", "late-stream", true],
  ])("a client that leaves %s: Node says so at once, the call is aborted and logged 499", async (_, model, stream) => {
    served.emulator.stats.reset();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 150);
    await fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_KEYS[1]}`, "content-type": "application/json" },
      body: JSON.stringify({ model, messages: USER_HELLO, stream }),
      signal: controller.signal,
    }).catch(() => undefined);
    const line = await eventually(() => logs.find((entry) => entry.model === model));
    expect(line.status).toBe(499);
    // Logged when the client left (150 ms), not when Bedrock would have answered: that is 700 ms
    // after the call reached it, so a line under 700 ms is proof, however loaded the machine.
    expect(line.ms).toBeLessThan(700);
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(served.emulator.stats.activeStreams).toBe(0);
    expect(served.emulator.stats.completedStreams).toBe(0);
    expect(logs.filter((entry) => entry.model === model)).toHaveLength(1);
  });
});

// docs/RUNTIMES.md's Node server: Bedrock called through bedrock-edge/node's fetch and signed with its
// node:crypto hashes. The emulator checks every signature itself.
describe("createApp({ fetch: nodeFetch, signingCrypto: nodeSigningCrypto }) on @hono/node-server", () => {
  let nodeServer: ServerType;
  let nodeUrl: string;
  let upstream: NodeFetch;
  const nodeLogs: LogLine[] = [];
  const hashed = { sha256: 0, hmac: 0 };
  const countingCrypto: SigningCrypto = {
    sha256Hex(text) {
      hashed.sha256++;
      return nodeSigningCrypto.sha256Hex(text);
    },
    hmacSha256(key, text) {
      hashed.hmac++;
      return nodeSigningCrypto.hmacSha256(key, text);
    },
  };

  beforeAll(async () => {
    upstream = createNodeFetch();
    const env = { ...baseBindings(served.url), MODELS: JSON.stringify(TEST_MODELS) };
    const app = createApp({ env, log: (line) => nodeLogs.push(line), fetch: upstream, signingCrypto: countingCrypto });
    ({ server: nodeServer, url: nodeUrl } = await serveApp(app));
  });
  afterAll(async () => {
    await closeServer(nodeServer);
    upstream?.destroy();
  });
  const client = () => new OpenAI({ baseURL: `${nodeUrl}/v1`, apiKey: TEST_KEYS[1], maxRetries: 0 });

  it("answers plain and streamed completions, each signed with the given hashes", async () => {
    hashed.sha256 = 0;
    hashed.hmac = 0;
    const completion = await client().chat.completions.create({ model: "qwen2", messages: USER_HELLO });
    expect(completion.choices[0]!.message.content).toContain("(qwen2)");
    expect(hashed.sha256).toBeGreaterThanOrEqual(2);
    expect(hashed.hmac).toBeGreaterThanOrEqual(1);
    const before = hashed.hmac;
    const stream = await client().chat.completions.create({ model: "r1", messages: USER_HELLO, stream: true });
    let content = "";
    for await (const chunk of stream) content += chunk.choices[0]?.delta.content ?? "";
    expect(content).toMatch(/Hello from the Bedrock emulator \(r1\)/);
    expect(hashed.hmac).toBeGreaterThan(before);
  });

  it("a client that leaves mid-stream cancels the upstream call through nodeFetch", () =>
    leaveMidStream(client(), nodeLogs));
});
