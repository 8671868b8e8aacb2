// A Bedrock call the Worker sent is never counted as 0 tokens against a key's tokens_per_day, in
// workerd with the real KeyLimits object: an answer the library refuses once read (a forced call
// cut by the request's own stop) counts Bedrock's counts, in the line too; a request that ends
// with no count (our timeout on each copy, a caller through a service binding that leaves before
// any answer) counts its prompt's estimate per attempt sent.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulatorModelId } from "../../emulator/model-id.ts";
import { inputEstimate } from "../../worker/token-estimate.ts";
import {
  awayFromMidnight,
  eventually,
  keyLimitsCounts,
  modelString,
  startWorkerdProxy,
  type WorkerdProxy,
} from "./harness.ts";
import { bundleWorkerScript } from "./worker-bundle.ts";

const KEYS = {
  served: { key: "sk-sent-served-0001", tokens_per_day: 1_000_000 },
  cut: { key: "sk-sent-cut-0001", tokens_per_day: 1_000_000 },
  "cut-stream": { key: "sk-sent-cut-0002", tokens_per_day: 1_000_000 },
  "timed-out": { key: "sk-sent-timeout-0001", tokens_per_day: 1_000_000 },
  "left-plain": { key: "sk-sent-left-0001", tokens_per_day: 1_000_000 },
  "left-stream": { key: "sk-sent-left-0002", tokens_per_day: 1_000_000 },
} as const;
type KeyName = keyof typeof KEYS;

// Each copy answers after 6 s, past the Worker's UPSTREAM_TIMEOUT_MS of 5 s. 5 s, not 1: a served
// call must fit in it on a loaded machine. The file's first took 190 ms here at a load of 2, and a
// load of 28 on 2 cores made npm start's refusal (test/workerd/start.test.ts) 17 times as slow.
const slowCopy = (region: string) => `bedrock/llama/${emulatorModelId("llama", ["wait6000", "long200"], region)}`;
const MODELS = {
  "qwen3-tool": modelString("qwen3", "tool"),
  "slow-copies": {
    deployments: [{ model: slowCopy("us-east-1") }, { model: slowCopy("us-west-2") }],
    routing: "failover",
  },
  "slow-answer": modelString("llama", "wait6000", "long200"),
};
const tools = [
  {
    type: "function",
    function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } },
  },
];
// A long prompt, so that its estimate is far from any rounding.
const long = { role: "user", content: Array.from({ length: 2000 }, (_, at) => `word${at}`).join(" ") };

let proxy: WorkerdProxy;

beforeAll(async () => {
  await awayFromMidnight();
  proxy = await startWorkerdProxy(
    {
      main: {
        API_KEYS: JSON.stringify(KEYS),
        MODELS: JSON.stringify(MODELS),
        UPSTREAM_TIMEOUT_MS: "5000",
        BEDROCK_MAX_RETRIES: "0",
      },
    },
    { main: { durableObjects: { KEY_LIMITS: { className: "KeyLimits", useSQLite: true } } } },
    [
      {
        name: "gateway",
        script: await bundleWorkerScript("test/workerd/service-caller.ts"),
        serviceBindings: { PROXY: "main" },
      },
    ],
  );
}, 20_000 + 120_000); // the wait, then the project's hookTimeout for the start
afterAll(() => proxy?.close());

/** The key's count once its requests have settled (a request settles after its line is written). */
async function settled(name: KeyName): Promise<number> {
  const read = () => keyLimitsCounts(proxy, name);
  const counts = await eventually(async () => {
    const now = await read();
    return now.requests === 0 && now;
  }, 10_000);
  return counts.tokens;
}

/** The key's one log line, once workerd has printed it. */
const lineOf = (name: KeyName) => eventually(() => proxy.logs.find((line) => line.key === name), 5000);

async function post(name: KeyName, body: Record<string, unknown>): Promise<{ status: number; text: string }> {
  const response = await fetch(`${proxy.url()}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${KEYS[name].key}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, text: await response.text() };
}

/** The request sent by the gateway Worker, which leaves it after `ms`. */
async function throughGateway(name: KeyName, body: Record<string, unknown>, ms: number): Promise<string> {
  // Miniflare types its Fetcher with its own undici Request; a plain fetch's arguments are what it takes.
  const gateway = (await proxy.miniflare.getWorker("gateway")) as unknown as { fetch: typeof fetch };
  const response = await gateway.fetch(`https://gateway/v1/chat/completions?ms=${ms}`, {
    method: "POST",
    headers: { authorization: `Bearer ${KEYS[name].key}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return response.text();
}

describe("a forced call cut by the request's own stop (400 tool_call_cut)", () => {
  const forced = {
    model: "qwen3-tool",
    messages: [long],
    tools,
    tool_choice: { type: "function", function: { name: "get_weather" } },
  };

  it("counts Bedrock's counts against tokens_per_day and in its line, plain and streamed", async () => {
    expect((await post("served", forced)).status).toBe(200);
    const served = await lineOf("served");
    expect(served.prompt_tokens).toBeGreaterThan(2000);
    for (const [name, stream] of [
      ["cut", false],
      ["cut-stream", true],
    ] as const) {
      const { status, text } = await post(name, { ...forced, stop: ["Par"], stream });
      expect(status, name).toBe(400);
      expect(text, name).toContain("tool_call_cut");
      const tokens = await settled(name);
      const line = await lineOf(name);
      // The same prompt as the call served; its output up to the stop.
      expect(line, name).toMatchObject({
        status: 400,
        error_code: "tool_call_cut",
        prompt_tokens: served.prompt_tokens,
      });
      expect(line.completion_tokens, name).toBeGreaterThan(0);
      expect(tokens, name).toBe(line.prompt_tokens! + line.completion_tokens!);
    }
  });
});

describe("a request sent to Bedrock that ends with no count", () => {
  // Two copies' 5 s each, and what a loaded machine adds.
  it("past UPSTREAM_TIMEOUT_MS on each of two copies: 504, twice its prompt's estimate", {
    timeout: 40_000,
  }, async () => {
    const body = { model: "slow-copies", messages: [long] };
    const { status } = await post("timed-out", body);
    expect(status).toBe(504);
    const tokens = await settled("timed-out");
    const line = await lineOf("timed-out");
    expect(line).toMatchObject({ status: 504, error_code: "upstream_timeout", deployments_tried: 2 });
    expect(line.prompt_tokens).toBeUndefined();
    expect(tokens).toBe(2 * inputEstimate(body, "chat"));
  });

  it("left by a caller through a service binding before any answer (workerd aborts request.signal): its prompt's estimate, plain and streamed", async () => {
    for (const [name, stream] of [
      ["left-plain", false],
      ["left-stream", true],
    ] as const) {
      const body = { model: "slow-answer", messages: [long], stream };
      expect(await throughGateway(name, body, 300), name).toMatch(/^left: /);
      const tokens = await settled(name);
      const line = await lineOf(name);
      expect(line, name).toMatchObject({ status: 499, deployments_tried: 1 });
      expect(line.completion_tokens, name).toBeUndefined();
      // Not the output Bedrock goes on to write: the Worker never saw it.
      expect(tokens, name).toBe(inputEstimate(body, "chat"));
    }
  });
});
