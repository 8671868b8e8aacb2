// The proxy app (createApp() from worker/mod.ts) served by Deno.serve, Bun.serve and Node's
// @hono/node-server, through the runnable entry files users get (examples/proxy/*.ts), each
// answering a streamed completion from the emulator, signed for real.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EMULATOR_CREDENTIALS } from "../../../emulator/credentials.ts";
import { emulatorModelId } from "../../../emulator/model-id.ts";
import { localBin } from "../child-process.ts";
import { startRuntimeEmulator, type RuntimeEmulator } from "../emulator-server.ts";
import { startServerProcess } from "../server-process.ts";

const KEY = "sk-runtime-test";

const RUNTIMES: Array<{ name: string; command: string; args: string[] }> = [
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
  },
  { name: "Bun (Bun.serve)", command: localBin("bun"), args: ["examples/proxy/bun.ts"] },
  { name: "Node (@hono/node-server)", command: process.execPath, args: ["--import", "tsx", "examples/proxy/node.ts"] },
];

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
        for (const deadline = Date.now() + 2000; !server.output().includes(id) && Date.now() < deadline; ) {
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        expect(server.output()).toContain(`"error":"${error.message}"`);
        expect(server.output()).not.toContain("hunter2");
      } finally {
        await server.stop();
      }
    },
  );
});
