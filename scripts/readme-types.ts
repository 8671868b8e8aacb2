/// <reference types="node" />
// The docs' TypeScript samples, type-checked: every ```ts block of README.md and of the pages in
// docs/ (the reference it links to) becomes a module of its own and tsc checks them all, against
// this checkout's sources (`bedrock-edge` and its subpaths mapped to the entries' files) under the
// repository's own options (tsconfig.json: strict, noUncheckedIndexedAccess…), with Node's and the
// DOM's types as a reader's project has them. test/readme.test.ts runs a few blocks; none of that checks a type (tsx strips them).
// Those options leave exactOptionalPropertyTypes off, as src/ needs, so a sample is held to no
// stricter a reading than the code it calls.
//
// No block is skipped. What a block takes from outside it is declared in SAMPLE_CONTEXT: a
// fragment's names that the text around it gives (`bedrock`, `credentials`, `messages`…), and the
// little of Deno and Bun their blocks call. A block's own imports and declarations shadow those
// (they are globals, a block a module). Errors are reported at the pages' lines (README.md:88:13).
//
// `npm run typecheck` runs it (scripts/checks.ts); `tsx scripts/readme-types.ts` alone.
import { spawn } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { packageEntries } from "../test/helpers/package-entries.ts";
import { type DocPage, docTexts } from "../test/helpers/readme.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CACHE = join(ROOT, "node_modules/.cache/bedrock-edge");

/** A ```ts block: the page's line of its first line of code, and its code. */
export interface Sample {
  line: number;
  code: string;
}

/** Every ```ts block of a markdown text, in order. */
export function tsSamples(markdown: string, page = "README.md"): Sample[] {
  const lines = markdown.split("\n");
  const samples: Sample[] = [];
  for (let at = 0; at < lines.length; at++) {
    const fence = /^```(\S*)$/.exec(lines[at]!);
    if (!fence) continue;
    const end = lines.indexOf("```", at + 1);
    if (end < 0) throw new Error(`${page}:${at + 1}: a code block that never closes`);
    if (fence[1] === "ts") samples.push({ line: at + 2, code: lines.slice(at + 1, end).join("\n") });
    at = end;
  }
  return samples;
}

/**
 * What the docs' blocks take from outside themselves, as globals: a block is a module, so its
 * own import or declaration of a name wins. The fragments' names are those the text around them
 * gives; the options of createBedrock()'s reference block are typed as that option. Deno and Bun:
 * only what their blocks call, typed as those runtimes' own declarations type it.
 */
const SAMPLE_CONTEXT = `// The names the docs' fragments take from the text around them.
declare const createBedrock: typeof import("bedrock-edge").createBedrock;
declare const bedrock: import("bedrock-edge").Bedrock;
declare const credentials: import("bedrock-edge").AwsCredentials;
declare const westCredentials: import("bedrock-edge").AwsCredentials;
declare const messages: import("bedrock-edge").ChatMessageParam[];
declare const model: string;
// The bedrock-edge/core example's: "ARN: the imported model's; endpoint, credentials: as
// createBedrock() takes them; log: console.log".
declare const ARN: string;
declare const endpoint: string;
declare const log: (line: string) => void;
// createBedrock()'s options, each as its block passes it (fetch is the global one).
type Option<Name extends keyof import("bedrock-edge").BedrockOptions> = NonNullable<
  import("bedrock-edge").BedrockOptions[Name]
>;
declare const region: Option<"region">;
declare const apiKey: Option<"apiKey">;
declare const signingCrypto: Option<"signingCrypto">;
declare const maxRetries: Option<"maxRetries">;
declare const modelReadyTimeoutMs: Option<"modelReadyTimeoutMs">;
declare const timeoutMs: Option<"timeoutMs">;
declare const idleTimeoutMs: Option<"idleTimeoutMs">;
declare const retryBaseDelayMs: Option<"retryBaseDelayMs">;
declare const retryMaxDelayMs: Option<"retryMaxDelayMs">;
declare const models: Option<"models">;
declare const onlyListedModels: Option<"onlyListedModels">;
declare const dropParams: Option<"dropParams">;
declare const cooldownStore: Option<"cooldownStore">;
declare const cooldownMs: Option<"cooldownMs">;

// Deno's and Bun's globals, as far as the docs call them (their types: lib.deno.d.ts, bun-types).
declare namespace Deno {
  const env: { get(key: string): string | undefined; toObject(): { [key: string]: string } };
  const stdout: { write(bytes: Uint8Array): Promise<number> };
  function serve(
    options: { port?: number; hostname?: string },
    handler: (request: Request) => Response | Promise<Response>,
  ): unknown;
}
declare const Bun: {
  env: { [key: string]: string | undefined };
  serve(options: {
    port?: number;
    hostname?: string;
    idleTimeout?: number;
    fetch(request: Request): Response | Promise<Response>;
  }): unknown;
};
`;

