/// <reference types="node" />
// `npm start`: the pure decisions (scripts/dev-env.ts), then the real thing: scripts/start.ts
// with wrangler dev and the emulator on free loopback ports, curled, then stopped.
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import OpenAI from "openai";
import { afterAll, describe, expect, it } from "vitest";
import { parseModels, routes } from "../../src/core.ts";
import {
  bannerText,
  chooseMode,
  demoModels,
  DEV_KEY,
  emulatorBindings,
  envFileText,
  parseDotenv,
  wranglerArgs,
} from "../../scripts/dev-env.ts";
import { eventually, USER_HELLO } from "./harness.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

describe("npm start decides", () => {
  it("the emulator when no credentials exist anywhere", () => {
    expect(chooseMode(undefined, {})).toEqual({ kind: "emulator" });
    expect(chooseMode({ PROXY_API_KEYS: "k" }, { AWS_REGION: "us-east-1" })).toEqual({ kind: "emulator" });
    expect(chooseMode({ AWS_ACCESS_KEY_ID: " " }, { AWS_BEARER_TOKEN_BEDROCK: "" })).toEqual({ kind: "emulator" });
  });

  it("plain wrangler dev when .dev.vars holds credentials (SigV4 or a Bedrock API key)", () => {
    expect(chooseMode({ AWS_ACCESS_KEY_ID: "AKIA1", AWS_SECRET_ACCESS_KEY: "s" }, {})).toEqual({ kind: "dev-vars" });
    expect(chooseMode({ AWS_BEARER_TOKEN_BEDROCK: "ABSK1" }, { AWS_ACCESS_KEY_ID: "AKIA2" })).toEqual({
      kind: "dev-vars",
    });
  });

  it("the shell's credentials, and only the proxy's bindings of the shell, when .dev.vars has none", () => {
    const mode = chooseMode(
      { MODELS: "{}" },
      { AWS_ACCESS_KEY_ID: "AKIA3", AWS_SECRET_ACCESS_KEY: "s3", HOME: "/root", PATH: "/bin" },
    );
    expect(mode).toEqual({ kind: "shell", vars: { AWS_ACCESS_KEY_ID: "AKIA3", AWS_SECRET_ACCESS_KEY: "s3" } });
  });

  it("one valid demo model per route, all pointing at the emulator", () => {
    const models = parseModels(demoModels(), "MODELS");
    // Every route of the registry, in its order: demo-deepseek-r1, demo-llama, … demo-openai.
    const names = Object.keys(routes);
    expect(names.slice(0, 5)).toEqual(["deepseek_r1", "llama", "qwen3", "qwen2", "openai"]);
    expect(Object.keys(models)).toEqual(names.map((route) => `demo-${route.replaceAll("_", "-")}`));
    expect(Object.values(models).map((entry) => entry.model.split("/")[1])).toEqual(names);
    const bindings = emulatorBindings("http://127.0.0.1:4010");
    expect(bindings.PROXY_API_KEYS).toBe(DEV_KEY);
    expect(bindings.BEDROCK_ENDPOINT).toBe("http://127.0.0.1:4010");
  });

  it("an env file that reads back the same (JSON intact), refusing what dotenv would mangle", () => {
    const vars = emulatorBindings("http://127.0.0.1:4010");
    expect(parseDotenv(envFileText(vars))).toEqual(vars);
    expect(() => envFileText({ A: "it's" })).toThrow(/A holds/);
    expect(() => envFileText({ B: "$HOME" })).toThrow(/B holds/);
    expect(parseDotenv('# c\nexport A=1 # note\nB="x y"\nC=\'{"k": 1}\'\nnot a line\n')).toEqual({
      A: "1",
      B: "x y",
      C: '{"k": 1}',
    });
  });

  it("wrangler dev local on loopback, env files in order", () => {
    expect(wranglerArgs("127.0.0.1", 8787, ["a.env", "b.env"])).toEqual([
      "dev",
      "--local",
      "--ip",
      "127.0.0.1",
      "--port",
      "8787",
      "--show-interactive-dev-session=false",
      "--env-file",
      "a.env",
      "--env-file",
      "b.env",
    ]);
  });

  it("a banner with the URL, the dev key, the models and curl examples", () => {
    const text = bannerText({
      url: "http://127.0.0.1:8787",
      upstream: "emulator",
      key: DEV_KEY,
      keySource: "the emulator's dev key",
      models: ["demo-llama", "demo-qwen2"],
    });
    expect(text).toContain("http://127.0.0.1:8787/v1");
    expect(text).toContain("API key          sk-local-dev  (the emulator's dev key)");
    expect(text).toContain("demo-llama, demo-qwen2");
    expect(text).toContain(`curl http://127.0.0.1:8787/v1/chat/completions -H "Authorization: Bearer sk-local-dev"`);
    expect(bannerText({ url: "u", upstream: "x", key: undefined, keySource: ".dev.vars", models: [] })).toMatch(
      /set PROXY_API_KEYS/,
    );
  });

  it("a banner that never prints a real key: its last 4 characters and where it comes from", () => {
    const key = "sk-team-7f3a9c21e0b4d8aa";
    const text = bannerText({
      url: "http://127.0.0.1:8787",
      upstream: "Amazon Bedrock",
      key,
      keySource: "PROXY_API_KEYS in .dev.vars",
      models: ["m"],
    });
    expect(text).not.toContain(key);
    expect(text).not.toContain("7f3a9c21");
    expect(text).toContain("API key          sk-…d8aa  (PROXY_API_KEYS in .dev.vars)");
    expect(text).toContain(`-H "Authorization: Bearer <your key>"`);
    // A short key keeps even its tail to itself.
    expect(bannerText({ url: "u", upstream: "x", key: "abc123", keySource: "s", models: [] })).not.toContain("123");
  });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address !== "object") throw new Error("no port");
  return address.port;
}

