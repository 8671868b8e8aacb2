// How answers end (endings52): one model answer, given by Bedrock plainly and as a stream, ends
// the same on every API: chat's finish_reason, and the Responses API's status and
// incomplete_details. The answers are Bedrock's own bodies and frames, written here where the
// emulator never writes them (toolUse under end_turn, a stop reason with nothing to go with it).
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { EMULATOR_CREDENTIALS } from "../emulator/credentials.ts";
import { chunkFrame, eventFrame } from "../emulator/frames.ts";
import type { ModelIdOption } from "../emulator/model-id.ts";
import {
  BedrockEdgeError,
  type BedrockOptions,
  type ChatCompletionChunk,
  type ResponseStreamEvent,
} from "../src/index.ts";
import type { JsonObject } from "../src/json.ts";
import { converseAnswerEvents } from "../src/routes/converse/replay.ts";
import { createApp } from "../worker/app.ts";
import type { LogLine } from "../worker/log.ts";
import { emulated, model, type RouteName } from "./helpers/emulated.ts";
import { errorOf } from "./helpers/errors.ts";
import { inProcessProxy } from "./helpers/in-process-proxy.ts";

const tools = [
  {
    type: "function" as const,
    function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } },
  },
];
const messages = [{ role: "user" as const, content: "Weather in Paris?" }];
const TEMPLATE_ROUTES = ["deepseek_r1", "llama", "qwen3", "qwen2"] as const;

/** Bedrock answering every call with `plain` (InvokeModel, Converse) or `frames` (the stream paths). */
function bedrockFetch(plain: JsonObject, frames: Uint8Array[]): typeof globalThis.fetch {
  const stream = new Uint8Array(frames.reduce((length, frame) => length + frame.byteLength, 0));
  let at = 0;
  for (const frame of frames) {
    stream.set(frame, at);
    at += frame.byteLength;
  }
  return async (input) => {
    const url = input instanceof Request ? input.url : String(input);
    return url.endsWith("-stream")
      ? new Response(stream.slice(), { headers: { "content-type": "application/vnd.amazon.eventstream" } })
      : new Response(JSON.stringify(plain), { headers: { "content-type": "application/json" } });
  };
}

/** A library client whose Bedrock answers so. */
function answering(plain: JsonObject, frames: Uint8Array[], options: Partial<BedrockOptions> = {}) {
  return emulated({ ...options, fetch: bedrockFetch(plain, frames) }).bedrock;
}

/** A Converse answer, and the ConverseStream events that carry the same answer. */
function converse(content: JsonObject[], stopReason?: string) {
  const body: JsonObject = {
    output: { message: { role: "assistant", content } },
    usage: { inputTokens: 3, outputTokens: 5, totalTokens: 8 },
  };
  if (stopReason !== undefined) body.stopReason = stopReason;
  const events = converseAnswerEvents(body).filter(
    // Without a stop reason, the stream has no messageStop (the replay would invent end_turn).
    (event) => stopReason !== undefined || event.type !== "messageStop",
  );
  return answering(
    body,
    events.map((event, index) => eventFrame(event.type, event.json, index)),
  );
}

interface Ending {
  finish: string | null;
  calls: number;
}

async function plainEnding(bedrock: ReturnType<typeof answering>, name: string, extra: object = {}): Promise<Ending> {
  const answer = await bedrock.chat.completions.create({ model: name, messages, tools, ...extra });
  const choice = answer.choices[0]!;
  return { finish: choice.finish_reason, calls: choice.message.tool_calls?.length ?? 0 };
}

async function streamEnding(bedrock: ReturnType<typeof answering>, name: string, extra: object = {}): Promise<Ending> {
  const stream = await bedrock.chat.completions.create({ model: name, messages, tools, stream: true, ...extra });
  const ending: Ending = { finish: null, calls: 0 };
  for await (const chunk of stream as AsyncIterable<ChatCompletionChunk>) {
    for (const choice of chunk.choices) {
      ending.calls += choice.delta.tool_calls?.filter((call) => call.id !== undefined).length ?? 0;
      if (choice.finish_reason) ending.finish = choice.finish_reason;
    }
  }
  return ending;
}

const responseTools = [
  { type: "function" as const, name: "get_weather", parameters: tools[0]!.function.parameters, strict: false },
];

