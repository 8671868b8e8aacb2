/// <reference types="node" />
// npm run check-config, run as an operator runs it: in a directory of wrangler.toml and .dev.vars
// (temporary files here), its verdict in its output and exit code, and no binding's value in either.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const TSX = join(ROOT, "node_modules", ".bin", "tsx");
const SCRIPT = join(ROOT, "scripts", "check-config.ts");

const AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYcheckconfigKEY";
const KEY_NEW = "sk-check-new-0123456789abcdef";
const KEY_OLD = "sk-check-old-0123456789abcdef";
const PLAIN_KEY = "sk-check-plain-0123456789abcdef";

// As deployed: MODELS a var, the Durable Object and the rate limiter a key's limits name.
const WRANGLER_TOML = `name = "check-config-test"
main = "index.ts"
compatibility_date = "2026-04-01"

[vars]
AWS_REGION = "us-east-1"
MODELS = '''
{ "qwen3": "bedrock/qwen3/arn:aws:bedrock:us-east-1:123456789012:imported-model/abcdefgh1234" }
'''

[[durable_objects.bindings]]
name = "KEY_LIMITS"
class_name = "KeyLimits"

[[ratelimits]]
name = "RATE_LIMIT_STANDARD"
namespace_id = "1001"
simple = { limit = 60, period = 60 }
`;

