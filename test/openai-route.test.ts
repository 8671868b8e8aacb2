// The openai route (Bedrock's OpenAIChatCompletion) against the emulator's vLLM-shaped answers:
// clean OpenAI shapes out, logprobs and prompt logprobs when asked, structured outputs through,
// Bedrock's image limit, n, and tool calls written as text read by the model's tool_parser.
import { describe, expect, it } from "vitest";
import { REASONING_TEXT } from "../emulator/answers.ts";
import {
  BedrockEdgeError,
  type ChatCompletion,
  type ChatCompletionChunk,
  type ChatCompletionCreateParams,
} from "../src/index.ts";
import { emulated, model } from "./helpers/emulated.ts";
import { expectOneWeatherCall } from "./helpers/tool-calls.ts";
import { errorOf } from "./helpers/errors.ts";

const hello = [{ role: "user" as const, content: "Hello, wörld 👋" }];
const tools: ChatCompletionCreateParams["tools"] = [
  {
    type: "function",
    function: {
      name: "get_weather",
      parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
    },
  },
];
const PIXEL = "data:image/png;base64,iVBORw0KGgo=";

async function collect(stream: AsyncIterable<ChatCompletionChunk>) {
  const chunks: ChatCompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  const content: string[] = [];
  const calls: Array<{ index: number; name?: string; arguments?: string; id?: string }> = [];
  const finishes: string[] = [];
  for (const chunk of chunks) {
    for (const choice of chunk.choices) {
      content[choice.index] = (content[choice.index] ?? "") + (choice.delta.content ?? "");
      for (const call of choice.delta.tool_calls ?? [])
        calls.push({ index: call.index, id: call.id, ...call.function });
      if (choice.finish_reason) finishes[choice.index] = choice.finish_reason;
    }
  }
  return { chunks, content, calls, finishes };
}

/** Every key anywhere in a JSON value. */
function keysOf(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) keysOf(item, into);
  else if (value !== null && typeof value === "object") {
    for (const [key, inner] of Object.entries(value)) {
      into.add(key);
      keysOf(inner, into);
    }
  }
  return into;
}

const VLLM_EXTRAS = [
  "stop_reason",
  "token_ids",
  "prompt_token_ids",
  "kv_transfer_params",
  "prompt_logprobs",
  "service_tier",
  "system_fingerprint",
  "annotations",
  "audio",
  "function_call",
];

describe("vLLM's answer in clean OpenAI shapes", () => {
  it("plain: no vLLM extras, no empty tool_calls, no null reasoning_content", async () => {
    const { bedrock } = emulated();
    const completion = await bedrock.chat.completions.create({ model: model("openai"), messages: hello });
    const keys = keysOf(completion);
    for (const extra of VLLM_EXTRAS) expect(keys.has(extra), extra).toBe(false);
    expect(completion.choices[0]!.message).toEqual({
      role: "assistant",
      content: expect.stringMatching(/^Hello from the Bedrock emulator \(openai\)/),
      refusal: null,
    });
    expect(completion.choices[0]!.logprobs).toBeNull();
  });

  it("streamed: no vLLM extras in any chunk", async () => {
    const { bedrock } = emulated();
    const { chunks } = await collect(
      await bedrock.chat.completions.create({ model: model("openai"), messages: hello, stream: true }),
    );
    const keys = keysOf(chunks);
    for (const extra of VLLM_EXTRAS) expect(keys.has(extra), extra).toBe(false);
    expect(chunks.every((chunk) => chunk.choices.every((choice) => choice.logprobs === null))).toBe(true);
  });

  it("keeps reasoning_content when it has text, plain and streamed", async () => {
    const { bedrock } = emulated();
    const completion = await bedrock.chat.completions.create({ model: model("openai", "think"), messages: hello });
    expect(completion.choices[0]!.message.reasoning_content).toBe(REASONING_TEXT);
    const stream = await bedrock.chat.completions.create({
      model: model("openai", "think"),
      messages: hello,
      stream: true,
    });
    let reasoning = "";
    for await (const chunk of stream) reasoning += chunk.choices[0]?.delta.reasoning_content ?? "";
    expect(reasoning).toBe(REASONING_TEXT);
  });

  it("n: every choice, each opening its stream with its role", async () => {
    const { bedrock } = emulated();
    const plain = await bedrock.chat.completions.create({ model: model("openai"), messages: hello, n: 2 });
    expect(plain.choices.map((choice) => choice.index)).toEqual([0, 1]);
    const { chunks, content, finishes } = await collect(
      await bedrock.chat.completions.create({ model: model("openai"), messages: hello, n: 2, stream: true }),
    );
    expect(content).toEqual(plain.choices.map((choice) => choice.message.content));
    expect(finishes).toEqual(["stop", "stop"]);
    for (const index of [0, 1]) {
      const first = chunks.find((chunk) => chunk.choices[0]?.index === index);
      expect(first?.choices[0]?.delta).toEqual({ role: "assistant", content: "" });
    }
  });
});

