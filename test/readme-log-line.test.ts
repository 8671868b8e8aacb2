/// <reference types="node" />
// The proxy reference's example log line (docs/PROXY-REFERENCE.md, Configuration, "Every request
// writes exactly one JSON log line") against the line the proxy writes for the request it stands
// for: the README's streamed curl to
// `demo-llama` under `npm start`'s demo configuration, through createApp and the in-process
// emulator. Same fields in the same order, same values but the time, the id and the timings
// (docsdrift18 #9: its prompt_tokens and its order had drifted).
import { describe, expect, it } from "vitest";
import { EMULATOR_CREDENTIALS } from "../emulator/credentials.ts";
import { createEmulator } from "../emulator/handler.ts";
import { DEV_KEY, demoModels } from "../scripts/dev-env.ts";
import { createApp, type LogLine } from "../worker/app.ts";
import { docPage } from "./helpers/readme.ts";

const README = docPage("README.md");
const PROXY_REFERENCE = docPage("docs/PROXY-REFERENCE.md");
/** What differs from one run to the next. */
const VARYING = new Set(["time", "request_id", "ms", "ttft_ms"]);

function exampleLine(): Record<string, unknown> {
  const at = PROXY_REFERENCE.indexOf("Every request writes exactly one JSON log line");
  expect(at, "docs/PROXY-REFERENCE.md's log line").toBeGreaterThanOrEqual(0);
  const line = /`(\{"time":[^`]*\})`/.exec(PROXY_REFERENCE.slice(at))?.[1];
  if (!line) throw new Error("the proxy reference's example log line");
  return JSON.parse(line) as Record<string, unknown>;
}

/** The body of the README's streamed curl to demo-llama. */
function streamedCurlBody(): string {
  const body = /^\s*-d '(\{"model":"demo-llama","stream":true[^']*)'$/m.exec(README)?.[1];
  if (!body) throw new Error("the README's streamed curl to demo-llama");
  return body;
}

describe("the proxy reference's example log line", () => {
  it("is the line the proxy writes for the README's streamed curl, but for the time, the id and the timings", async () => {
    const emulator = createEmulator();
    const lines: LogLine[] = [];
    const app = createApp({
      env: {
        MODELS: JSON.stringify(demoModels()),
        PROXY_API_KEYS: DEV_KEY,
        AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
        AWS_REGION: "us-east-1",
        BEDROCK_ENDPOINT: "http://bedrock.emulator",
      },
      fetch: (input, init) => emulator.fetch(new Request(input, init)),
      log: (line) => lines.push(structuredClone(line)),
    });
    const answer = await app.request("/v1/chat/completions", {
      method: "POST",
      headers: { authorization: `Bearer ${DEV_KEY}`, "content-type": "application/json" },
      body: streamedCurlBody(),
    });
    expect(await answer.text()).toMatch(/data: \[DONE\]\n\n$/);
    for (let waited = 0; lines.length === 0 && waited < 3000; waited += 10) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const written = lines.find((line) => line.path === "/v1/chat/completions") as Record<string, unknown> | undefined;
    expect(written).toBeDefined();
    const example = exampleLine();
    expect(Object.keys(example)).toEqual(Object.keys(written!));
    const steady = (line: Record<string, unknown>) =>
      Object.fromEntries(Object.entries(line).filter(([key]) => !VARYING.has(key)));
    expect(steady(example)).toEqual(steady(written!));
  });
});
