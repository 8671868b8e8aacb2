// A Worker on Workers Free may make 50 subrequests per request: past them, Workers' own fetch
// throws "Too many subrequests…". A cold model's wait polls Bedrock until it wakes, so a long
// wait runs into that cap. The caller is told it is the plan's limit (503 subrequest_limit),
// with what to change, and nothing is retried or failed over to another copy.
import { describe, expect, it } from "vitest";
import { EMULATOR_CREDENTIALS } from "../emulator/credentials.ts";
import { createEmulator } from "../emulator/handler.ts";
import { emulatorModelId } from "../emulator/model-id.ts";
import { model } from "../test/helpers/emulated.ts";
import { createApp, type LogLine } from "./app.ts";

// A small cap stands in for Workers Free's 50: what happens past it is the same.
const CAP = 6;
const TOO_MANY = "Too many subrequests by single Worker invocation.";

/** The proxy over the in-process emulator, behind a fetch that runs out as Workers' does. */
function proxyWithCap(models: Record<string, unknown>) {
  const emulator = createEmulator();
  const logs: LogLine[] = [];
  const sent = { calls: 0 };
  const app = createApp({
    env: {
      MODELS: JSON.stringify(models),
      PROXY_API_KEYS: "sk-cap",
      AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
      BEDROCK_ENDPOINT: "http://bedrock.emulator",
      MODEL_READY_TIMEOUT_MS: "60000",
      BEDROCK_MAX_RETRIES: "2",
    },
    retryBaseDelayMs: 1,
    keepAliveMs: 1000,
    fetch: async (input, init) => {
      if (++sent.calls > CAP) throw new Error(TOO_MANY);
      return emulator.fetch(new Request(input, init));
    },
    log: (line) => logs.push(line),
  });
  const chat = (name: string, stream = false) =>
    app.request("/v1/chat/completions", {
      method: "POST",
      headers: { authorization: "Bearer sk-cap", "content-type": "application/json" },
      body: JSON.stringify({ model: name, stream, messages: [{ role: "user", content: "hi" }] }),
    });
  return { chat, logs, sent };
}

describe("the Worker's subrequests run out during a cold model's wait", () => {
  it("a plain call answers 503 subrequest_limit saying what to change, after exactly the cap's calls", async () => {
    const { chat, logs, sent } = proxyWithCap({ cold: model("llama", "notready") });
    const answer = await chat("cold");
    expect(answer.status).toBe(503);
    const { error } = (await answer.json()) as { error: { code: string; message: string; type: string } };
    expect(error).toMatchObject({ code: "subrequest_limit", type: "server_error" });
    expect(error.message).toMatch(/^The Worker's plan allows no more calls to Bedrock in one request/);
    expect(error.message).toMatch(/lower MODEL_READY_TIMEOUT_MS .*, or move to the Workers Paid plan/);
    expect(error.message).not.toMatch(/Could not reach Bedrock/);
    // The call past the cap is the last: no retry of a refusal that cannot pass.
    expect(sent.calls).toBe(CAP + 1);
    expect(logs.at(-1)).toMatchObject({ status: 503, error_code: "subrequest_limit", retries: CAP });
  });

  it("a stream, already begun behind its keep-alive comments, ends with the same error event", async () => {
    const { chat, sent } = proxyWithCap({ cold: model("llama", "notready") });
    const answer = await chat("cold", true);
    expect(answer.status).toBe(200);
    const events = (await answer.text()).split("\n").filter((line) => line.startsWith("data: "));
    expect(events).toHaveLength(1);
    expect(JSON.parse(events[0]!.slice(6))).toMatchObject({
      error: { code: "subrequest_limit", message: expect.stringMatching(/MODEL_READY_TIMEOUT_MS/) },
    });
    expect(sent.calls).toBe(CAP + 1);
  });

  it("a model of several copies does not move on to the next: it would be refused alike", async () => {
    const cold = emulatorModelId("llama", ["notready"], "us-east-1", "300000000000");
    const warm = emulatorModelId("llama", [], "us-west-2", "300000000000");
    const { chat, logs, sent } = proxyWithCap({
      copies: { deployments: [{ model: `bedrock/llama/${cold}` }, { model: `bedrock/llama/${warm}` }] },
    });
    // The request's calls so far have used up the cap: its first copy's call is refused.
    sent.calls = CAP;
    const answer = await chat("copies");
    expect(answer.status).toBe(503);
    const { error } = (await answer.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe("subrequest_limit");
    // No cold model was waited for: the request's own calls used the cap up, and the advice says so, once.
    expect(error.message.match(/Make fewer calls in one request .*, or move to the Workers Paid plan\./g)).toHaveLength(
      1,
    );
    expect(error.message).not.toMatch(/MODEL_READY_TIMEOUT_MS/);
    expect(logs.at(-1)).toMatchObject({ deployment: 0, deployments_tried: 1 });
  });
});
