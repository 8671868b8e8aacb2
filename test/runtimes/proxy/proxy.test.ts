// The proxy app (createApp() from worker/mod.ts) served by Deno.serve, Bun.serve and Node's
// @hono/node-server, through the runnable entry files users get (examples/proxy/*.ts), each
// answering a streamed completion from the emulator, signed for real.
import { connect, type Socket } from "node:net";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EMULATOR_CREDENTIALS } from "../../../emulator/credentials.ts";
import { emulatorModelId } from "../../../emulator/model-id.ts";
import { eventually } from "../../helpers/eventually.ts";
import { localBin } from "../child-process.ts";
import { startRuntimeEmulator, type RuntimeEmulator } from "../emulator-server.ts";
import { startServerProcess } from "../server-process.ts";

const KEY = "sk-runtime-test";

const RUNTIMES: Array<{
  name: string;
  command: string;
  args: string[];
  /** Whether the server closes the connection of a body given up (the 408's `Connection: close`). */
  closesGivenUpBody: boolean;
}> = [
  {
    name: "Deno (Deno.serve)",
    command: localBin("deno"),
    args: [
      "run",
      "--node-modules-dir=manual",
      "--no-lock",
      "--allow-net=127.0.0.1",
      "--allow-env",
      "examples/proxy/deno.ts",
    ],
    // Deno 2 keeps it open, Connection: close or not, for as long as the client trickles (docs/PROXY-REFERENCE.md).
    closesGivenUpBody: false,
  },
  { name: "Bun (Bun.serve)", command: localBin("bun"), args: ["examples/proxy/bun.ts"], closesGivenUpBody: true },
  {
    name: "Node (@hono/node-server)",
    command: process.execPath,
    args: ["--import", "tsx", "examples/proxy/node.ts"],
    closesGivenUpBody: true,
  },
];

/** Trickle body: a byte every this many ms, well under the read's floor (16 KiB in 10 s). */
const TRICKLE_MS = 2000;

/**
 * A chunked body that trickles a byte at a time and never ends, on a raw socket: when the answer
 * came, its head, and when the server closed the connection (undefined if it had not, `holdMs`
 * after the answer, the client trickling on all the while).
 */
async function trickle(url: string, holdMs: number): Promise<{ answerMs: number; head: string; closedMs?: number }> {
  const { hostname, port } = new URL(url);
  const socket = connect({ host: hostname, port: Number(port) });
  await new Promise((resolve, reject) => socket.once("connect", resolve).once("error", reject));
  const started = Date.now();
  let received = "";
  let answerMs: number | undefined;
  let closedMs: number | undefined;
  socket.on("data", (data: Buffer) => {
    received += data.toString("latin1");
    if (answerMs === undefined && received.includes("\r\n\r\n")) answerMs = Date.now() - started;
  });
  socket.on("error", () => undefined);
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  void closed.then(() => (closedMs = Date.now() - started));
  socket.write(
    `POST /v1/chat/completions HTTP/1.1\r\nhost: ${hostname}\r\nauthorization: Bearer ${KEY}\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n1\r\n{\r\n`,
  );
  const dripping = setInterval(() => {
    if (!socket.destroyed) socket.write("1\r\n \r\n");
  }, TRICKLE_MS);
  try {
    for (;;) {
      await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 50))]);
      if (closedMs !== undefined && answerMs === undefined) throw new Error(`closed without an answer: ${received}`);
      if (answerMs !== undefined && (closedMs !== undefined || Date.now() - started > answerMs + holdMs)) break;
    }
  } finally {
    clearInterval(dripping);
    socket.destroy();
  }
  if (answerMs === undefined) throw new Error("no answer");
  const head = received.slice(0, received.indexOf("\r\n\r\n"));
  return { answerMs, head, ...(closedMs === undefined ? {} : { closedMs }) };
}