/** The Responses API's ending, plain and streamed: its status, incomplete_details and last event. */
async function responseEndings(bedrock: ReturnType<typeof answering>, name: string) {
  const request = { model: name, input: "Weather in Paris?", tools: responseTools };
  const plain = await bedrock.responses.create(request);
  const events: ResponseStreamEvent[] = [];
  for await (const event of await bedrock.responses.create({ ...request, stream: true })) events.push(event);
  const last = events.at(-1)!;
  return {
    plain: { status: plain.status, details: plain.incomplete_details },
    stream: {
      type: last.type,
      ...("response" in last ? { status: last.response.status, details: last.response.incomplete_details } : {}),
    },
  };
}

const call = { toolUse: { toolUseId: "tooluse_1", name: "get_weather", input: { city: "Paris" } } };

describe("tool calls given back end with tool_calls", () => {
  it.each(["end_turn", "stop_sequence", "malformed_tool_use"])(
    "converse: calls under stopReason %s are tool_calls, plain and streamed, as the other routes say",
    async (stopReason) => {
      const bedrock = converse([{ text: "Let me check." }, call], stopReason);
      const expected: Ending = { finish: "tool_calls", calls: 1 };
      expect(await plainEnding(bedrock, model("converse"))).toEqual(expected);
      expect(await streamEnding(bedrock, model("converse"))).toEqual(expected);
    },
  );

  it("the openai and template routes say the same of calls under a plain stop", async () => {
    const openai = answering(
      {
        choices: [
          {
            index: 0,
            message: {
              role: "assistant",
              content: null,
              tool_calls: [
                { id: "c1", type: "function", function: { name: "get_weather", arguments: '{"city": "Paris"}' } },
              ],
            },
            finish_reason: "stop",
          },
        ],
      },
      [
        chunkFrame({
          choices: [
            {
              index: 0,
              delta: {
                tool_calls: [
                  {
                    index: 0,
                    id: "c1",
                    type: "function",
                    function: { name: "get_weather", arguments: '{"city": "Paris"}' },
                  },
                ],
              },
            },
          ],
        }),
        chunkFrame({ choices: [{ index: 0, delta: {}, finish_reason: "stop" }] }, 1),
      ],
    );
    const expected: Ending = { finish: "tool_calls", calls: 1 };
    expect(await plainEnding(openai, model("openai"))).toEqual(expected);
    expect(await streamEnding(openai, model("openai"))).toEqual(expected);
    const written = '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>';
    const qwen = answering({ text: written, stop_reason: "stop" }, [
      chunkFrame({ text: written.slice(0, 20), stop_reason: null }),
      chunkFrame({ text: written.slice(20), stop_reason: "stop" }, 1),
    ]);
    expect(await plainEnding(qwen, model("qwen2"))).toEqual(expected);
    expect(await streamEnding(qwen, model("qwen2"))).toEqual(expected);
  });
});

describe("tool calls and the token limit", () => {
  it("converse: a call the limit cut is given as it came, plain and streamed, and the answer ends with length", async () => {
    const bedrock = converse([{ text: "Let me check." }, call], "max_tokens");
    const expected: Ending = { finish: "length", calls: 1 };
    expect(await plainEnding(bedrock, model("converse"))).toEqual(expected);
    expect(await streamEnding(bedrock, model("converse"))).toEqual(expected);
    expect(await responseEndings(bedrock, model("converse"))).toEqual({
      plain: { status: "incomplete", details: { reason: "max_output_tokens" } },
      stream: { type: "response.incomplete", status: "incomplete", details: { reason: "max_output_tokens" } },
    });
  });

  it("openai: a structured call under finish_reason length keeps length, plain and streamed", async () => {
    const cut = { id: "c1", type: "function", function: { name: "get_weather", arguments: '{"city": "Pa' } };
    const bedrock = answering(
      {
        choices: [
          { index: 0, message: { role: "assistant", content: null, tool_calls: [cut] }, finish_reason: "length" },
        ],
      },
      [
        chunkFrame({ choices: [{ index: 0, delta: { tool_calls: [{ index: 0, ...cut }] } }] }),
        chunkFrame({ choices: [{ index: 0, delta: {}, finish_reason: "length" }] }, 1),
      ],
    );
    const expected: Ending = { finish: "length", calls: 1 };
    expect(await plainEnding(bedrock, model("openai"))).toEqual(expected);
    expect(await streamEnding(bedrock, model("openai"))).toEqual(expected);
  });
});