/**
 * The file of a block: named by its page and line (docs/RUNTIMES.md's as docs__RUNTIMES-L12.ts),
 * its code as written, made a module.
 */
function sampleFileName(page: string, sample: Sample): string {
  return `${page.replace(/\.md$/, "").replaceAll("/", "__")}-L${sample.line}.ts`;
}

/** `bedrock-edge` and its subpaths, each to the source of its entry (package.json "exports"). */
function entryPaths(): Record<string, string[]> {
  return Object.fromEntries(packageEntries().map(({ specifier, source }) => [specifier, [join(ROOT, source)]]));
}

/** tsc's `file(line,col)` of a block's file, as its page's `README.md:line:col` (`docs/RUNTIMES.md:line:col`). */
export function readmeLocations(output: string): string {
  return output.replace(
    /\S*?((?:docs__)?[A-Za-z0-9_-]+?)-L(\d+)\.ts\((\d+),(\d+)\)/g,
    (_, page: string, first: string, line: string, column: string) =>
      `${page.replaceAll("__", "/")}.md:${Number(first) + Number(line) - 1}:${column}`,
  );
}

export interface SampleCheck {
  ok: boolean;
  /** tsc's diagnostics, at the pages' lines. */
  output: string;
  samples: number;
}

/** Writes the blocks of every page into `dir` (emptied first) and type-checks them there. */
export async function checkDocSamples(
  pages: readonly DocPage[],
  dir: string,
  buildInfo?: string,
): Promise<SampleCheck> {
  const files = pages.flatMap(({ page, text }) =>
    tsSamples(text, page).map((sample) => ({ name: sampleFileName(page, sample), code: sample.code })),
  );
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "context.d.ts"), SAMPLE_CONTEXT);
  for (const file of files) writeFileSync(join(dir, file.name), `${file.code}\nexport {};\n`);
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({
      extends: join(ROOT, "tsconfig.json"),
      compilerOptions: { types: ["node"], paths: entryPaths(), noEmit: true },
      include: [],
      files: ["context.d.ts", ...files.map((file) => file.name)],
    }),
  );
  const args = ["-p", join(dir, "tsconfig.json"), "--pretty", "false"];
  if (buildInfo) args.push("--incremental", "--tsBuildInfoFile", buildInfo);
  const { code, output } = await tsc(args);
  return { ok: code === 0, output: readmeLocations(output), samples: files.length };
}

function tsc(args: readonly string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(ROOT, "node_modules/.bin/tsc"), args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (data: Buffer) => (output += data.toString()));
    child.stderr.on("data", (data: Buffer) => (output += data.toString()));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, output }));
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const pages = docTexts();
  const dir = join(CACHE, "readme-samples");
  const result = await checkDocSamples(pages, dir, join(CACHE, "tsc-readme.tsbuildinfo"));
  process.stdout.write(result.output);
  const names = pages.map(({ page }) => page).join(", ");
  if (!result.ok) {
    console.error(`\nThe TypeScript samples of ${names} do not compile (written to ${relative(ROOT, dir)}/).`);
    process.exit(1);
  }
  console.log(`${names}: ${result.samples} TypeScript samples compile.`);
}
