/// <reference types="node" />
// The docs' library examples (README.md's and docs/LIBRARY-REFERENCE.md's), run as a reader would
// run them: copied from the page into a file of their own, against the emulator as `npm run
// emulator` serves it (here on a free port), through the package's name (here mapped to this
// checkout's sources). Each test says what else it had to put in.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EMULATOR_CREDENTIALS } from "../emulator/credentials.ts";
import { serveEmulator, type ServedEmulator } from "../emulator/node.ts";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { serve, type ServerType } from "@hono/node-server";
import { DEFAULT_HOST, DEFAULT_PORT, DEV_KEY, demoModels, emulatorBindings } from "../scripts/dev-env.ts";
import { createApp } from "../worker/app.ts";
import { recordOutput } from "./helpers/output-log.ts";
import { readmeSnippet } from "./helpers/readme.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
/** Where `npm run emulator` listens unless told otherwise (emulator/cli.ts). */
const EMULATOR_DEFAULT_URL = "http://127.0.0.1:4010";

// One emulator and one scratch folder for every example.
let served: ServedEmulator;
let dir: string;
beforeAll(async () => {
  served = await serveEmulator({ port: 0 });
  dir = mkdtempSync(join(tmpdir(), "bedrock-edge-readme-"));
});
afterAll(async () => {
  await served?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/**
 * Runs `code` as a program of its own in the scratch folder, as `npx tsx <name>.mts` would, or a
 * `js` block as `node <name>.mjs` does.
 */
async function runScratch(name: string, code: string, lang = "ts"): Promise<{ stdout: string; stderr: string }> {
  const file = join(dir, lang === "js" ? `${name}.mjs` : `${name}.mts`);
  writeFileSync(file, code);
  const args = lang === "js" ? [file] : ["--import", "tsx", file];
  return promisify(execFile)(process.execPath, args, { cwd: ROOT, timeout: 15_000 });
}

/** A library snippet with only the emulator's address and the package's path put in. */
function librarySnippet(name: string): string {
  return readmeSnippet(name)
    .code.replace(`"${EMULATOR_DEFAULT_URL}"`, `"${served.url}"`)
    .replace(`from "bedrock-edge"`, `from "${join(ROOT, "src/index.ts")}"`);
}

/**
 * `npm start`'s bindings in emulator mode, as the Worker gets them, but its named keys (API_KEYS),
 * whose limits need wrangler.toml's rate limiter and Durable Object, which Node has not.
 */
function npmStartBindings(): Record<string, string> {
  const { API_KEYS: _namedKeys, ...bindings } = emulatorBindings(served.url);
  return bindings;
}

/** The model names `npm start` serves, the failover demo's included. */
function npmStartModels(): string[] {
  return Object.keys(JSON.parse(npmStartBindings().MODELS ?? "{}"));
}

/** A proxy of `npm start`'s `demo` model alone, with the dev key. */
function oneDemo(demo: string): Record<string, string> {
  return {
    MODELS: JSON.stringify({ [demo]: demoModels()[demo] }),
    PROXY_API_KEYS: DEV_KEY,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
    BEDROCK_ENDPOINT: served.url,
  };
}

/**
 * Runs an openai snippet against the proxy serving `npm start`'s `demo` model (without one, all of
 * `npm start`'s bindings) on the emulator, with only the proxy's address put in (the scratch folder
 * has no node_modules: the package is named by its path in this checkout).
 */
async function runOpenAISnippet(name: string, demo?: string): Promise<{ stdout: string; stderr: string }> {
  const app = createApp({ env: demo === undefined ? npmStartBindings() : oneDemo(demo), log: () => undefined });
  const server = await new Promise<ServerType>((resolve) => {
    const started: ServerType = serve(
      // overrideGlobalObjects: false keeps this process's Request and Response (the other files of
      // the node project run in it after this one: test/helpers/shared-process.ts).
      { fetch: (request) => app.fetch(request), port: 0, hostname: "127.0.0.1", overrideGlobalObjects: false },
      () => resolve(started),
    );
  });
  try {
    const { port } = server.address() as AddressInfo;
    const snippet = readmeSnippet(name);
    const code = snippet.code
      .replace("http://127.0.0.1:8787", `http://127.0.0.1:${port}`)
      .replace(`from "openai"`, `from "${createRequire(import.meta.url).resolve("openai")}"`);
    return await runScratch(name, code, snippet.lang);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

describe("the README's Quick start", () => {
  it("calls the proxy at npm start's address, with its dev key and models", () => {
    const { lang, code } = readmeSnippet("quick-start-openai");
    expect(lang).toBe("js");
    expect(code).toContain(`baseURL: "http://${DEFAULT_HOST}:${DEFAULT_PORT}/v1"`);
    expect(code).toContain(`apiKey: "${DEV_KEY}"`);
    const named = [...code.matchAll(/model: "([^"]+)"/g)].map((match) => match[1]);
    expect(named.length).toBeGreaterThan(0);
    expect(named.filter((model) => !npmStartModels().includes(model!))).toEqual([]);
  });

  it("the openai client's runs with node against the proxy as npm start serves it: plain, streamed, a tool call and its answer, Responses", async () => {
    const { stdout, stderr } = await runOpenAISnippet("quick-start-openai");
    recordOutput(stdout + stderr);
    expect(stderr).toBe("");
    const lines = stdout.split("\n");
    // The reasoning, then the answer, of demo-deepseek-r1.
    expect(lines[0]).toMatch(/^Okay, the user/);
    expect(lines[1]).toMatch(/^Hello from the Bedrock emulator \(r1\)/);
    // demo-llama streamed, then its usage chunk.
    expect(lines[2]).toMatch(/^Hello from the Bedrock emulator \(llama\)/);
    expect(stdout).toMatch(/prompt_tokens: \d+,\s+completion_tokens: \d+/);
    // The tool call, its answer once the result is sent back, and the Responses API's text.
    const call = lines.findIndex((line) => line.startsWith("get_weather "));
    expect(JSON.parse(lines[call]!.slice("get_weather ".length))).toEqual({ city: expect.any(String) });
    expect(lines[call + 1]).toMatch(/the tool answered/);
    expect(lines[call + 2]).toMatch(/^Hello from the Bedrock emulator \(qwen3\)/);
    expect(lines.slice(call + 3).join("")).toBe("");
  });

  it("the library's runs as written against the emulator npm start serves", async () => {
    const { code } = readmeSnippet("quick-start-library");
    expect(code).toContain(`endpoint: "${EMULATOR_DEFAULT_URL}"`);
    const { stdout, stderr } = await runScratch("quick-start-library", librarySnippet("quick-start-library"));
    expect(stderr).toBe("");
    expect(stdout.trim()).toMatch(/^Hello from the Bedrock emulator \(qwen3\)/);
  });
});

describe("the README's first library example", () => {
  it("names the emulator's address and its own test credentials", () => {
    const { lang, code } = readmeSnippet("first-library");
    expect(lang).toBe("ts");
    expect(code).toContain(`endpoint: "${EMULATOR_DEFAULT_URL}"`);
    expect(code).toContain(`accessKeyId: "${EMULATOR_CREDENTIALS.accessKeyId}"`);
    expect(code).toContain(`secretAccessKey: "${EMULATOR_CREDENTIALS.secretAccessKey}"`);
  });

  it("runs as written: the reasoning, the answer, then the streamed answer", async () => {
    const { stdout, stderr } = await runScratch("first-library", librarySnippet("first-library"));
    recordOutput(stdout + stderr);
    const answer = "Hello from the Bedrock emulator (r1). Your prompt had";
    const [reasoning, content, streamed] = stdout.split("\n");
    expect(reasoning).toMatch(/^Okay, the user/);
    expect(content).toContain(answer);
    expect(streamed).toContain(answer);
    expect(stderr).toBe("");
  });
});

describe("the library reference's example of several deployments of one model", () => {
  it("builds its client and calls a copy, with only the emulator's ids and address put in", async () => {
    // The snippet's free names, as a reader's program around it would give them; its ARNs become
    // the emulator's (same regions and accounts, the qwen3 format), and the client its endpoint.
    const { code } = readmeSnippet("deployments");
    const arns = code.match(/arn:aws:bedrock:[^"]+/g) ?? [];
    expect(arns).toHaveLength(2);
    let body = code.replace("createBedrock({\n", `createBedrock({\n  endpoint: "${served.url}",\n`);
    for (const arn of arns) body = body.replace(arn, arn.replace(/imported-model\/.+$/, "imported-model/qwen3"));
    const program = [
      `import { createBedrock } from "${join(ROOT, "src/index.ts")}";`,
      `const credentials = ${JSON.stringify(EMULATOR_CREDENTIALS)};`,
      "const westCredentials = credentials;",
      'const messages = [{ role: "user" as const, content: "Hello" }];',
      body,
    ].join("\n");
    const { stdout, stderr } = await runScratch("deployments", program);
    expect(stderr).toBe("");
    expect(stdout.trim()).toMatch(/^deployment [01], try 1$/);
  });
});

describe("the library reference's converse example", () => {
  it("builds its client and calls each of its models, the ARN in its own region, with only the emulator's address put in", async () => {
    // The snippet's free name, as a reader's program around it would give it; the client gets the
    // emulator's endpoint. The emulator serves these ids as they are, and refuses a call signed for
    // another region than an ARN's: `team` answering proves it ran in eu-west-1.
    const { code } = readmeSnippet("converse");
    const body = code.replace("createBedrock({\n", `createBedrock({\n  endpoint: "${served.url}",\n`);
    expect(body).not.toBe(code);
    const program = [
      `import { createBedrock } from "${join(ROOT, "src/index.ts")}";`,
      `const credentials = ${JSON.stringify(EMULATOR_CREDENTIALS)};`,
      body,
      'for (const model of ["claude", "nova", "team"]) {',
      '  const completion = await bedrock.chat.completions.create({ model, messages: [{ role: "user", content: "Hello" }] });',
      "  console.log(`${model}: ${completion.choices[0]?.message.content}`);",
      "}",
    ].join("\n");
    const { stdout, stderr } = await runScratch("converse", program);
    expect(stderr).toBe("");
    expect(stdout.trim().split("\n")).toEqual([
      expect.stringMatching(/^claude: Hello from the Bedrock emulator \(us\.anthropic\.claude-sonnet-4/),
      expect.stringMatching(/^nova: Hello from the Bedrock emulator \(amazon\.nova-pro-v1:0\)/),
      expect.stringMatching(/^team: Hello from the Bedrock emulator \(arn:aws:bedrock:eu-west-1:/),
    ]);
  });
});

describe("the library reference's embeddings examples", () => {
  it("the library's runs as written against the emulator: two vectors of 256 and their tokens", async () => {
    const { stdout, stderr } = await runScratch("embeddings-library", librarySnippet("embeddings-library"));
    expect(stderr).toBe("");
    // "The sky is blue." and "Grass is green.": 16 and 15 characters, 4 tokens each in the emulator.
    expect(stdout.trim()).toBe("2 256 8");
  });

  it("the openai client's runs against the proxy serving npm start's demo-embed, only its address put in", async () => {
    const { stdout, stderr } = await runOpenAISnippet("embeddings-openai", "demo-embed");
    expect(stderr).toBe("");
    expect(stdout.trim()).toBe("2 1024 8");
  });
});

describe("the library reference's images examples", () => {
  it("the library's runs as written against the emulator: two PNGs", async () => {
    const { stdout, stderr } = await runScratch("images-library", librarySnippet("images-library"));
    expect(stderr).toBe("");
    // A PNG's signature, base64-encoded, begins iVBORw0K.
    expect(stdout.trim()).toBe("2 iVBORw0K");
  });

  it("the openai client's runs against the proxy serving npm start's demo-image, only its address put in", async () => {
    const { stdout, stderr } = await runOpenAISnippet("images-openai", "demo-image");
    expect(stderr).toBe("");
    expect(stdout.trim()).toBe("1 iVBORw0K");
  });

  it("the library's edit runs as written against the emulator, with examples/images' picture and mask", async () => {
    const { stdout, stderr } = await runScratch("images-edit-library", librarySnippet("images-edit-library"));
    expect(stderr).toBe("");
    expect(stdout.trim()).toBe("1 iVBORw0K");
  });

  it("the library's edit on Stability's Stable Image Inpaint runs as written against the emulator: two PNGs", async () => {
    const { stdout, stderr } = await runScratch(
      "images-edit-stability-library",
      librarySnippet("images-edit-stability-library"),
    );
    expect(stderr).toBe("");
    expect(stdout.trim()).toBe("2 iVBORw0K");
  });

  it("the openai client's edit runs against the proxy serving demo-image: a multipart body with toFile", async () => {
    const { stdout, stderr } = await runOpenAISnippet("images-edit-openai", "demo-image");
    expect(stderr).toBe("");
    expect(stdout.trim()).toBe("1 iVBORw0K");
  });

  it("the openai client's variation runs against the proxy serving demo-image", async () => {
    const { stdout, stderr } = await runOpenAISnippet("images-variation-openai", "demo-image");
    expect(stderr).toBe("");
    expect(stdout.trim()).toBe("1 iVBORw0K");
  });
});