/** The environment of a clean shell: no AWS or Cloudflare settings leak into the run. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(AWS_|CLOUDFLARE_|WRANGLER_|MODELS$|PROXY_API_KEYS$|BEDROCK_)/.test(name)) env[name] = value;
  }
  return { ...env, ...extra };
}

/** A JSON body of `bytes` bytes sent in pieces, with no Content-Length (chunked). */
function oversized(bytes: number): ReadableStream<Uint8Array> {
  const piece = new TextEncoder().encode("x".repeat(64 * 1024));
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent === 0) controller.enqueue(new TextEncoder().encode('{"model":"demo-llama","x":"'));
      if (sent >= bytes) return controller.close();
      controller.enqueue(piece);
      sent += piece.length;
    },
  });
}

let started: ChildProcess | undefined;
afterAll(() => {
  if (started && started.exitCode === null) started.kill("SIGKILL");
});

describe("npm start, for real", () => {
  it("serves the demo models from wrangler dev + the emulator, and stops both on a signal", {
    timeout: 60_000,
  }, async () => {
    const [port, emulatorPort] = [await freePort(), await freePort()];
    let output = "";
    started = spawn(process.execPath, [`${ROOT}node_modules/tsx/dist/cli.mjs`, "scripts/start.ts", "--emulator"], {
      cwd: ROOT,
      env: cleanEnv({ PORT: String(port), EMULATOR_PORT: String(emulatorPort) }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    started.stdout!.on("data", (data: Buffer) => (output += data.toString()));
    started.stderr!.on("data", (data: Buffer) => (output += data.toString()));
    await eventually(
      () => output.includes("Ctrl-C stops everything."),
      45_000,
      `the banner; output so far:\n${output}`,
    );

    const url = `http://127.0.0.1:${port}`;
    expect(output).toContain(`bedrock-edge proxy ready on ${url}`);
    expect(output).toContain("API key          sk-local-dev");
    expect(output).toContain("demo-deepseek-r1, demo-llama, demo-qwen3, demo-qwen2, demo-openai");

    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: DEV_KEY, maxRetries: 0 });
    const completion = await client.chat.completions.create({ model: "demo-qwen2", messages: USER_HELLO });
    expect(completion.choices[0]!.message.content).toContain("Hello from the Bedrock emulator (qwen2)");
    const stream = await client.chat.completions.create({
      model: "demo-deepseek-r1",
      messages: USER_HELLO,
      stream: true,
    });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    expect(text).toContain("Hello from the Bedrock emulator (r1)");
    expect((await client.models.list()).data.map((model) => model.id)).toContain("demo-openai");

    // A body over the limit without Content-Length: wrangler dev answered the next request on the
    // connection with "Your worker restarted mid-request" until the proxy drained the rest.
    for (let round = 0; round < 3; round++) {
      const tooLarge = await fetch(`${url}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${DEV_KEY}`, "content-type": "application/json" },
        body: oversized(6 * 1024 * 1024),
        duplex: "half",
      } as RequestInit);
      expect(tooLarge.status).toBe(413);
      await tooLarge.text();
      const next = await client.chat.completions.create({ model: "demo-llama", messages: USER_HELLO });
      expect(next.choices[0]!.message.content).toContain("Hello from the Bedrock emulator (llama)");
    }

    const exited = new Promise<number | null>((resolve) => started!.once("exit", (code) => resolve(code)));
    started.kill("SIGINT");
    expect(await exited).toBe(0);
    for (const open of [url, `http://127.0.0.1:${emulatorPort}`]) {
      await expect(fetch(open, { signal: AbortSignal.timeout(1000) })).rejects.toThrow();
    }
  });
});
