// What a caller loads: the library bundled with code splitting (as browsers' and Workers'
// bundlers split it) keeps each route's templates and answer rules, the request schema and the
// stream reader out of the code loaded first, and a call on one route loads no other route's.
import { build, type Metafile } from "esbuild";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
let metafile: Metafile;

beforeAll(async () => {
  const result = await build({
    entryPoints: ["src/index.ts"],
    absWorkingDir: ROOT,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "neutral",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["browser", "module", "main"],
    outdir: "out",
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  metafile = result.metafile;
}, 30_000);

/** The source files in `chunk` and every chunk it imports statically (what loading it loads). */
function loadedWith(chunk: string): string[] {
  const seen = new Set<string>();
  const pending = [chunk];
  while (pending.length) {
    const path = pending.pop()!;
    if (seen.has(path)) continue;
    seen.add(path);
    for (const imported of metafile.outputs[path]!.imports) {
      if (imported.kind === "import-statement") pending.push(imported.path);
    }
  }
  return [...seen].flatMap((path) => Object.keys(metafile.outputs[path]!.inputs));
}

/** The chunk a module was split into, for a dynamic import of it. */
function chunkOf(module: string): string {
  const found = Object.entries(metafile.outputs).find(([, output]) => output.entryPoint === module)?.[0];
  if (!found) throw new Error(`no chunk for ${module}`);
  return found;
}

// What the client knows of routes before loading one: their names, operations and settings (the
// names a setting may take among them, the foundation_model checks the table's entries get, the
// image families' ids the image route's entries are checked against), and Bedrock's refusal of a
// body format explained.
const ROUTE_CODE =
  /^src\/routes\/(?!index\.ts|route-info\.ts|foundation-model\.ts|types\.ts|usage\.ts|converse\/model-family\.ts|setting-names\.ts|tool-parser-names\.ts|image-family-ids\.ts|wire-formats\/refusal\.ts)/;

describe("the code loaded first", () => {
  it("has the client and the checks of its options and table, no transport, route, schema or stream reader", () => {
    const first = loadedWith(chunkOf("src/index.ts"));
    expect(first).toContain("src/client.ts");
    expect(first).toContain("src/aws/transport-options.ts");
    expect(first).toContain("src/model.ts");
    for (const transport of ["src/model-call.ts", "src/aws/invoke.ts", "src/aws/attempt.ts", "src/aws/sign.ts"]) {
      expect(first).not.toContain(transport);
    }
    expect(first.filter((file) => ROUTE_CODE.test(file))).toEqual([]);
    expect(first).not.toContain("src/openai/schema.ts");
    expect(first).not.toContain("src/completion-stream.ts");
    expect(first).not.toContain("src/stream-reader.ts");
    expect(first).not.toContain("src/eventstream/decode.ts");
    expect(first.filter((file) => file.includes("@huggingface/jinja"))).toEqual([]);
  });
});

describe("what the first call loads", () => {
  it("loads the transport: the call, its retries' loop, the attempt and the signing step", () => {
    const transport = loadedWith(chunkOf("src/model-call.ts"));
    for (const module of [
      "src/model-call.ts",
      "src/aws/invoke.ts",
      "src/aws/send-with-retries.ts",
      "src/aws/attempt.ts",
      "src/aws/sign.ts",
    ]) {
      expect(transport).toContain(module);
    }
  });
});

describe("what only some callers need", () => {
  it("loads images (their request schema and families) with the first image generation", () => {
    const first = loadedWith(chunkOf("src/index.ts"));
    expect(first.filter((file) => file.startsWith("src/images/"))).toEqual([]);
    const images = loadedWith(chunkOf("src/images/client.ts"));
    for (const module of ["client", "request", "families"]) expect(images).toContain(`src/images/${module}.ts`);
  });

  it("loads the router, its cool-downs and in-flight counts with the first model of several deployments", () => {
    const first = loadedWith(chunkOf("src/index.ts"));
    expect(first.filter((file) => file.startsWith("src/routing/"))).toEqual([]);
    const routing = loadedWith(chunkOf("src/routing/serve.ts"));
    for (const module of ["router", "order", "cooldowns", "in-flight", "failover"]) {
      expect(routing).toContain(`src/routing/${module}.ts`);
    }
  });

  it("loads the model caps with the first model that sets one, and the SigV4 signer with the first signed call", () => {
    const first = loadedWith(chunkOf("src/index.ts"));
    expect(first).not.toContain("src/model-caps.ts");
    expect(loadedWith(chunkOf("src/model-caps.ts"))).toContain("src/model-caps.ts");
    // A Bedrock API key needs no signature: aws4fetch is loaded by the first call signed with credentials.
    expect(first.filter((file) => file.includes("node_modules/aws4fetch/"))).toEqual([]);
    expect(
      loadedWith(chunkOf("src/aws/sigv4.ts")).filter((file) => file.includes("node_modules/aws4fetch/")),
    ).not.toEqual([]);
  });

  it("loads the retry rules with a call's first failure, and the stream's reader and watchdog with the first stream", () => {
    const first = loadedWith(chunkOf("src/index.ts"));
    for (const module of ["src/aws/retry.ts", "src/aws/guarded-reader.ts"]) {
      expect(first).not.toContain(module);
      expect(loadedWith(chunkOf(module))).toContain(module);
    }
  });
});

describe("a call on one route", () => {
  it("loads that route's template, not the others'", () => {
    const first = new Set(loadedWith(chunkOf("src/index.ts")));
    const added = (module: string) => loadedWith(chunkOf(module)).filter((file) => !first.has(file));
    const llama = added("src/routes/llama.ts");
    expect(llama).toContain("src/routes/prompts/llama3.ts");
    expect(llama.filter((file) => /prompts\/(qwen|deepseek-r1)\.ts$|converse\//.test(file))).toEqual([]);
    const qwen = added("src/routes/qwen.ts");
    expect(qwen).toContain("src/routes/prompts/qwen.ts");
    expect(qwen.filter((file) => /prompts\/(llama3|deepseek-r1)\.ts$|converse\//.test(file))).toEqual([]);
    const converse = added("src/routes/converse/index.ts");
    // No template at all (the tags it reads back are not templates).
    expect(converse.filter((file) => /src\/routes\/prompts\/(?!special-tokens|think-tags)/.test(file))).toEqual([]);
  });
});
