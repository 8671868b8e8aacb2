/// <reference types="node" />
// The README's Deploy block, its Deploy in full (docs/PROXY-REFERENCE.md) and wrangler.toml, read
// as an operator follows them: each optional step is whole (traces name their endpoint, a private
// MODELS leaves [vars]), the log is somewhere to be read, and the wait for a cold model that they
// give the Workers Free plan fits in its 50 subrequests per request, measured on the library's own
// retry schedule.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { BedrockEdgeError } from "../src/errors.ts";
import { retryDelay } from "../src/aws/retry.ts";
import { createTransport } from "../src/aws/transport-options.ts";
import { seeded } from "./helpers/bytes.ts";
import { commandLines, docPage, readmeSnippet } from "./helpers/readme.ts";

const README = docPage("README.md");
/** The proxy's reference, which holds Deploy in full and the Configuration table. */
const PROXY_REFERENCE = docPage("docs/PROXY-REFERENCE.md");
const WRANGLER_TOML = readFileSync(new URL("../wrangler.toml", import.meta.url), "utf8");
const deploy = readmeSnippet("deploy", README);
/** Deploy in full, its lines joined as a reader reads them. */
const deployText = PROXY_REFERENCE.slice(
  PROXY_REFERENCE.indexOf("## Deploy\n"),
  PROXY_REFERENCE.indexOf("## Client compatibility\n"),
).replace(/\s+/g, " ");

/** Workers Free: subrequests per request (Cloudflare's limits page). */
const FREE_PLAN_SUBREQUESTS = 50;

