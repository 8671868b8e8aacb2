// How answers end (endings52): one model answer, given by Bedrock plainly and as a stream, ends
// the same on every API: chat's finish_reason, and the Responses API's status and
// incomplete_details. The answers are Bedrock's own bodies and frames, written here where the
// emulator never writes them (toolUse under end_turn, a stop reason with nothing to go with it).
import { describe, expect, it } from "vitest";
import { chunkFrame, eventFrame } from "../emulator/frames.ts";
import { BedrockEdgeError, type ChatCompletionChunk, type ResponseStreamEvent } from "../src/index.ts";
import type { JsonObject } from "../src/json.ts";
import { converseAnswerEvents } from "../src/routes/converse/replay.ts";
import { emulated, model, type RouteName } from "./helpers/emulated.ts";
import { errorOf } from "./helpers/errors.ts";

const tools = [
  {
    type: "function" as const,
    function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } },
  },
];
const messages = [{ role: "user" as const, content: "Weather in Paris?" }];

/** Bedrock answering every call with `plain` (InvokeModel, Converse) or `frames` (the stream paths). */
function answering(plain: JsonObject, frames: Uint8Array[]) {
  const stream = new Uint8Array(frames.reduce((length, frame) => length + frame.byteLength, 0));
  let at = 0;
  for (const frame of frames) {
    stream.set(frame, at);
    at += frame.byteLength;
  }
  const fetch: typeof globalThis.fetch = async (input) => {
    const url = input instanceof Request ? input.url : String(input);
    return url.endsWith("-stream")
      ? new Response(stream.slice(), { headers: { "content-type": "application/vnd.amazon.eventstream" } })
      : new Response(JSON.stringify(plain), { headers: { "content-type": "application/json" } });
  };
  return emulated({ fetch }).bedrock;
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