describe("a stop reason of tool calls with none given back", () => {
  it("converse: tool_use with only text is stop, plain and streamed (a client's tool loop finds no call to run)", async () => {
    const bedrock = converse([{ text: "I would check the weather." }], "tool_use");
    const expected: Ending = { finish: "stop", calls: 0 };
    expect(await plainEnding(bedrock, model("converse"))).toEqual(expected);
    expect(await streamEnding(bedrock, model("converse"))).toEqual(expected);
  });

  it("openai: finish_reason tool_calls without calls is stop, plain and streamed", async () => {
    const bedrock = answering(
      { choices: [{ index: 0, message: { role: "assistant", content: "No call." }, finish_reason: "tool_calls" }] },
      [
        chunkFrame({ choices: [{ index: 0, delta: { content: "No call." } }] }),
        chunkFrame({ choices: [{ index: 0, delta: {}, finish_reason: "tool_calls" }] }, 1),
      ],
    );
    const expected: Ending = { finish: "stop", calls: 0 };
    expect(await plainEnding(bedrock, model("openai"))).toEqual(expected);
    expect(await streamEnding(bedrock, model("openai"))).toEqual(expected);
  });
});

/**
 * Each route's answer that names no stop reason, plainly and as a stream whose frames all arrived
 * (the emulator's text, then a clean end).
 */
const UNNAMED: Array<{ route: RouteName; plain: JsonObject; frames: Uint8Array[] }> = [
  {
    route: "llama",
    plain: { generation: "Hello.", prompt_token_count: 3, generation_token_count: 2, stop_reason: null },
    frames: [chunkFrame({ generation: "Hello.", prompt_token_count: 3, generation_token_count: 2, stop_reason: null })],
  },
  {
    route: "qwen2",
    plain: { text: "Hello.", stop_reason: null },
    frames: [chunkFrame({ text: "Hello.", stop_reason: null })],
  },
  {
    route: "openai",
    plain: { choices: [{ index: 0, message: { role: "assistant", content: "Hello." }, finish_reason: null }] },
    frames: [chunkFrame({ choices: [{ index: 0, delta: { content: "Hello." }, finish_reason: null }] })],
  },
];

describe("an answer that names no stop reason", () => {
  it.each(UNNAMED)(
    "$route: plain, a whole body, is stop; streamed, a stream that may have lost its last frame, is a 502 incomplete_stream",
    async ({ route, plain, frames }) => {
      const bedrock = answering(plain, frames);
      expect(await plainEnding(bedrock, model(route))).toEqual({ finish: "stop", calls: 0 });
      const error = await errorOf(() => streamEnding(bedrock, model(route)), BedrockEdgeError);
      expect(error).toMatchObject({ status: 502, code: "incomplete_stream" });
      expect(await responseEndings(bedrock, model(route))).toMatchObject({
        plain: { status: "completed", details: null },
        stream: { type: "response.failed", status: "failed" },
      });
    },
  );

  it("converse: an answer without stopReason is stop, a stream without messageStop a 502 incomplete_stream", async () => {
    const bedrock = converse([{ text: "Hello." }]);
    expect(await plainEnding(bedrock, model("converse"))).toEqual({ finish: "stop", calls: 0 });
    const error = await errorOf(() => streamEnding(bedrock, model("converse")), BedrockEdgeError);
    expect(error).toMatchObject({ status: 502, code: "incomplete_stream" });
  });

  it("legacy Completions read it the same: a plain stop, a streamed incomplete_stream", async () => {
    const { plain, frames } = UNNAMED[0]!;
    const bedrock = answering(plain, frames);
    const completion = await bedrock.completions.create({ model: model("llama"), prompt: "Hi", max_tokens: 9 });
    expect(completion.choices[0]?.finish_reason).toBe("stop");
    const error = await errorOf(async () => {
      for await (const _ of await bedrock.completions.create({
        model: model("llama"),
        prompt: "Hi",
        max_tokens: 9,
        stream: true,
      })) {
        // read to the end
      }
    }, BedrockEdgeError);
    expect(error).toMatchObject({ status: 502, code: "incomplete_stream" });
  });
});