/** Only what the proxy needs: nothing (AWS_*, PORT…) may leak in from the test's own environment. */
function proxyEnv(emulatorUrl: string): Record<string, string> {
  const env: Record<string, string> = {
    MODELS: JSON.stringify({ "llama-demo": `bedrock/llama/${emulatorModelId("llama")}` }),
    PROXY_API_KEYS: KEY,
    AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
    BEDROCK_ENDPOINT: emulatorUrl,
    PORT: "0",
    HOST: "127.0.0.1",
    NO_COLOR: "1",
  };
  for (const name of ["PATH", "HOME", "TMPDIR"]) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

describe("the proxy in other runtimes", () => {
  let served: RuntimeEmulator;
  beforeAll(async () => {
    served = await startRuntimeEmulator();
  });
  afterAll(() => served?.close());

  it.concurrent.each(RUNTIMES)(
    "$name answers a streamed completion, and a body that is not JSON without quoting it",
    async ({ command, args }) => {
      const server = await startServerProcess(command, args, proxyEnv(served.url));
      try {
        const response = await fetch(`${server.url}/v1/chat/completions`, {
          method: "POST",
          headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
          body: JSON.stringify({
            model: "llama-demo",
            messages: [{ role: "user", content: "Hello" }],
            stream: true,
            stream_options: { include_usage: true },
          }),
        });
        const text = await response.text();
        expect(response.status, text).toBe(200);
        expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
        const events = text
          .split("\n\n")
          .filter((block) => block.startsWith("data: "))
          .map((block) => block.slice("data: ".length));
        expect(events.at(-1)).toBe("[DONE]");
        const chunks = events.slice(0, -1).map(
          (data) =>
            JSON.parse(data) as {
              choices: Array<{ delta: { content?: string }; finish_reason: string | null }>;
              usage?: unknown;
            },
        );
        const content = chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.delta.content ?? "")).join("");
        expect(content).toMatch(/^Hello from the Bedrock emulator \(llama\)\. Your prompt had \d+ characters\.$/);
        expect(chunks.flatMap((chunk) => chunk.choices).at(-1)?.finish_reason).toBe("stop");
        expect(chunks.at(-1)?.usage).toMatchObject({
          prompt_tokens: expect.any(Number),
          completion_tokens: expect.any(Number),
        });

        // A body that is not JSON: the same 400 on every engine (each words its own SyntaxError), and
        // none of the body in it or in the log line.
        const broken = await fetch(`${server.url}/v1/chat/completions`, {
          method: "POST",
          headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
          body: '{"model":"llama-demo","messages":[{"role":"user","content":"my password is hunter2", "x": True}]}',
        });
        expect(broken.status).toBe(400);
        const { error } = (await broken.json()) as { error: { message: string; code: string } };
        expect(error).toMatchObject({
          code: "invalid_json",
          message: "The request body is not valid JSON: it breaks at line 1, column 91 (offset 90).",
        });
        const id = broken.headers.get("x-request-id") ?? "";
        // The log line is written once the answer is out.
        await eventually(() => server.output().includes(id), 10_000, "the request's log line");
        expect(server.output()).toContain(`"error":"${error.message}"`);
        expect(server.output()).not.toContain("hunter2");
      } finally {
        await server.stop();
      }
    },
  );
});

describe("a body that trickles without ending, in other runtimes (runtimes47 #3)", () => {
  let served: RuntimeEmulator;
  beforeAll(async () => {
    served = await startRuntimeEmulator();
  });
  afterAll(() => served?.close());

  it.concurrent.each(RUNTIMES)(
    "$name: 408 request_body_timeout when its first window is up, with Connection: close, and the connection closed where the runtime does so",
    { timeout: 40_000 },
    async ({ command, args, closesGivenUpBody }) => {
      const server = await startServerProcess(command, args, proxyEnv(served.url));
      try {
        const { answerMs, head, closedMs } = await trickle(server.url, 4000);
        expect(head).toMatch(/^HTTP\/1\.1 408 /);
        expect(head).toMatch(/\r\nconnection: close(\r\n|$)/i);
        // READ_WINDOW_MS (10 s), and what a loaded machine adds.
        expect(answerMs).toBeGreaterThanOrEqual(9_900);
        expect(answerMs).toBeLessThan(14_000);
        if (closesGivenUpBody) {
          expect(closedMs, "closed by the server, the client still trickling").toBeDefined();
          expect(closedMs! - answerMs).toBeLessThan(2000);
        } else {
          expect(closedMs).toBeUndefined();
        }
      } finally {
        await server.stop();
      }
    },
  );
});

/**
 * One request on a raw socket, written as given (a Host header the client chooses, or none, which
 * fetch cannot send): the answer's status line, headers and body, once the server closes.
 */
async function rawRequest(
  url: string,
  request: string | Uint8Array,
): Promise<{ status: number; head: string; body: string }> {
  const { hostname, port } = new URL(url);
  const socket = connect({ host: hostname, port: Number(port) });
  let received = "";
  socket.on("data", (data: Buffer) => (received += data.toString("utf8")));
  await new Promise<void>((resolve, reject) => {
    socket.once("close", () => resolve()).once("error", reject);
    socket.once("connect", () => socket.write(request));
    socket.setTimeout(5000, () => reject(new Error(`no end within 5 s: ${received}`)));
  });
  const split = received.indexOf("\r\n\r\n");
  const head = received.slice(0, split);
  let body = received.slice(split + 4);
  // Deno chunks a body it was not given the length of.
  if (/\r\ntransfer-encoding: chunked/i.test(head))
    body = body.replace(/^[0-9a-f]+\r\n/i, "").replace(/\r\n0\r\n\r\n$/, "");
  return { status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1]), head, body };
}

