// An answer Bedrock gave, and billed, that the library refuses once read (a forced call cut by the
// request's own stop: 400 tool_call_cut) carries Bedrock's counts on its error, plain and streamed,
// as a failed legacy batch does: the proxy counts them against tokens_per_day.
import { describe, expect, it } from "vitest";
import { chunkFrame } from "../emulator/frames.ts";
import { createEmulator, EMULATOR_CREDENTIALS } from "../emulator/mod.ts";
import {
  type Bedrock,
  BedrockEdgeError,
  type ChatCompletionCreateParams,
  createBedrock,
  type Usage,
} from "../src/index.ts";
import { model } from "./helpers/emulated.ts";
import { streamOf } from "./helpers/bytes.ts";
import { errorOf } from "./helpers/errors.ts";

const tools: ChatCompletionCreateParams["tools"] = [
  {
    type: "function",
    function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } },
  },
];
// The emulator's call is {"city": "Paris"}: the stop "Par" cuts it inside its arguments.
const cutCall = {
  messages: [{ role: "user" as const, content: "Weather in Paris?" }],
  tools,
  tool_choice: { type: "function" as const, function: { name: "get_weather" } },
  stop: ["Par"],
};

/** Bedrock's count headers of a plain answer. */
function countsOf(headers: Headers): Usage {
  const prompt = Number(headers.get("x-amzn-bedrock-input-token-count"));
  const completion = Number(headers.get("x-amzn-bedrock-output-token-count"));
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

/** A client of the emulator that notes the counts Bedrock's plain answers report, and can drop them from the body. */
function counting({ bodyCounts = true } = {}) {
  const emulator = createEmulator();
  const reported: Usage[] = [];
  const bedrock = createBedrock({
    endpoint: "http://bedrock.emulator",
    credentials: EMULATOR_CREDENTIALS,
    fetch: async (input, init) => {
      const response = await emulator.fetch(new Request(input, init));
      if (response.headers.has("x-amzn-bedrock-input-token-count")) reported.push(countsOf(response.headers));
      if (bodyCounts || !response.headers.get("content-type")?.includes("json")) return response;
      const { usage, prompt_token_count, generation_token_count, ...rest } = await response.json();
      return new Response(JSON.stringify(rest), { status: response.status, headers: response.headers });
    },
  });
  return { bedrock, reported };
}

/** The request streamed and read to its end (its error thrown by create() or by the iteration). */
function drained(bedrock: Bedrock, body: ChatCompletionCreateParams) {
  return async () => {
    for await (const _ of await bedrock.chat.completions.create({ ...body, stream: true }));
  };
}

describe("a forced call cut by the request's stop", () => {
  for (const route of ["qwen3", "qwen2", "llama", "deepseek_r1"] as const) {
    it(`${route}: its 400 carries Bedrock's counts, plain and streamed`, async () => {
      const { bedrock, reported } = counting();
      const body = { model: model(route, "tool"), ...cutCall };
      const plain = await errorOf(() => bedrock.chat.completions.create(body), BedrockEdgeError);
      expect(plain).toMatchObject({ status: 400, code: "tool_call_cut" });
      expect(reported).toHaveLength(1);
      expect(reported[0]!.prompt_tokens).toBeGreaterThan(0);
      expect(plain.usage).toEqual(reported[0]);
      // The stream's last frame (its invocation metrics) tells the same counts.
      const streamed = await errorOf(drained(bedrock, body), BedrockEdgeError);
      expect(streamed).toMatchObject({ status: 400, code: "tool_call_cut" });
      expect(streamed.usage).toEqual(reported[0]);
    });
  }

  it("carries the count headers when the answer's body has no counts", async () => {
    const { bedrock, reported } = counting({ bodyCounts: false });
    const error = await errorOf(
      () => bedrock.chat.completions.create({ model: model("llama", "tool"), ...cutCall }),
      BedrockEdgeError,
    );
    expect(error).toMatchObject({ status: 400, code: "tool_call_cut" });
    expect(reported).toHaveLength(1);
    expect(error.usage).toEqual(reported[0]);
  });

  it("carries no counts when Bedrock gave none", async () => {
    const { bedrock } = counting();
    const body = { model: model("qwen3", "tool", "nousage"), ...cutCall };
    expect((await errorOf(() => bedrock.chat.completions.create(body), BedrockEdgeError)).usage).toBeUndefined();
    const streamed = await errorOf(drained(bedrock, body), BedrockEdgeError);
    expect(streamed).toMatchObject({ status: 400, code: "tool_call_cut" });
    expect(streamed.usage).toBeUndefined();
  });
});

describe("a forced call to a function the request does not offer (500 invalid_tool_call)", () => {
  // Llama's call to a function not in tools, as Bedrock would answer it, with its counts: in the
  // body and the headers plainly, in the last frame's invocation metrics streamed.
  const text = 'get_current_weather", "parameters": {"city": "Paris"}}<|eot_id|>';
  const counts = { prompt_tokens: 42, completion_tokens: 17, total_tokens: 59 };
  const answering = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    if (!request.url.includes("invoke-with-response-stream")) {
      return Response.json(
        { generation: text, stop_reason: "stop", prompt_token_count: 42, generation_token_count: 17 },
        { headers: { "x-amzn-bedrock-input-token-count": "42", "x-amzn-bedrock-output-token-count": "17" } },
      );
    }
    const metrics = { inputTokenCount: 42, outputTokenCount: 17, invocationLatency: 10, firstByteLatency: 5 };
    const frames = [
      chunkFrame({ generation: text.slice(0, 20), stop_reason: null }, 0),
      chunkFrame({ generation: text.slice(20), stop_reason: "stop", "amazon-bedrock-invocationMetrics": metrics }, 1),
    ];
    return new Response(streamOf(frames), { headers: { "content-type": "application/vnd.amazon.eventstream" } });
  };

  it("carries Bedrock's counts, plain and streamed", async () => {
    const bedrock = createBedrock({
      endpoint: "http://bedrock.emulator",
      region: "us-east-1",
      credentials: EMULATOR_CREDENTIALS,
      models: { llama: "bedrock/llama/arn:aws:bedrock:us-east-1:123456789012:imported-model/abcd1234efgh" },
      fetch: answering,
    });
    const body = { model: "llama", messages: cutCall.messages, tools, tool_choice: "required" as const };
    const plain = await errorOf(() => bedrock.chat.completions.create(body), BedrockEdgeError);
    expect(plain).toMatchObject({ status: 500, code: "invalid_tool_call", usage: counts });
    const streamed = await errorOf(drained(bedrock, body), BedrockEdgeError);
    expect(streamed).toMatchObject({ status: 500, code: "invalid_tool_call", usage: counts });
  });
});