describe("a generation vLLM gave up (finish_reason abort or error)", () => {
  const formats = (
    reason: string,
  ): Array<{ route: RouteName; wire?: "openai_completion"; plain: JsonObject; frames: Uint8Array[] }> => [
    {
      route: "openai",
      plain: { choices: [{ index: 0, message: { role: "assistant", content: "Once upon" }, finish_reason: reason }] },
      frames: [
        chunkFrame({ choices: [{ index: 0, delta: { content: "Once upon" } }] }),
        chunkFrame({ choices: [{ index: 0, delta: {}, finish_reason: reason }] }, 1),
      ],
    },
    {
      route: "qwen3",
      wire: "openai_completion",
      plain: { choices: [{ index: 0, text: "Once upon", finish_reason: reason }] },
      frames: [
        chunkFrame({ choices: [{ index: 0, text: "Once upon" }] }),
        chunkFrame({ choices: [{ index: 0, text: "", finish_reason: reason }] }, 1),
      ],
    },
  ];

  it.each(["abort", "error"])("%s is a 502 plain and streamed, never a whole answer", async (reason) => {
    for (const { route, wire, plain, frames } of formats(reason)) {
      const client = answering(plain, frames, {
        models: { m: { model: model(route), ...(wire ? { wire_format: wire } : {}) } },
      });
      const plainError = await errorOf(() => plainEnding(client, "m"), BedrockEdgeError);
      expect(plainError, `${route} plain`).toMatchObject({ status: 502, code: "bad_upstream_response" });
      expect(plainError.message).toContain(`"${reason}"`);
      const streamError = await errorOf(() => streamEnding(client, "m"), BedrockEdgeError);
      expect(streamError, `${route} stream`).toMatchObject({ status: 502, code: "incomplete_stream" });
      // The stream named a stop reason ("abort"): the message must not say it named none.
      expect(streamError.message).toBe(`Bedrock's stream ended before the model finished (route ${route}).`);
      const request = { model: "m", input: "Once" };
      const responseError = await errorOf(() => client.responses.create(request), BedrockEdgeError);
      expect(responseError, `${route} Responses`).toMatchObject({ status: 502, code: "bad_upstream_response" });
      const events: string[] = [];
      for await (const event of await client.responses.create({ ...request, stream: true })) events.push(event.type);
      expect(events.slice(-2), `${route} Responses stream`).toEqual(["error", "response.failed"]);
    }
  });

  it.each(["abort", "error"])("%s in legacy Completions: a 502 plain and streamed", async (reason) => {
    const client = answering(
      { choices: [{ index: 0, text: "Once upon", finish_reason: reason }] },
      [
        chunkFrame({ choices: [{ index: 0, text: "Once upon" }] }),
        chunkFrame({ choices: [{ index: 0, text: "", finish_reason: reason }] }, 1),
      ],
      { models: { m: { model: model("qwen3"), wire_format: "openai_completion" } } },
    );
    const request = { model: "m", prompt: "Once", max_tokens: 9 };
    const plainError = await errorOf(() => client.completions.create(request), BedrockEdgeError);
    expect(plainError).toMatchObject({ status: 502, code: "bad_upstream_response" });
    const streamError = await errorOf(async () => {
      for await (const _ of await client.completions.create({ ...request, stream: true })) {
        // read to the end
      }
    }, BedrockEdgeError);
    expect(streamError).toMatchObject({ status: 502, code: "incomplete_stream" });
  });

  // codereview52: Bedrock billed the generation it gave up, as it bills an answer the library
  // refuses once read (refused-answer-usage.test.ts): the 502 carries the counts the answer told.
  const counts = { prompt_tokens: 4, completion_tokens: 2, total_tokens: 6 };
  const metrics = { inputTokenCount: 4, outputTokenCount: 2, invocationLatency: 9, firstByteLatency: 3 };
  it.each(["abort", "error"])("%s: the 502 carries Bedrock's counts, plain and streamed", async (reason) => {
    const bodies: Array<{ route: RouteName; wire?: "openai_completion"; plain: JsonObject; frames: Uint8Array[] }> = [
      {
        route: "openai",
        plain: {
          choices: [{ index: 0, message: { role: "assistant", content: "Once upon" }, finish_reason: reason }],
          usage: counts,
        },
        frames: [
          chunkFrame({ choices: [{ index: 0, delta: { content: "Once upon" } }] }),
          chunkFrame({ choices: [{ index: 0, delta: {}, finish_reason: reason }] }, 1),
          chunkFrame({ choices: [], usage: counts, "amazon-bedrock-invocationMetrics": metrics }, 2),
        ],
      },
      {
        route: "qwen3",
        wire: "openai_completion",
        plain: { choices: [{ index: 0, text: "Once upon", finish_reason: reason }], usage: counts },
        frames: [
          chunkFrame({ choices: [{ index: 0, text: "Once upon" }] }),
          chunkFrame({ choices: [{ index: 0, text: "", finish_reason: reason }] }, 1),
          chunkFrame({ choices: [], usage: counts, "amazon-bedrock-invocationMetrics": metrics }, 2),
        ],
      },
      {
        route: "llama",
        plain: { generation: "Once upon", stop_reason: reason, prompt_token_count: 4, generation_token_count: 2 },
        frames: [
          chunkFrame({ generation: "Once upon", stop_reason: null, prompt_token_count: 4 }),
          chunkFrame({ generation: "", stop_reason: reason, "amazon-bedrock-invocationMetrics": metrics }, 1),
        ],
      },
    ];
    for (const { route, wire, plain, frames } of bodies) {
      const client = answering(plain, frames, {
        models: { m: { model: model(route), ...(wire ? { wire_format: wire } : {}) } },
      });
      const plainError = await errorOf(() => plainEnding(client, "m"), BedrockEdgeError);
      expect(plainError, `${route} plain`).toMatchObject({ code: "bad_upstream_response", usage: counts });
      const streamError = await errorOf(() => streamEnding(client, "m"), BedrockEdgeError);
      expect(streamError, `${route} stream`).toMatchObject({ code: "incomplete_stream", usage: counts });
      if (route === "openai") continue;
      // Legacy Completions: the call's counts, and no estimate of it beside them.
      const legacy = await errorOf(() => client.completions.create({ model: "m", prompt: "Once" }), BedrockEdgeError);
      expect(legacy, `${route} legacy`).toMatchObject({ code: "bad_upstream_response", usage: counts });
      expect(legacy.unmeteredCalls, `${route} legacy`).toBeUndefined();
    }
  });

  it("a copy that gave the generation up is left for another, and what it was billed told (codereview52)", async () => {
    let calls = 0;
    const fetch: typeof globalThis.fetch = async () => {
      calls++;
      const reason = calls === 1 ? "abort" : "stop";
      return Response.json({
        choices: [{ index: 0, message: { role: "assistant", content: "Once upon" }, finish_reason: reason }],
        usage: calls === 1 ? counts : { prompt_tokens: 4, completion_tokens: 3, total_tokens: 7 },
      });
    };
    const copy = (id: string) => `bedrock/openai/arn:aws:bedrock:us-east-1:123456789012:imported-model/${id}`;
    const client = emulated({
      fetch,
      models: { m: { deployments: [{ model: copy("aaaaaaaaaaaa") }, { model: copy("bbbbbbbbbbbb") }] } },
    }).bedrock;
    const told: unknown[] = [];
    const answer = await client.chat.completions.create(
      { model: "m", messages },
      { onFailoverUsage: (event) => told.push(event) },
    );
    expect([calls, answer.choices[0]?.finish_reason, answer.usage?.completion_tokens]).toEqual([2, "stop", 3]);
    expect(told).toEqual([{ usage: counts }]);
  });
});