/** A request line and the headers after it, the connection closed after the answer. */
function requestText(line: string, ...headers: string[]): string {
  return [line, ...headers, "connection: close", "", ""].join("\r\n");
}

describe("the Host header in other runtimes (http50 #2, #3)", () => {
  let served: RuntimeEmulator;
  beforeAll(async () => {
    served = await startRuntimeEmulator();
  });
  afterAll(() => served?.close());

  it.concurrent.each(RUNTIMES)(
    "$name routes and logs the request line's path, whatever the Host; no Host (HTTP/1.0) is served, a Host that is not host[:port] refused",
    async ({ name, command, args }) => {
      const server = await startServerProcess(command, args, proxyEnv(served.url));
      try {
        // An HTTP/1.0 health check without Host (HAProxy's httpchk sends none): Bun gave the app a
        // relative URL, and /health lost its only segment (a text/plain 404, no log line).
        const health = await rawRequest(server.url, requestText("GET /health HTTP/1.0"));
        expect(health.status, health.head).toBe(200);
        expect(JSON.parse(health.body)).toEqual({ status: "ok" });
        const id = /\r\nx-request-id: ([^\r]+)/i.exec(health.head)?.[1];
        expect(id).toBeDefined();
        await eventually(() => server.output().includes(id!), 10_000, "the health check's log line");
        const logged = server
          .output()
          .split("\n")
          .find((line) => line.includes(id!));
        expect(logged).toContain('"path":"/health"');

        // A completion the same way: its body reaches the app whole.
        const body = JSON.stringify({ model: "llama-demo", messages: [{ role: "user", content: "Hello" }] });
        const completion = await rawRequest(
          server.url,
          requestText(
            "POST /v1/chat/completions HTTP/1.0",
            `authorization: Bearer ${KEY}`,
            "content-type: application/json",
            `content-length: ${Buffer.byteLength(body)}`,
          ) + body,
        );
        expect(completion.status, `${completion.head}\n${completion.body}`).toBe(200);
        expect(
          (JSON.parse(completion.body) as { choices: Array<{ message: { content: string } }> }).choices[0]?.message
            .content,
        ).toMatch(/^Hello from the Bedrock emulator \(llama\)\./);

        // A target that begins with `//` and no Host: its path is the request line's, a 404 on every
        // server (Bun's relative URL resolved as a reference became /health: codereview50 #5).
        const slashes = await rawRequest(server.url, requestText("GET //other.example/health HTTP/1.0"));
        expect(slashes.status, slashes.head).toBe(404);

        // Valid authorities: a name, a default port, upper case, an IPv6 literal, none at all.
        for (const host of ["host: x:80", "host: X", "host: [::1]:8787", "host: localhost", "host: "]) {
          const answer = await rawRequest(server.url, requestText("GET /health HTTP/1.1", host));
          expect(answer.status, `${host}: ${answer.head}`).toBe(200);
          expect(JSON.parse(answer.body), host).toEqual({ status: "ok" });
        }

        // A Host that is not host[:port]: Deno built the URL from it (the path became /v1/usage or
        // /health), Bun took the path minus its first segment. Node refuses it with its own bare 400;
        // Deno and Bun now with a JSON one, before the app sees the request.
        for (const [line, host] of [
          ["GET /health HTTP/1.1", "host: x/v1/usage?"],
          ["GET /v1/chat/completions HTTP/1.1", "host: x/health#"],
          ["GET /health HTTP/1.1", "host: user@evil"],
          ["GET /health HTTP/1.1", "host: a b"],
          ["GET /health HTTP/1.1", "host: %zz"],
          ["GET /health HTTP/1.1", "host: x:99999"],
          ["GET /health HTTP/1.1", "host: [::1"],
        ] as const) {
          const answer = await rawRequest(server.url, requestText(line, host));
          expect(answer.status, `${line}, ${host}: ${answer.head}\n${answer.body}`).toBe(400);
          if (name.startsWith("Node")) continue;
          expect(JSON.parse(answer.body), host).toEqual({
            error: {
              message:
                "The request's Host header is not a valid host[:port] (a name or an address, an IPv6 address in brackets; no path, user or spaces).",
              type: "invalid_request_error",
              param: null,
              code: "invalid_host",
            },
          });
        }
        expect(server.output()).not.toContain('"path":"/v1/usage"');
        expect(server.output()).not.toContain("evil");
      } finally {
        await server.stop();
      }
    },
  );
});