function apiKeys(models: string[]): string {
  return JSON.stringify({
    team: { key: [KEY_NEW, KEY_OLD], models, tokens_per_day: 1000, rate_limit: "RATE_LIMIT_STANDARD" },
  });
}

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A directory holding wrangler.toml and the given files. */
function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "check-config-"));
  dirs.push(dir);
  for (const [name, text] of Object.entries({ "wrangler.toml": WRANGLER_TOML, ...files })) {
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

/**
 * How long one run may take. Each loads tsx and wrangler, six at once beside the rest of the suite:
 * CI on 2 cores saw 41 s (test-results of 3e51b26), so a minute's margin on top.
 */
const RUN_MS = 110_000;

function checkConfig(
  cwd: string,
  args: string[] = [],
  shell: Record<string, string> = {},
): Promise<{ code: number; output: string }> {
  // Only what a process needs: the test's own bindings (none are in a CI shell) must not leak in.
  const env = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? cwd, WRANGLER_SEND_METRICS: "false", ...shell };
  return new Promise((resolve) => {
    execFile(TSX, [SCRIPT, ...args], { cwd, env, timeout: RUN_MS }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

const devVars = (models: string[]) =>
  [
    "AWS_ACCESS_KEY_ID=AKIACHECKCONFIG00001",
    `AWS_SECRET_ACCESS_KEY=${AWS_SECRET}`,
    `API_KEYS='${apiKeys(models)}'`,
  ].join("\n");

function expectNoSecret(output: string): void {
  for (const secret of [AWS_SECRET, KEY_NEW, KEY_OLD, PLAIN_KEY, "AKIACHECKCONFIG00001"]) {
    expect(output).not.toContain(secret);
  }
}

describe.concurrent("npm run check-config", { timeout: RUN_MS + 10_000 }, () => {
  it("says ok, with the counts, for a configuration with no problem (wrangler.toml's bindings count)", async () => {
    const { code, output } = await checkConfig(project({ ".dev.vars": devVars(["qwen3"]) }));
    expect(output).toContain("ok: 1 model, 2 keys");
    expect(code).toBe(0);
    expectNoSecret(output);
  });

  it("names a key list's model missing from MODELS, exit 1, quoting no secret", async () => {
    const { code, output } = await checkConfig(project({ ".dev.vars": devVars(["qwen3", "llama"]) }));
    expect(output).toMatch(/^1 problem:\n- API_KEYS\["team"\]\.models: .*llama/m);
    expect(code).toBe(1);
    expectNoSecret(output);
  });

  it("reads --dev-vars instead of .dev.vars, and the shell's bindings over it", async () => {
    const dir = project({ ".dev.vars": "MODELS=not json", "candidate.env": devVars(["qwen3"]) });
    const { code, output } = await checkConfig(dir, ["--dev-vars", "candidate.env"], { PROXY_API_KEYS: PLAIN_KEY });
    expect(output).toContain("ok: 1 model, 3 keys");
    expect(code).toBe(0);
    expectNoSecret(output);
    // The shell's MODELS wins over the file's and wrangler.toml's.
    const shellModels = await checkConfig(dir, ["--dev-vars", "candidate.env"], { MODELS: "{" });
    expect(shellModels.output).toMatch(/^- MODELS /m);
    expect(shellModels.code).toBe(1);
    expectNoSecret(shellModels.output);
  });

  it("reads [env.<name>] with --env, as wrangler deploy --env does: its vars, not the top level's", async () => {
    const production = `${WRANGLER_TOML}
[env.production.vars]
AWS_REGION = "us-east-1"
MODELS = '{ "prod": "bedrock/qwen3/arn:aws:bedrock:us-east-1:123456789012:imported-model/prod12345678" }'
`;
    const dir = project({ "wrangler.toml": production, ".dev.vars": devVars(["qwen3"]) });
    const top = await checkConfig(dir);
    expect(top.output).toContain("ok: 1 model, 2 keys");
    // The production Worker has no qwen3, which the key's list names.
    const deployed = await checkConfig(dir, ["--env", "production"]);
    expect(deployed.output).toMatch(/^- API_KEYS\["team"\]\.models: .*qwen3/m);
    expect(deployed.code).toBe(1);
    expectNoSecret(deployed.output);
  });

  it("finds a deployment's credential binding in the shell when wrangler.toml's MODELS names it", async () => {
    const named = WRANGLER_TOML.replace(
      /\{ "qwen3": "([^"]+)" \}/,
      '{ "qwen3": { "deployments": [{ "model": "$1", "api_key": "EU_BEDROCK_KEY" }] } }',
    );
    expect(named).toContain("EU_BEDROCK_KEY");
    const dir = project({ "wrangler.toml": named, ".dev.vars": devVars(["qwen3"]) });
    const { code, output } = await checkConfig(dir, [], { EU_BEDROCK_KEY: "ABSKcheckconfigbedrockapikey0001" });
    expect(output).toContain("ok: 1 model, 2 keys");
    expect(code).toBe(0);
    expect(output).not.toContain("ABSKcheckconfigbedrockapikey0001");
  });

  it("exits 2 in one line, quoting nothing of the file, when wrangler.toml or --dev-vars cannot be read", async () => {
    const broken = `${WRANGLER_TOML}\nAWS_SECRET_ACCESS_KEY = "${AWS_SECRET}\n`;
    const unreadable = await checkConfig(project({ "wrangler.toml": broken }));
    expect(unreadable.output).toMatch(/^check-config: wrangler\.toml could not be read \(\w+\);/);
    expect(unreadable.output.trim().split("\n")).toHaveLength(1);
    expect(unreadable.code).toBe(2);
    expectNoSecret(unreadable.output);
    const missing = await checkConfig(project({}), ["--dev-vars", "none.env"]);
    expect({ code: missing.code, output: missing.output.trim() }).toEqual({
      code: 2,
      output: "check-config: no file none.env",
    });
    const directory = await checkConfig(project({}), ["--dev-vars", "."]);
    expect({ code: directory.code, output: directory.output.trim() }).toEqual({
      code: 2,
      output: "check-config: . could not be read (EISDIR)",
    });
    const unknown = await checkConfig(project({}), ["--dev-var", "x"]);
    expect(unknown.code).toBe(2);
    expect(unknown.output.trim()).toBe(
      "check-config: usage: npm run check-config [-- --env <name>] [--dev-vars <path>]",
    );
  });
});