/** A chat answer, plain or streamed and joined as a client joins it. */
interface Whole {
  content: string;
  reasoning: string;
  calls: string[];
  finish: string | null;
  usage: boolean;
}

async function plainWhole(bedrock: ReturnType<typeof emulated>["bedrock"], request: object): Promise<Whole> {
  const answer = await bedrock.chat.completions.create({ model: "m", messages, ...request });
  const { message, finish_reason } = answer.choices[0]!;
  return {
    content: message.content ?? "",
    reasoning: message.reasoning_content ?? "",
    calls: (message.tool_calls ?? []).map((call) => `${call.function.name} ${call.function.arguments}`),
    finish: finish_reason,
    usage: answer.usage !== undefined,
  };
}

async function streamedWhole(bedrock: ReturnType<typeof emulated>["bedrock"], request: object): Promise<Whole> {
  const stream = await bedrock.chat.completions.create({
    model: "m",
    messages,
    ...request,
    stream: true,
    stream_options: { include_usage: true },
  });
  const whole: Whole = { content: "", reasoning: "", calls: [], finish: null, usage: false };
  const calls: Array<{ name: string; arguments: string }> = [];
  for await (const chunk of stream as AsyncIterable<ChatCompletionChunk>) {
    if (chunk.usage) whole.usage = true;
    for (const choice of chunk.choices) {
      whole.content += choice.delta.content ?? "";
      whole.reasoning += choice.delta.reasoning_content ?? "";
      for (const call of choice.delta.tool_calls ?? []) {
        calls[call.index] ??= { name: "", arguments: "" };
        calls[call.index]!.name += call.function?.name ?? "";
        calls[call.index]!.arguments += call.function?.arguments ?? "";
      }
      if (choice.finish_reason) whole.finish = choice.finish_reason;
    }
  }
  whole.calls = calls.map((call) => `${call.name} ${call.arguments}`);
  return whole;
}

/** The emulated model `route` in `wire_format` (the template routes' default when absent), as "m". */
function emulatedModel(route: RouteName, options: ModelIdOption[], wire?: "openai_completion") {
  return emulated({ models: { m: { model: model(route, ...options), ...(wire ? { wire_format: wire } : {}) } } })
    .bedrock;
}

