// A Converse tool call's arguments carry the model's values as written, plain or streamed, through
// chat and the Responses API (review parity6): a plain answer's `input` is read from Bedrock's
// body where it stands, as the stream's fragments are passed on, never parsed and written again
// (an id beyond 2^53 lost digits, 1e400 became null, 1.10 became 1.1).
import { describe, expect, it } from "vitest";
import { eventFrame } from "../emulator/frames.ts";
import { createBedrock, type FunctionTool } from "../src/index.ts";
import { concat, streamOf } from "./helpers/bytes.ts";
import { RESPONSES_WEATHER_TOOL } from "./helpers/tool-calls.ts";

// Streaming tool use (Claude), and tool use on Converse only (Llama: a stream is replayed from a plain call).
const CLAUDE = "bedrock/converse/us.anthropic.claude-sonnet-4-20250514-v1:0";
const LLAMA = "bedrock/converse/us.meta.llama3-3-70b-instruct-v1:0";
const INPUTS = ['{"user_id":1234567890123456789}', '{"x":1e400}', '{"amount":1.10,"ids":[9007199254740993,-0.0]}'];

/** The operations called, by path ending: "converse" or "converse-stream". */
let called: string[] = [];

/** Bedrock answering `input` as the model wrote it: a plain body, or ConverseStream frames in two fragments. */
function bedrockAnswering(input: string) {
  called = [];
  const plain = `{"output":{"message":{"role":"assistant","content":[{"text":"Looking."},{"toolUse":{"toolUseId":"tooluse_1","name":"get_weather","input":${input}}}]}},"stopReason":"tool_use","usage":{"inputTokens":9,"outputTokens":7,"totalTokens":16},"metrics":{"latencyMs":5}}`;
  const half = Math.floor(input.length / 2);
  const events: Array<[string, Record<string, unknown>]> = [
    ["messageStart", { role: "assistant" }],
    ["contentBlockDelta", { contentBlockIndex: 0, delta: { text: "Looking." } }],
    ["contentBlockStop", { contentBlockIndex: 0 }],
    [
      "contentBlockStart",
      { contentBlockIndex: 1, start: { toolUse: { toolUseId: "tooluse_1", name: "get_weather" } } },
    ],
    ["contentBlockDelta", { contentBlockIndex: 1, delta: { toolUse: { input: input.slice(0, half) } } }],
    ["contentBlockDelta", { contentBlockIndex: 1, delta: { toolUse: { input: input.slice(half) } } }],
    ["contentBlockStop", { contentBlockIndex: 1 }],
    ["messageStop", { stopReason: "tool_use" }],
    ["metadata", { usage: { inputTokens: 9, outputTokens: 7, totalTokens: 16 }, metrics: { latencyMs: 5 } }],
  ];
  const frames = concat(events.map(([type, payload], index) => eventFrame(type, payload, index)));
  return createBedrock({
    credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
    region: "us-east-1",
    fetch: async (url) => {
      const streams = String(url).endsWith("/converse-stream");
      called.push(streams ? "converse-stream" : "converse");
      return streams
        ? new Response(streamOf([frames]), { headers: { "content-type": "application/vnd.amazon.eventstream" } })
        : new Response(plain, { headers: { "content-type": "application/json" } });
    },
  });
}

const tools: FunctionTool[] = [
  {
    type: "function",
    function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } },
  },
];
const messages = [{ role: "user" as const, content: "Weather?" }];

async function chatArguments(input: string, model: string, stream: boolean): Promise<string[]> {
  const bedrock = bedrockAnswering(input);
  if (!stream) {
    const completion = await bedrock.chat.completions.create({ model, messages, tools });
    return (completion.choices[0]!.message.tool_calls ?? []).map((call) => call.function.arguments);
  }
  const calls: string[] = [];
  for await (const chunk of await bedrock.chat.completions.create({ model, messages, tools, stream: true })) {
    for (const call of chunk.choices[0]?.delta.tool_calls ?? []) {
      calls[call.index] = (calls[call.index] ?? "") + (call.function?.arguments ?? "");
    }
  }
  return calls;
}

interface FunctionCallItem {
  type: string;
  arguments?: string;
}

async function responsesArguments(input: string, model: string, stream: boolean): Promise<string[]> {
  const bedrock = bedrockAnswering(input);
  const request = { model, input: "Weather?", tools: [RESPONSES_WEATHER_TOOL] };
  const functionCalls = (output: FunctionCallItem[]) =>
    output.filter((item) => item.type === "function_call").map((item) => item.arguments ?? "");
  if (!stream) return functionCalls((await bedrock.responses.create(request)).output);
  const done: string[] = [];
  let completed: string[] = [];
  for await (const event of await bedrock.responses.create({ ...request, stream: true })) {
    if (event.type === "response.function_call_arguments.done") done.push(event.arguments);
    if (event.type === "response.completed") completed = functionCalls(event.response.output);
  }
  expect(done).toEqual(completed);
  return completed;
}

describe("converse tool-call arguments: the model's values as written, plain and streamed", () => {
  for (const input of INPUTS) {
    it(`${input}: chat, plain and streamed, and a stream replayed from a plain call`, async () => {
      expect(await chatArguments(input, CLAUDE, false)).toEqual([input]);
      expect(await chatArguments(input, CLAUDE, true)).toEqual([input]);
      expect(called).toEqual(["converse-stream"]);
      expect(await chatArguments(input, LLAMA, true)).toEqual([input]);
      expect(called).toEqual(["converse"]);
    });

    it(`${input}: the Responses API, plain and streamed`, async () => {
      expect(await responsesArguments(input, CLAUDE, false)).toEqual([input]);
      expect(await responsesArguments(input, CLAUDE, true)).toEqual([input]);
      expect(await responsesArguments(input, LLAMA, true)).toEqual([input]);
      expect(called).toEqual(["converse"]);
    });
  }
});
