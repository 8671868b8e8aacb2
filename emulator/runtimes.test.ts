// The same fetch handler in other runtimes: bundled for workerd with browser conditions (no
// node:* anywhere in the bundle) and run in Miniflare; and run by Deno straight from source.

import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EMULATOR_CREDENTIALS } from "./credentials.ts";
import { emulatorModelId } from "./model-id.ts";
import { chunksOf, readEvents, signedRequest } from "./testing.ts";

const folder = fileURLToPath(new URL(".", import.meta.url));
const root = fileURLToPath(new URL("..", import.meta.url));

describe("workerd (Miniflare)", () => {
  let miniflare: Miniflare;
  let url: string;

  beforeAll(async () => {
    const bundle = await build({
      stdin: {
        contents:
          'import { createEmulator } from "./handler.ts"; const emulator = createEmulator(); export default { fetch: (request) => emulator.fetch(request) };',
        resolveDir: folder,
        loader: "ts",
      },
      bundle: true,
      format: "esm",
      platform: "browser",
      conditions: ["workerd", "worker", "browser"],
      write: false,
      logLevel: "silent",
    });
    const script = bundle.outputFiles[0]?.text ?? "";
    expect(script).not.toMatch(/["']node:/);
    miniflare = new Miniflare({ modules: true, script, compatibilityDate: "2025-01-01" });
    url = String(await miniflare.ready).replace(/\/$/, "");
  });

  afterAll(async () => {
    await miniflare?.dispose();
  });

  it("verifies signatures and streams frames", async () => {
    const invoke = await fetch(await signedRequest(url, emulatorModelId("r1"), { prompt: "Hi" }));
    expect(invoke.status).toBe(200);
    expect((await invoke.json()).generation).toContain("</think>");
    const stream = await fetch(
      await signedRequest(
        url,
        emulatorModelId("openai", ["think"]),
        { model: "m", messages: [{ role: "user", content: "hi" }] },
        { stream: true },
      ),
    );
    expect(chunksOf(await readEvents(stream.body)).length).toBeGreaterThan(10);
    const credentials = { ...EMULATOR_CREDENTIALS, secretAccessKey: "x".repeat(40) };
    const refused = await fetch(await signedRequest(url, emulatorModelId("r1"), { prompt: "Hi" }, { credentials }));
    expect(refused.status).toBe(403);
    expect(refused.headers.get("x-amzn-ErrorType")).toMatch(/^InvalidSignatureException:/);
  });
});

describe("Deno", () => {
  it("runs the handler from source", async () => {
    const script = `
      import { createEmulator } from "./emulator/handler.ts";
      import { emulatorModelId } from "./emulator/model-id.ts";
      import { chunksOf, readEvents, signedRequest } from "./emulator/testing.ts";
      const emulator = createEmulator();
      const response = await emulator.fetch(await signedRequest("http://emulator.test", emulatorModelId("qwen3"), { prompt: "Hi" }, { stream: true }));
      console.log(JSON.stringify({ status: response.status, chunks: chunksOf(await readEvents(response.body)).length }));
    `;
    const { stdout } = await promisify(execFile)(
      `${root}node_modules/.bin/deno`,
      ["eval", "--node-modules-dir=manual", "--ext=ts", script],
      { cwd: root },
    );
    const result: unknown = JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}");
    expect(result).toMatchObject({ status: 200, chunks: expect.any(Number) });
  });
});