describe("logprobs", () => {
  it("plain: logprobs.content[] with token, logprob, bytes and the top_logprobs asked for", async () => {
    const { bedrock } = emulated();
    const completion = await bedrock.chat.completions.create({
      model: model("openai"),
      messages: hello,
      logprobs: true,
      top_logprobs: 2,
    });
    const { logprobs, message } = completion.choices[0]!;
    expect(logprobs?.refusal).toBeNull();
    const content = logprobs?.content ?? [];
    expect(content.map((entry) => entry.token).join("")).toBe(message.content);
    for (const entry of content) {
      expect(entry.logprob).toBeLessThanOrEqual(0);
      expect(entry.bytes).toEqual([...new TextEncoder().encode(entry.token)]);
      expect(entry.top_logprobs).toHaveLength(2);
      expect(Object.keys(entry).sort()).toEqual(["bytes", "logprob", "token", "top_logprobs"]);
    }
  });

  it("streamed: each chunk's tokens in its logprobs, adding up to the plain answer's", async () => {
    const { bedrock } = emulated();
    const request = { model: model("openai"), messages: hello, logprobs: true, top_logprobs: 1 } as const;
    const plain = await bedrock.chat.completions.create(request);
    const { chunks } = await collect(await bedrock.chat.completions.create({ ...request, stream: true }));
    const streamed = chunks.flatMap((chunk) => chunk.choices[0]?.logprobs?.content ?? []);
    expect(streamed).toEqual(plain.choices[0]!.logprobs!.content);
  });

  it("prompt_logprobs when asked, at the top level as vLLM gives them; never otherwise", async () => {
    const { bedrock, emulator } = emulated();
    const arn = model("openai").slice("bedrock/openai/".length);
    const asked = (await bedrock.chat.completions.create({
      model: model("openai"),
      messages: hello,
      prompt_logprobs: 1,
    })) as ChatCompletion;
    expect((emulator.stats.lastBody(arn) as { prompt_logprobs?: number }).prompt_logprobs).toBe(1);
    expect(asked.prompt_logprobs?.[0]).toBeNull();
    expect(Object.values(asked.prompt_logprobs?.[1] ?? {})[0]).toMatchObject({ logprob: expect.any(Number), rank: 1 });
  });
});

describe("structured outputs and images", () => {
  it("structured_outputs reach the model: a choice is answered with one of the choices", async () => {
    const { bedrock } = emulated();
    const choices = ["sunny", "rainy"];
    const completion = await bedrock.chat.completions.create({
      model: model("openai"),
      messages: hello,
      structured_outputs: { choice: choices },
    });
    expect(choices).toContain(completion.choices[0]!.message.content);
  });

  it("a malformed structured_outputs is the caller's 400, naming it", async () => {
    const { bedrock } = emulated();
    const error = await errorOf(
      () =>
        bedrock.chat.completions.create({
          model: model("openai"),
          messages: hello,
          structured_outputs: { choice: ["a"], regex: "b" },
        }),
      BedrockEdgeError,
    );
    expect(error).toMatchObject({ status: 400, param: "structured_outputs" });
    expect(error.message).toContain("exactly one of json, regex, choice, grammar");
  });

  it("at most 3 images per request: a fourth is a 400 naming the limit", async () => {
    const { bedrock } = emulated();
    const images = (count: number) => [
      {
        role: "user" as const,
        content: [
          { type: "text" as const, text: "What differs?" },
          ...Array.from({ length: count }, () => ({ type: "image_url" as const, image_url: { url: PIXEL } })),
        ],
      },
    ];
    const three = await bedrock.chat.completions.create({ model: model("openai"), messages: images(3) });
    expect(three.choices[0]!.finish_reason).toBe("stop");
    const error = await errorOf(
      () => bedrock.chat.completions.create({ model: model("openai"), messages: images(4) }),
      BedrockEdgeError,
    );
    expect(error).toMatchObject({ status: 400, param: "messages", code: "too_many_images" });
    expect(error.message).toContain("at most 3");
  });
});