describe("a stop sequence that matches", () => {
  it.each([
    ["deepseek_r1", undefined],
    ["qwen3", "openai_completion"],
    ["openai", undefined],
  ] as const)(
    "%s (%s): inside the reasoning, it ends the answer there, plain and streamed alike, usage kept",
    async (route, wire) => {
      const bedrock = emulatedModel(route, ["think"], wire);
      const request = { stop: ["user wants"] };
      const plain = await plainWhole(bedrock, request);
      // (The template routes drop the think block's layout, its trailing space included.)
      expect({ ...plain, reasoning: plain.reasoning.trimEnd() }).toEqual({
        content: "",
        reasoning: "Okay, the",
        calls: [],
        finish: "stop",
        usage: true,
      });
      expect(await streamedWhole(bedrock, request)).toEqual(plain);
    },
  );

  it.each(["deepseek_r1", "qwen3"] as const)(
    "%s: a stop on or inside the think block's close ends the reasoning there, plain and streamed alike",
    async (route) => {
      const bedrock = emulatedModel(route, ["think"]);
      for (const stop of ["</think>", "\n</think>", "</", "message was.\n</th"]) {
        const plain = await plainWhole(bedrock, { stop: [stop] });
        expect(plain, stop).toMatchObject({ content: "", calls: [], finish: "stop", usage: true });
        expect(plain.reasoning, stop).toMatch(/^Okay, the user wants/);
        expect(await streamedWhole(bedrock, { stop: [stop] }), stop).toEqual(plain);
      }
      // One that matches the opening <think> Qwen3 writes leaves the text before it, as content.
      const opening = await plainWhole(bedrock, { stop: ["think>"] });
      expect(opening).toMatchObject({ reasoning: route === "qwen3" ? "" : expect.stringMatching(/^Okay/) });
      expect(await streamedWhole(bedrock, { stop: ["think>"] })).toEqual(opening);
    },
  );

  it.each(["llama", "qwen2", "openai", "converse"] as const)(
    "%s: a stop split across the stream's frames cuts the text where the plain answer's is cut",
    async (route) => {
      const bedrock = emulatedModel(route, []);
      const request = { stop: ["Bedrock emulator"] };
      const plain = await plainWhole(bedrock, request);
      expect(plain).toEqual({ content: "Hello from the ", reasoning: "", calls: [], finish: "stop", usage: true });
      expect(await streamedWhole(bedrock, request)).toEqual(plain);
    },
  );

  it.each(TEMPLATE_ROUTES)(
    "%s: inside a call's markup, the cut call is no call: its text and stop, plain and streamed alike",
    async (route) => {
      const bedrock = emulatedModel(route, ["tool"]);
      const request = { tools, stop: ["Paris"] };
      const plain = await plainWhole(bedrock, request);
      expect(plain).toMatchObject({ calls: [], finish: "stop", usage: true });
      expect(plain.content).toContain("get_weather");
      expect(await streamedWhole(bedrock, request)).toEqual(plain);
    },
  );

  it.each(["qwen2", "llama", "deepseek_r1", "qwen3"] as const)(
    "%s: inside a forced call's arguments, a 400 tool_call_cut naming stop, plain and streamed alike",
    async (route) => {
      const bedrock = emulatedModel(route, []);
      const request = { tools, tool_choice: "required", stop: ["Paris"] };
      for (const read of [plainWhole, streamedWhole]) {
        const error = await errorOf(() => read(bedrock, request), BedrockEdgeError);
        expect(error, read.name).toMatchObject({ status: 400, code: "tool_call_cut", param: "stop" });
      }
    },
  );
});

/** The Responses API's ending for `route`'s emulated model: status, details, and each item's type and status. */
async function responseItems(bedrock: ReturnType<typeof emulated>["bedrock"], request: object) {
  const asked = { model: "m", input: "Weather in Paris?", ...request };
  const plain = await bedrock.responses.create(asked);
  let last: ResponseStreamEvent | undefined;
  for await (const event of await bedrock.responses.create({ ...asked, stream: true })) last = event;
  const shown = (response: typeof plain) => ({
    status: response.status,
    details: response.incomplete_details,
    items: response.output.map((item) => `${item.type} ${"status" in item ? item.status : ""}`),
  });
  return {
    plain: shown(plain),
    last: last?.type,
    streamed: last && "response" in last ? shown(last.response) : undefined,
  };
}