describe("the README's Deploy block", () => {
  it("names the traces endpoint before the headers secret, and that secret only for a collector with a key", () => {
    const { code } = deploy;
    const headers = code.indexOf("wrangler secret put OTEL_EXPORTER_OTLP_HEADERS");
    expect(headers).toBeGreaterThan(0);
    const before = code.slice(0, headers);
    expect(before).toMatch(/OTEL_EXPORTER_OTLP_ENDPOINT = "https:\/\/[^"]+"/);
    expect(before).toContain("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
    expect(before).toMatch(/only for a collector\s*(#\s*)?that needs a key/);
  });

  it("says to delete MODELS from [vars] where it offers the MODELS secret, as wrangler.toml does", () => {
    const { code } = deploy;
    const secret = code.indexOf("wrangler secret put MODELS");
    expect(secret).toBeGreaterThan(0);
    expect(code.slice(Math.max(0, secret - 200), secret + 250)).toMatch(/MODELS is deleted from \[vars\]/);
    expect(WRANGLER_TOML).toMatch(/delete MODELS\s*(#\s*)?here to keep them private with `wrangler secret put MODELS`/);
  });

  it("is the README's, and its Deploy in full links to it", () => {
    expect(README.slice(README.indexOf("### Deploy\n"))).toMatch(/^### Deploy\n\n<!-- snippet: deploy -->\n/);
    expect(deployText).toContain("the README's [Deploy](../README.md#deploy) block");
  });

  it("says where the deployed Worker's log is read, and wrangler.toml keeps it", () => {
    expect(commandLines(deploy).at(-1)).toMatch(/^npx wrangler tail\b/);
    expect(deployText).toMatch(/Workers Logs/);
    expect(WRANGLER_TOML).toMatch(/^\[observability\]\nenabled = true$/m);
  });

  it("applies the usage migrations to the deployed database (--remote), and says what --remote is for", () => {
    expect(commandLines(deploy)).toContain("npx wrangler d1 migrations apply USAGE_DB --remote");
    expect(deploy.code).toMatch(/--remote: without it, only wrangler's local\s*(#\s*)?copy gets one/);
  });
});

describe("wrangler.toml's first comment", () => {
  it("names every secret the Deploy block puts, as never to go in the file (docsdrift18 #8)", () => {
    const header = WRANGLER_TOML.slice(0, WRANGLER_TOML.search(/^[^#]/m)).replace(/\s*#\s*/g, " ");
    expect(header).toMatch(/Secrets \(.*\) go in with `wrangler secret put NAME`, never here/);
    const named = header.slice(header.indexOf("Secrets ("), header.indexOf(") go in"));
    // A deployment's own credentials have whatever names MODELS gives them: no list holds those.
    const secrets = commandLines(deploy)
      .filter((line) => !line.includes("any names"))
      .map((line) => /^npx wrangler secret put ([A-Z0-9_]+)/.exec(line)?.[1])
      .filter((name): name is string => name !== undefined);
    expect(secrets).toEqual(expect.arrayContaining(["PROXY_API_KEYS", "API_KEYS", "OTEL_EXPORTER_OTLP_HEADERS"]));
    expect(secrets.filter((name) => !new RegExp(`\\b${name}\\b`).test(named))).toEqual([]);
  });
});

describe("wrangler.toml's MODELS comment", () => {
  it("lists no entry fields of its own (a list there went stale) but points to the proxy reference's, which has them (firsthour22 #14)", () => {
    const start = WRANGLER_TOML.indexOf("[vars]\n");
    const comment = WRANGLER_TOML.slice(start, WRANGLER_TOML.indexOf("\nMODELS = ", start)).replace(/\s*#\s*/g, " ");
    expect(comment).not.toMatch(/"[a-z_]+"\?/);
    expect(comment).toMatch(/docs\/PROXY-REFERENCE\.md's Configuration section \(MODELS\) lists them all/);
    const configuration = PROXY_REFERENCE.slice(PROXY_REFERENCE.indexOf("## Configuration\n"));
    const row = configuration.split("\n").find((line) => line.startsWith("| `MODELS`"));
    for (const field of ["wire_format", "tool_parser", "special_tokens", "max_output_tokens", "deployments"]) {
      expect(row, field).toContain(field);
    }
  });
});

describe("wrangler.toml's optional settings", () => {
  it("list the traces endpoint, with the headers secret beside it", () => {
    const optional = WRANGLER_TOML.slice(WRANGLER_TOML.indexOf("# Optional settings"));
    expect(optional).toMatch(/^# OTEL_EXPORTER_OTLP_ENDPOINT = "https:\/\/[^"]+"/m);
    expect(optional).toMatch(/wrangler secret put OTEL_EXPORTER_OTLP_HEADERS/);
  });
});

/**
 * Bedrock calls of waits for a model that never wakes, on the library's schedule with its default
 * backoff, each call answered at once (a real answer takes time: fewer calls): the first call,
 * then one per wait until modelReadyTimeoutMs has passed. Time is a counter that the waits move.
 */
function waits(modelReadyTimeoutMs: number, runs: number): { mean: number; max: number } {
  // performance.now itself (the clock the wait is timed on), not a spy: a spy would keep each of
  // millions of calls.
  const clock = { now: 0 };
  const realNow = performance.now;
  performance.now = () => clock.now;
  const policy = { ...createTransport({ modelReadyTimeoutMs }).policy, random: seeded(20261128) }; // the same waits on every run
  const notReady = new BedrockEdgeError({
    status: 429,
    message: "Model is not ready for inference.",
    bedrockError: "ModelNotReadyException",
    fromBedrock: true,
  });
  let total = 0;
  let max = 0;
  try {
    for (let run = 0; run < runs; run++) {
      const counts = { retries: 0, waits: 0, started: clock.now };
      let calls = 1;
      for (;;) {
        try {
          clock.now += retryDelay(policy, notReady, counts);
          calls++;
        } catch {
          break;
        }
      }
      total += calls;
      max = Math.max(max, calls);
    }
  } finally {
    performance.now = realNow;
  }
  return { mean: total / runs, max };
}

describe("the wait for a cold model on the Workers Free plan", () => {
  const value = /MODEL_READY_TIMEOUT_MS = "(\d+)"/.exec(deploy.code)?.[1];

  it("is one value wherever the docs and wrangler.toml give it", () => {
    expect(value).toBeDefined();
    expect(deployText).toContain(`set \`MODEL_READY_TIMEOUT_MS = "${value}"\``);
    expect(PROXY_REFERENCE).toMatch(
      new RegExp(`\\| \`MODEL_READY_TIMEOUT_MS\` .*Workers Free plan.* set \`${value}\``),
    );
    expect(WRANGLER_TOML).toMatch(new RegExp(`MODEL_READY_TIMEOUT_MS = "300000" .*\\n.*Workers Free plan "${value}"`));
  });

  it("fits in its 50 subrequests with room to spare, as Deploy in full measures it over 100,000 waits", () => {
    const { mean, max } = waits(Number(value), 100_000);
    console.log(`MODEL_READY_TIMEOUT_MS=${value}: ${mean.toFixed(2)} calls on average, at most ${max}`);
    // Room for what else the request calls: a trace export, a failover's other copy.
    expect(max).toBeLessThanOrEqual(FREE_PLAN_SUBREQUESTS - 5);
    expect(deployText).toContain(
      `made ${Math.round(mean)} calls on average and at most ${max} in 100,000 simulated waits`,
    );
  });

  it("where the default wait does not: about 65 calls, as Deploy in full says", () => {
    const { mean } = waits(300_000, 10_000);
    console.log(`MODEL_READY_TIMEOUT_MS=300000: ${mean.toFixed(2)} calls on average`);
    expect(mean).toBeGreaterThan(FREE_PLAN_SUBREQUESTS);
    expect(deployText).toContain(`The default wait, 5 minutes, makes about ${Math.round(mean)} calls`);
  });
});