describe('an image\'s "original" detail (openai 7 types it)', () => {
  it("is taken and sent as no detail, by chat as by the Responses API; another detail goes as it is", async () => {
    const { bedrock, emulator } = emulated();
    const sentContent = () => {
      const body = emulator.stats.lastBody(model("openai").split("/").slice(2).join("/"));
      return (body as { messages: Array<{ content: unknown }> }).messages.at(-1)?.content;
    };
    for (const detail of ["high", "original"] as const) {
      const sent = detail === "original" ? { url: PIXEL } : { url: PIXEL, detail };
      const chat = await bedrock.chat.completions.create({
        model: model("openai"),
        messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: PIXEL, detail } }] }],
      });
      expect(chat.choices[0]!.finish_reason).toBe("stop");
      expect(sentContent()).toEqual([{ type: "image_url", image_url: sent }]);
      const response = await bedrock.responses.create({
        model: model("openai"),
        input: [{ role: "user", content: [{ type: "input_image", image_url: PIXEL, detail }] }],
      });
      expect(response.status).toBe("completed");
      expect(sentContent()).toEqual([{ type: "image_url", image_url: sent }]);
    }
  });
});

describe("tool_parser: tool calls the model writes as text", () => {
  const cases = [
    ["qwen", "qwen3"],
    ["deepseek_r1", "r1"],
    ["llama3_json", "llama"],
  ] as const;

  it.each(cases)("%s: become tool_calls, plain and streamed", async (parser, format) => {
    const arn = model("openai").replace(/imported-model\/openai$/, `imported-model/${format}.tool`);
    const { bedrock } = emulated({ models: { m: { model: arn, tool_parser: parser } } });
    const plain = await bedrock.chat.completions.create({ model: "m", messages: hello, tools });
    const choice = plain.choices[0]!;
    expectOneWeatherCall(choice);
    expect(JSON.parse(choice.message.tool_calls![0]!.function.arguments)).toEqual({ city: "Paris" });

    const streamed = await collect(
      await bedrock.chat.completions.create({ model: "m", messages: hello, tools, stream: true }),
    );
    expect(streamed.content.join("")).toBe("");
    expect(streamed.finishes).toEqual(["tool_calls"]);
    expect(streamed.calls).toEqual([
      {
        index: 0,
        id: expect.stringMatching(/^call_/),
        name: "get_weather",
        arguments: choice.message.tool_calls![0]!.function.arguments,
      },
    ]);
  });

  it("without the setting, or without tools, the text stays content", async () => {
    const arn = model("openai").replace(/imported-model\/openai$/, "imported-model/qwen3.tool");
    const { bedrock } = emulated({ models: { plain: arn, parsed: { model: arn, tool_parser: "qwen" } } });
    const unparsed = await bedrock.chat.completions.create({ model: "plain", messages: hello, tools });
    expect(unparsed.choices[0]!.message.content).toContain("<tool_call>");
    expect(unparsed.choices[0]!.finish_reason).toBe("stop");
    const noTools = await bedrock.chat.completions.create({ model: "parsed", messages: hello });
    expect(noTools.choices[0]!.message.tool_calls).toBeUndefined();
    const none = await bedrock.chat.completions.create({
      model: "parsed",
      messages: hello,
      tools,
      tool_choice: "none",
    });
    expect(none.choices[0]!.message.tool_calls).toBeUndefined();
  });
});

describe("Bedrock's structured tool_calls", () => {
  it("finish as the plain answer does when Bedrock says stop (a stop string hit), with or without a tool_parser", async () => {
    const { bedrock } = emulated({ models: { parsed: { model: model("openai", "tool"), tool_parser: "qwen" } } });
    for (const name of [model("openai", "tool"), "parsed"]) {
      const request = { model: name, messages: hello, tools, stop: ["Par"] };
      const plain = await bedrock.chat.completions.create(request);
      expect(plain.choices[0]!.message.tool_calls, name).toHaveLength(1);
      const streamed = await collect(await bedrock.chat.completions.create({ ...request, stream: true }));
      expect(streamed.calls[0]).toMatchObject({ index: 0, name: "get_weather" });
      // A model that stopped after calling a tool finished with tool calls, whichever way it is read.
      expect(plain.choices[0]!.finish_reason, name).toBe("tool_calls");
      expect(streamed.finishes, name).toEqual(["tool_calls"]);
    }
  });
});