describe("the token limit inside a tool call or a think block", () => {
  it.each(TEMPLATE_ROUTES)(
    "%s: a free call cut before its arguments are whole is no call, plain and streamed: length",
    async (route) => {
      const bedrock = emulatedModel(route, ["tool"]);
      const request = { tools, max_tokens: 8 };
      const plain = await plainWhole(bedrock, request);
      expect(plain).toMatchObject({ calls: [], finish: "length", usage: true });
      expect(await streamedWhole(bedrock, request)).toEqual(plain);
      const ended = await responseItems(bedrock, { tools: responseTools, max_output_tokens: 8 });
      expect(ended.plain).toMatchObject({ status: "incomplete", details: { reason: "max_output_tokens" } });
      expect(ended.plain.items.some((item) => item.startsWith("function_call"))).toBe(false);
      expect(ended).toMatchObject({ last: "response.incomplete", streamed: ended.plain });
    },
  );

  it.each(TEMPLATE_ROUTES)(
    "%s: a forced call cut is the call with its arguments so far, plain and streamed: length",
    async (route) => {
      const bedrock = emulatedModel(route, []);
      const request = { tools, tool_choice: "required", max_tokens: 4 };
      const plain = await plainWhole(bedrock, request);
      expect(plain).toMatchObject({ finish: "length", usage: true });
      expect(plain.calls).toHaveLength(1);
      expect(plain.calls[0]).toMatch(/^get_weather /);
      expect(await streamedWhole(bedrock, request)).toEqual(plain);
      const ended = await responseItems(bedrock, {
        tools: responseTools,
        tool_choice: "required",
        max_output_tokens: 4,
      });
      expect(ended.plain).toMatchObject({
        status: "incomplete",
        details: { reason: "max_output_tokens" },
        items: ["function_call incomplete"],
      });
      expect(ended).toMatchObject({ last: "response.incomplete", streamed: ended.plain });
    },
  );

  it.each(["deepseek_r1", "qwen3", "openai", "converse"] as const)(
    "%s: cut inside the reasoning, the reasoning so far and no content, plain and streamed: length",
    async (route) => {
      const bedrock = emulatedModel(route, ["think"]);
      const request = { max_tokens: 3 };
      const plain = await plainWhole(bedrock, request);
      expect(plain).toMatchObject({ content: "", calls: [], finish: "length", usage: true });
      expect(plain.reasoning).not.toBe("");
      expect(await streamedWhole(bedrock, request)).toEqual(plain);
      const ended = await responseItems(bedrock, { max_output_tokens: 3 });
      expect(ended.plain).toMatchObject({ status: "incomplete", details: { reason: "max_output_tokens" } });
      expect(ended).toMatchObject({ last: "response.incomplete", streamed: ended.plain });
    },
  );
});

/** The proxy in-process, Bedrock answering `plain` or `frames`; the log lines it wrote. */
function proxyAnswering(name: string, plain: JsonObject, frames: Uint8Array[]) {
  const fetch = bedrockFetch(plain, frames);
  const lines: LogLine[] = [];
  const app = createApp({
    env: {
      MODELS: JSON.stringify({ m: name }),
      PROXY_API_KEYS: "sk-test",
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
      BEDROCK_ENDPOINT: "http://bedrock.emulator",
    },
    fetch,
    log: (line) => lines.push(structuredClone(line)),
  });
  const client = new OpenAI({
    apiKey: "sk-test",
    baseURL: "http://proxy.test/v1",
    maxRetries: 0,
    fetch: async (url, init) => app.request(String(url), init),
  });
  return { client, lines };
}