describe("a body with a transfer coding other than chunked, in other runtimes (http50 #5)", () => {
  let served: RuntimeEmulator;
  beforeAll(async () => {
    served = await startRuntimeEmulator();
  });
  afterAll(() => served?.close());

  // Bun resets such a connection itself (no answer); Node and Deno undo the chunking only and hand
  // the proxy the gzip bytes.
  it.concurrent.each(RUNTIMES.filter(({ name }) => !name.startsWith("Bun")))(
    "$name: Transfer-Encoding: gzip, chunked is a 415 unsupported_content_encoding, not a 400 invalid_json",
    async ({ command, args }) => {
      const server = await startServerProcess(command, args, proxyEnv(served.url));
      try {
        const json = JSON.stringify({ model: "llama-demo", messages: [{ role: "user", content: "Hello" }] });
        const gzipped = gzipSync(json);
        const chunked = Buffer.concat([
          Buffer.from(`${gzipped.byteLength.toString(16)}\r\n`),
          gzipped,
          Buffer.from("\r\n0\r\n\r\n"),
        ]);
        const answer = await rawRequest(
          server.url,
          Buffer.concat([
            Buffer.from(
              requestText(
                "POST /v1/chat/completions HTTP/1.1",
                "host: localhost",
                `authorization: Bearer ${KEY}`,
                "content-type: application/json",
                "transfer-encoding: gzip, chunked",
              ),
            ),
            chunked,
          ]),
        );
        expect(answer.status, `${answer.head}\n${answer.body}`).toBe(415);
        expect(JSON.parse(answer.body)).toMatchObject({ error: { code: "unsupported_content_encoding" } });
      } finally {
        await server.stop();
      }
    },
  );
});

describe("Deno out of file descriptors (http50 #1)", () => {
  let served: RuntimeEmulator;
  beforeAll(async () => {
    served = await startRuntimeEmulator();
  });
  afterAll(() => served?.close());

  it("the Deno proxy, its fd limit 200 taken by idle connections it never closes, answers again once they close", async () => {
    const deno = RUNTIMES.find(({ name }) => name.startsWith("Deno"))!;
    // A soft limit lowered for this server only, in the shell that starts it.
    const server = await startServerProcess(
      "bash",
      ["-c", 'ulimit -n 200 && exec "$0" "$@"', deno.command, ...deno.args],
      proxyEnv(served.url),
    );
    const { hostname, port } = new URL(server.url);
    const sockets: Socket[] = [];
    // A keep-alive connection accepted before the stop, which Deno goes on serving after it: its
    // requests must not say the proxy serves again while no new connection can be accepted
    // (codereview50 #9).
    const kept = connect({ host: hostname, port: Number(port) });
    kept.on("error", () => undefined);
    const askKept = () =>
      new Promise<string>((resolve) => {
        let text = "";
        const read = (chunk: Buffer) => {
          text += chunk.toString("latin1");
          if (/\r\n\r\n[\s\S]*\}/.test(text)) {
            kept.off("data", read);
            resolve(text.split("\r\n")[0] ?? "");
          }
        };
        kept.on("data", read);
        kept.write("GET /health HTTP/1.1\r\nhost: x\r\n\r\n");
      });
    try {
      expect(await askKept()).toBe("HTTP/1.1 200 OK");
      // 250 connections that send nothing: Deno keeps each, and accepting fails with EMFILE, which
      // stopped Deno.serve for good and ended the process.
      for (let i = 0; i < 250; i++) {
        const socket = connect({ host: hostname, port: Number(port) });
        socket.on("error", () => undefined);
        sockets.push(socket);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await eventually(() => server.output().includes("stopped serving"), 5000, "the stopped-serving line");
      expect(server.output()).toContain(
        "bedrock-edge proxy stopped serving (Error: Too many open files (os error 24)): trying again every 1000 ms",
      );
      expect(await askKept()).toBe("HTTP/1.1 200 OK");
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(server.output()).not.toContain("serving again");
      expect(server.output().split("stopped serving").length).toBe(2);
      for (const socket of sockets) socket.destroy();
      let status: number | string = "none";
      for (const deadline = Date.now() + 10_000; status !== 200 && Date.now() < deadline; ) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        status = await fetch(`${server.url}/health`, { signal: AbortSignal.timeout(2000) }).then(
          (response) => response.status,
          (error: Error) => `${error.name}: ${String((error.cause as Error | undefined)?.message ?? error.message)}`,
        );
      }
      expect(status, server.output()).toBe(200);
      // Its line is written to stderr, which may come after the answer.
      await eventually(() => server.output().includes("serving again"), 10_000, "the serving-again line");
      expect(server.output()).toMatch(/bedrock-edge proxy serving again, \d+ ms after it stopped/);
    } finally {
      kept.destroy();
      for (const socket of sockets) socket.destroy();
      await server.stop();
    }
  });
});