describe("the proxy ends an answer as the library does", () => {
  it("converse: calls under end_turn are tool_calls, plain and streamed, and so says the log line", async () => {
    const body: JsonObject = {
      output: { message: { role: "assistant", content: [{ text: "Let me check." }, call] } },
      stopReason: "end_turn",
      usage: { inputTokens: 3, outputTokens: 5, totalTokens: 8 },
    };
    const frames = converseAnswerEvents(body).map((event, index) => eventFrame(event.type, event.json, index));
    const { client, lines } = proxyAnswering(model("converse"), body, frames);
    const plain = await client.chat.completions.create({ model: "m", messages, tools });
    expect(plain.choices[0]).toMatchObject({
      finish_reason: "tool_calls",
      message: { tool_calls: [{ id: "tooluse_1" }] },
    });
    let finish: string | null = null;
    for await (const chunk of await client.chat.completions.create({ model: "m", messages, tools, stream: true })) {
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(finish).toBe("tool_calls");
    expect(lines.map((line) => line.finish_reasons)).toEqual([["tool_calls"], ["tool_calls"]]);
  });

  it.each(["llama", "converse"] as const)(
    "%s: an answer cut by the token limit is length, an incomplete Response and a legacy length, plain and streamed",
    async (route) => {
      const { client, lines } = inProcessProxy({ m: model(route, "length") });
      const chat = await client.chat.completions.create({ model: "m", messages });
      let streamed: string | null = null;
      for await (const chunk of await client.chat.completions.create({ model: "m", messages, stream: true })) {
        streamed = chunk.choices[0]?.finish_reason ?? streamed;
      }
      expect([chat.choices[0]?.finish_reason, streamed]).toEqual(["length", "length"]);
      const response = await client.responses.create({ model: "m", input: "Hi" });
      let last: string | undefined;
      let details: unknown;
      for await (const event of await client.responses.create({ model: "m", input: "Hi", stream: true })) {
        last = event.type;
        if (event.type === "response.incomplete") details = event.response.incomplete_details;
      }
      expect([response.status, response.incomplete_details, last, details]).toEqual([
        "incomplete",
        { reason: "max_output_tokens" },
        "response.incomplete",
        { reason: "max_output_tokens" },
      ]);
      expect(lines.map((line) => line.finish_reasons)).toEqual([["length"], ["length"], ["length"], ["length"]]);
      if (route === "converse") return;
      const legacy = await client.completions.create({ model: "m", prompt: "Hi", max_tokens: 9 });
      let legacyStreamed: string | null = null;
      for await (const chunk of await client.completions.create({
        model: "m",
        prompt: "Hi",
        max_tokens: 9,
        stream: true,
      })) {
        legacyStreamed = chunk.choices[0]?.finish_reason ?? legacyStreamed;
      }
      expect([legacy.choices[0]?.finish_reason, legacyStreamed]).toEqual(["length", "length"]);
    },
  );

  it("openai: a generation vLLM aborted is a 502 plain, and an error after the text streamed", async () => {
    const { client } = proxyAnswering(
      model("openai"),
      { choices: [{ index: 0, message: { role: "assistant", content: "Once upon" }, finish_reason: "abort" }] },
      [
        chunkFrame({ choices: [{ index: 0, delta: { content: "Once upon" } }] }),
        chunkFrame({ choices: [{ index: 0, delta: {}, finish_reason: "abort" }] }, 1),
      ],
    );
    const plain = await errorOf(() => client.chat.completions.create({ model: "m", messages }), OpenAI.APIError);
    expect(plain).toMatchObject({ status: 502, code: "bad_upstream_response" });
    let text = "";
    const streamed = await errorOf(async () => {
      for await (const chunk of await client.chat.completions.create({ model: "m", messages, stream: true })) {
        text += chunk.choices[0]?.delta.content ?? "";
      }
    });
    expect(text).toBe("Once upon");
    expect(streamed).toMatchObject({ message: expect.stringContaining("before the model finished") });
  });

  it("openai: the log line of a generation vLLM aborted has Bedrock's counts (codereview52)", async () => {
    const usage = { prompt_tokens: 4, completion_tokens: 2, total_tokens: 6 };
    const { client, lines } = proxyAnswering(
      model("openai"),
      { choices: [{ index: 0, message: { role: "assistant", content: "Once" }, finish_reason: "abort" }], usage },
      [],
    );
    await errorOf(() => client.chat.completions.create({ model: "m", messages }), OpenAI.APIError);
    await errorOf(() => client.responses.create({ model: "m", input: "Once" }), OpenAI.APIError);
    expect(
      lines.map(({ status, error_code, prompt_tokens, completion_tokens }) => ({
        status,
        error_code,
        prompt_tokens,
        completion_tokens,
      })),
    ).toEqual([
      { status: 502, error_code: "bad_upstream_response", prompt_tokens: 4, completion_tokens: 2 },
      { status: 502, error_code: "bad_upstream_response", prompt_tokens: 4, completion_tokens: 2 },
    ]);
  });
});

describe("a filtered answer", () => {
  it.each(["guardrail", "filtered"] as const)(
    "converse %s: content_filter plain and streamed, an incomplete Response (content_filter) both ways",
    async (option) => {
      const bedrock = emulatedModel("converse", [option]);
      const plain = await plainWhole(bedrock, {});
      expect(plain).toMatchObject({ calls: [], finish: "content_filter", usage: true });
      expect(await streamedWhole(bedrock, {})).toEqual(plain);
      const ended = await responseItems(bedrock, {});
      expect(ended.plain).toEqual({
        status: "incomplete",
        details: { reason: "content_filter" },
        items: ["message incomplete"],
      });
      expect(ended).toMatchObject({ last: "response.incomplete", streamed: ended.plain });
    },
  );
});
