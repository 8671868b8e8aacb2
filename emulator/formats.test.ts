// The three request formats of imported models (BedrockCompletion, OpenAICompletion,
// OpenAIChatCompletion), chosen by the body's fields, plain and streamed, with vLLM's answer
// shapes; the `legacy` option; structured outputs and logprobs.

import { describe, expect, it } from "vitest";
import { LENGTH_DEFAULT_PIECES } from "./answers.ts";
import { createEmulator } from "./handler.ts";
import { emulatorModelId, type ModelFormat } from "./model-id.ts";
import { cpuMsOf } from "../test/helpers/cpu-time.ts";
import { errorAnswer, events, type Json, json, send, validates } from "./test-helpers.ts";
import { chunksOf } from "./testing.ts";

const FORMATS: ModelFormat[] = ["r1", "llama", "qwen3", "qwen2", "openai"];
const LLAMA = emulatorModelId("llama");
const HELLO = "Hello from the Bedrock emulator (llama). Your prompt had 5 characters.";
const CHAT = { model: "m", messages: [{ role: "user", content: "Hello" }] };
const PERSON = {
  type: "object",
  properties: {
    name: { type: "string" },
    age: { type: "integer", minimum: 18, maximum: 99 },
    email: { type: "string", format: "email" },
    tags: { type: "array", items: { enum: ["a", "b"] }, minItems: 2 },
  },
  required: ["name", "age", "email", "tags"],
  additionalProperties: false,
};

type Choice = Record<string, unknown> & { index: number };
const choicesOf = (chunk: Json) => chunk.choices as Choice[];
/** The first choice's message (chat answers). */
function messageOf(answer: Json): { content: string } & Json {
  const message = choicesOf(answer)[0]?.message;
  if (typeof message !== "object" || message === null) throw new Error("no message in the answer");
  return message as { content: string } & Json;
}

describe("format selection", () => {
  const bodies = {
    BedrockCompletion: { prompt: "Hello", max_gen_len: 300 },
    "BedrockCompletion without a limit": { prompt: "Hello" },
    OpenAICompletion: { prompt: "Hello", max_tokens: 300 },
    OpenAIChatCompletion: CHAT,
  } as const;
  const cases = FORMATS.flatMap((format) =>
    Object.entries(bodies).flatMap(([kind, body]) =>
      [false, true].map((stream) => [format, kind, stream, body] as const),
    ),
  );

  it.each(cases)("%s takes a %s body (stream: %s)", async (format, kind, stream, body) => {
    const modelId = emulatorModelId(format);
    const response = await send(modelId, body, stream ? "invoke-with-response-stream" : "invoke");
    const answer = stream ? chunksOf(await events(response))[0] : await json(response);
    const field = format === "qwen2" ? "text" : "generation";
    if (kind === "OpenAICompletion") expect(answer).toMatchObject({ object: "text_completion" });
    else if (kind === "OpenAIChatCompletion") {
      expect(answer).toMatchObject({ object: stream ? "chat.completion.chunk" : "chat.completion" });
    } else expect(answer).toHaveProperty(field);
  });

  it("answers the chat answer to messages on a completion-family model, naming its format", async () => {
    const answer = await json(await send(emulatorModelId("qwen3"), CHAT));
    expect(choicesOf(answer)[0]?.message).toMatchObject({
      content: "Hello from the Bedrock emulator (qwen3). Your last message had 5 characters.",
      reasoning_content: null,
    });
  });

  it.each([
    ["prompt and messages", { prompt: "x", messages: [{ role: "user", content: "x" }], model: "m" }],
    ["max_tokens and max_gen_len", { prompt: "x", max_tokens: 5, max_gen_len: 5 }],
  ])("refuses a body with both %s", async (_, body) => {
    expect(await errorAnswer(await send(LLAMA, body))).toMatchObject({ status: 400, type: "ValidationException" });
  });
});

describe("the legacy option (imported before 2025-11-11)", () => {
  const legacy = emulatorModelId("llama", ["legacy"]);

  it("speaks BedrockCompletion, plain and streamed", async () => {
    expect((await json(await send(legacy, { prompt: "Hello", max_gen_len: 50 }))).generation).toBe(HELLO);
    const chunks = chunksOf(await events(await send(legacy, { prompt: "Hello" }, "invoke-with-response-stream")));
    expect(chunks.map((chunk) => chunk.generation).join("")).toBe(HELLO);
  });

  it("refuses max_tokens and messages bodies as Bedrock's schema validation words it", async () => {
    for (const operation of ["invoke", "invoke-with-response-stream"] as const) {
      expect(await errorAnswer(await send(legacy, { prompt: "Hello", max_tokens: 50 }, operation))).toEqual({
        status: 400,
        type: "ValidationException",
        message:
          "Malformed input request: #: extraneous key [max_tokens] is not permitted, please reformat your input and try again.",
      });
      expect(await errorAnswer(await send(legacy, CHAT, operation))).toEqual({
        status: 400,
        type: "ValidationException",
        message:
          "Malformed input request: #: required key [prompt] not found#: extraneous key [model] is not permitted#: extraneous key [messages] is not permitted, please reformat your input and try again.",
      });
    }
  });

  it("keeps an openai-format model on the chat body it always spoke", async () => {
    const openai = emulatorModelId("openai", ["legacy"]);
    expect(await json(await send(openai, CHAT))).toMatchObject({ object: "chat.completion" });
    expect(await errorAnswer(await send(openai, { prompt: "Hello" }))).toEqual({
      status: 400,
      type: "ValidationException",
      message: "messages: required non-empty array not found.",
    });
  });
});

describe("BedrockCompletion", () => {
  it("answers response_format json_schema with an instance of the schema, nothing else", async () => {
    const body = { prompt: "<｜User｜>Who?<｜Assistant｜><think>\n", response_format: schemaFormat(PERSON) };
    for (const format of FORMATS) {
      const answer = await json(await send(emulatorModelId(format), body));
      const text = String(answer[format === "qwen2" ? "text" : "generation"]);
      expect(validates(PERSON, JSON.parse(text)), format).toBe(true);
    }
  });

  // fuzz2 #3: such a schema once took the emulator's process down (2^32 values before the depth limit).
  it("refuses a schema no instance of a sane size satisfies with a 400 ValidationException, plain and streamed", async () => {
    const schema = { type: "array", items: { $ref: "#" }, minItems: 2, maxItems: 5 };
    for (const operation of ["invoke", "invoke-with-response-stream"] as const) {
      const cpuMs = await cpuMsOf(async () => {
        const response = await send(LLAMA, { prompt: "Hello", response_format: schemaFormat(schema) }, operation);
        expect(await errorAnswer(response)).toMatchObject({ status: 400, type: "ValidationException" });
      });
      expect(cpuMs).toBeLessThan(2000);
    }
  });

  it("answers response_format json_object with a JSON object", async () => {
    const answer = await json(await send(LLAMA, { prompt: "Hello", response_format: { type: "json_object" } }));
    expect(JSON.parse(String(answer.generation))).toEqual({ answer: HELLO });
  });

  it("returns top-1 logprobs keyed by token id with return_logprobs, plain and streamed", async () => {
    const body = { prompt: "Hello", return_logprobs: true };
    const plain = await json(await send(LLAMA, body));
    const logprobs = plain.logprobs as Record<string, number>[];
    expect(logprobs).toHaveLength(Number(plain.generation_token_count));
    for (const entry of logprobs) {
      const [[id, logprob] = []] = Object.entries(entry);
      expect(Object.keys(entry)).toHaveLength(1);
      expect(id).toMatch(/^\d+$/);
      expect(logprob).toBeLessThanOrEqual(0);
    }
    const chunks = chunksOf(await events(await send(LLAMA, body, "invoke-with-response-stream")));
    expect(chunks.flatMap((chunk) => chunk.logprobs as unknown[])).toEqual(logprobs);
    expect(await json(await send(LLAMA, { prompt: "Hello" }))).not.toHaveProperty("logprobs");
  });

  it("stops before a stop string", async () => {
    expect(await json(await send(LLAMA, { prompt: "Hello", stop: ["emulator"] }))).toMatchObject({
      generation: "Hello from the Bedrock ",
      stop_reason: "stop",
    });
  });
});

// sdkhelpers50 #4: a client's JSON mode (LangChain jsonMode, the AI SDK without structured outputs)
// sends json_object and parses what the model wrote from the prompt's instructions. With `echo`,
// a prompt that is itself a JSON object is that answer, so those clients can be tested.
describe("json_object with the echo option", () => {
  const WANTED = '{"city": "Paris", "temperature": 21}';
  const JSON_OBJECT = { type: "json_object" };

  it("answers the last user message when it is a JSON object (chat format), plain and streamed", async () => {
    const echo = emulatorModelId("openai", ["echo"]);
    const body = {
      model: "m",
      messages: [
        { role: "system", content: "Answer in JSON." },
        { role: "user", content: WANTED },
      ],
      response_format: JSON_OBJECT,
    };
    expect(messageOf(await json(await send(echo, body))).content).toBe(WANTED);
    const chunks = chunksOf(await events(await send(echo, body, "invoke-with-response-stream")));
    const deltas = chunks.map((chunk) => (choicesOf(chunk)[0]?.delta as { content?: string } | undefined)?.content);
    expect(deltas.join("")).toBe(WANTED);
  });

  it("answers the last user turn of a templated prompt when it is a JSON object (each family)", async () => {
    const prompts = {
      llama: `<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n${WANTED}<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n`,
      qwen3: `<|im_start|>system\nJSON<|im_end|>\n<|im_start|>user\n${WANTED}<|im_end|>\n<|im_start|>assistant\n`,
      r1: `<｜begin▁of▁sentence｜><｜User｜>${WANTED}<｜Assistant｜>`,
    } as const;
    for (const [format, prompt] of Object.entries(prompts)) {
      const answer = await json(
        await send(emulatorModelId(format as ModelFormat, ["echo"]), { prompt, response_format: JSON_OBJECT }),
      );
      expect(answer.generation, format).toBe(WANTED);
    }
    // A raw prompt with no turns is the message itself.
    const raw = await json(
      await send(emulatorModelId("llama", ["echo"]), { prompt: WANTED, response_format: JSON_OBJECT }),
    );
    expect(raw.generation).toBe(WANTED);
  });

  it("answers as before otherwise: text, a JSON array, no echo option, a json_schema", async () => {
    const echo = emulatorModelId("openai", ["echo"]);
    const chat = (content: string, format: unknown = JSON_OBJECT) => ({
      model: "m",
      messages: [{ role: "user", content }],
      response_format: format,
    });
    const wrapped = { answer: expect.stringMatching(/^Hello from the Bedrock emulator \(openai\)/) };
    expect(JSON.parse(messageOf(await json(await send(echo, chat("Hello")))).content)).toEqual(wrapped);
    expect(JSON.parse(messageOf(await json(await send(echo, chat("[1, 2]")))).content)).toEqual(wrapped);
    const plain = JSON.parse(messageOf(await json(await send(emulatorModelId("openai"), chat(WANTED)))).content);
    expect(plain).toEqual({ answer: expect.stringMatching(/^Hello from the Bedrock emulator/) });
    const schema = { type: "object", properties: { n: { type: "integer" } }, required: ["n"] };
    const instance = JSON.parse(messageOf(await json(await send(echo, chat(WANTED, schemaFormat(schema))))).content);
    expect(instance).toEqual({ n: expect.any(Number) });
  });
});

describe("OpenAICompletion", () => {
  it("answers vLLM's text_completion, every field", async () => {
    const answer = await json(await send(LLAMA, { prompt: "Hello", max_tokens: 300 }));
    expect(answer).toEqual({
      id: expect.stringMatching(/^cmpl-emulator-[0-9a-f]{8}$/),
      object: "text_completion",
      created: expect.any(Number),
      model: LLAMA,
      choices: [
        {
          index: 0,
          text: HELLO,
          logprobs: null,
          finish_reason: "stop",
          stop_reason: null,
          token_ids: null,
          prompt_logprobs: null,
          prompt_token_ids: null,
        },
      ],
      service_tier: null,
      system_fingerprint: null,
      usage: {
        prompt_tokens: 2,
        total_tokens: expect.any(Number),
        completion_tokens: expect.any(Number),
        prompt_tokens_details: null,
      },
      kv_transfer_params: null,
    });
    const usage = answer.usage as Record<string, number>;
    expect(usage.total_tokens).toBe(2 + (usage.completion_tokens ?? 0));
    expect((await json(await send(LLAMA, { prompt: "Hello", max_tokens: 9, model: "mine" }))).model).toBe("mine");
  });

  it("answers n choices per prompt, in order", async () => {
    const answer = await json(await send(LLAMA, { prompt: ["Hi", "Hello"], max_tokens: 300, n: 2 }));
    expect(choicesOf(answer).map((choice) => [choice.index, choice.text])).toEqual([
      [0, "Hello from the Bedrock emulator (llama). Your prompt had 2 characters."],
      [1, "Hello from the Bedrock emulator (llama). Your prompt had 2 characters."],
      [2, HELLO],
      [3, HELLO],
    ]);
  });

  it("cuts at max_tokens and stops at a stop string, naming it", async () => {
    expect(choicesOf(await json(await send(LLAMA, { prompt: "Hello", max_tokens: 2 })))[0]).toMatchObject({
      text: "Hello fr",
      finish_reason: "length",
      stop_reason: null,
    });
    expect(
      choicesOf(await json(await send(LLAMA, { prompt: "Hello", max_tokens: 300, stop: "Bedrock" })))[0],
    ).toMatchObject({ text: "Hello from the ", finish_reason: "stop", stop_reason: "Bedrock" });
  });

  it("returns OpenAI's completion logprobs", async () => {
    const choice = choicesOf(await json(await send(LLAMA, { prompt: "Hello", max_tokens: 300, logprobs: 2 })))[0];
    const logprobs = choice?.logprobs as {
      tokens: string[];
      token_logprobs: number[];
      top_logprobs: Record<string, number>[];
      text_offset: number[];
    };
    expect(Object.keys(logprobs)).toEqual(["text_offset", "token_logprobs", "tokens", "top_logprobs"]);
    expect(logprobs.tokens.join("")).toBe(choice?.text);
    expect(logprobs.token_logprobs).toHaveLength(logprobs.tokens.length);
    expect(logprobs.text_offset[0]).toBe(0);
    expect(logprobs.text_offset[1]).toBe(logprobs.tokens[0]?.length);
    for (const [position, top] of logprobs.top_logprobs.entries()) {
      // The chosen token and two alternatives, none more likely than the chosen one.
      expect(Object.keys(top)).toHaveLength(3);
      expect(top[logprobs.tokens[position] ?? ""]).toBe(logprobs.token_logprobs[position]);
      expect(Math.max(...Object.values(top))).toBe(logprobs.token_logprobs[position]);
    }
  });

  it("echoes the prompt before the answer, with no logprob for prompt tokens", async () => {
    const choice = choicesOf(
      await json(await send(LLAMA, { prompt: "Hello", max_tokens: 300, echo: true, logprobs: 0 })),
    )[0];
    expect(choice?.text).toBe(`Hello${HELLO}`);
    const logprobs = choice?.logprobs as { tokens: string[]; token_logprobs: (number | null)[] };
    expect(logprobs.tokens.join("")).toBe(`Hello${HELLO}`);
    expect(logprobs.token_logprobs[0]).toBeNull();
  });

  it("returns prompt_logprobs as vLLM does, but not when streaming", async () => {
    const choice = choicesOf(
      await json(await send(LLAMA, { prompt: "Hello there", max_tokens: 5, prompt_logprobs: 1 })),
    )[0];
    const promptLogprobs = choice?.prompt_logprobs as (Record<string, { logprob: number; rank: number }> | null)[];
    expect(promptLogprobs[0]).toBeNull();
    expect(promptLogprobs.length).toBe(3);
    expect(Object.values(promptLogprobs[1] ?? {})[0]).toMatchObject({ rank: 1, decoded_token: expect.any(String) });
    expect(
      await errorAnswer(
        await send(LLAMA, { prompt: "Hi", max_tokens: 5, prompt_logprobs: 1 }, "invoke-with-response-stream"),
      ),
    ).toEqual({
      status: 400,
      type: "ValidationException",
      message: "`prompt_logprobs` are not available when `stream=True`.",
    });
  });

  it("answers structured outputs: a choice, a schema instance, JSON, and plain text under regex", async () => {
    const choices = ["positive", "negative", "neutral"];
    const picked = choicesOf(
      await json(await send(LLAMA, { prompt: "Great!", max_tokens: 10, structured_outputs: { choice: choices } })),
    )[0]?.text;
    expect(choices).toContain(picked);
    const again = choicesOf(
      await json(await send(LLAMA, { prompt: "Great!", max_tokens: 10, structured_outputs: { choice: choices } })),
    )[0]?.text;
    expect(again).toBe(picked);
    for (const constraint of [
      { structured_outputs: { json: PERSON } },
      { structured_outputs: { json: JSON.stringify(PERSON) } },
      { response_format: schemaFormat(PERSON) },
    ]) {
      const text = choicesOf(await json(await send(LLAMA, { prompt: "Who?", max_tokens: 300, ...constraint })))[0]
        ?.text;
      expect(validates(PERSON, JSON.parse(String(text)))).toBe(true);
    }
    const regex = await json(
      await send(LLAMA, { prompt: "Hello", max_tokens: 300, structured_outputs: { regex: "\\d+" } }),
    );
    expect(choicesOf(regex)[0]?.text).toBe(HELLO);
  });

  it.each([
    ["two kinds of structured outputs", { structured_outputs: { json: {}, regex: "x" } }],
    ["suffix", { suffix: "end" }],
    ["a token-id prompt", { prompt: [1, 2, 3] }],
    ["logprobs over 20", { logprobs: 21 }],
    ["n of 0", { n: 0 }],
    ["more than 128 prompts", { prompt: Array.from({ length: 129 }, () => "x") }],
    ["stream in the body", { stream: true }],
  ])("refuses %s with ValidationException", async (_, extra) => {
    expect(await errorAnswer(await send(LLAMA, { prompt: "Hello", max_tokens: 5, ...extra }))).toMatchObject({
      status: 400,
      type: "ValidationException",
    });
  });

  it("streams vLLM's text_completion chunks, each choice ending with its finish reason", async () => {
    const body = { prompt: "Hello", max_tokens: 300, n: 2 };
    const plain = await json(await send(LLAMA, body));
    const chunks = chunksOf(await events(await send(LLAMA, body, "invoke-with-response-stream")));
    for (const chunk of chunks) {
      expect(Object.keys(chunk).filter((key) => !key.startsWith("amazon-"))).toEqual([
        "id",
        "object",
        "created",
        "model",
        "choices",
        "usage",
      ]);
      expect(chunk).toMatchObject({ object: "text_completion", id: plain.id, usage: null });
      expect(Object.keys(choicesOf(chunk)[0] ?? {})).toEqual([
        "index",
        "text",
        "logprobs",
        "finish_reason",
        "stop_reason",
        "prompt_token_ids",
        "token_ids",
      ]);
    }
    for (const index of [0, 1]) {
      const mine = chunks.flatMap(choicesOf).filter((choice) => choice.index === index);
      expect(mine.map((choice) => choice.text).join("")).toBe(HELLO);
      expect(mine.at(-1)).toMatchObject({ text: "", finish_reason: "stop", stop_reason: null });
      expect(mine.slice(0, -1).every((choice) => choice.finish_reason === null)).toBe(true);
    }
    // The choices take turns, as vLLM interleaves them.
    expect(chunks.slice(0, 4).map((chunk) => choicesOf(chunk)[0]?.index)).toEqual([0, 1, 0, 1]);
    const usage = plain.usage as { prompt_tokens: number; completion_tokens: number };
    expect(chunks.at(-1)?.["amazon-bedrock-invocationMetrics"]).toMatchObject({
      inputTokenCount: usage.prompt_tokens,
      outputTokenCount: usage.completion_tokens,
    });
  });

  it("streams a cut answer with the length reason on its last token", async () => {
    const chunks = chunksOf(
      await events(await send(LLAMA, { prompt: "Hello", max_tokens: 3, logprobs: 1 }, "invoke-with-response-stream")),
    );
    expect(chunks.map((chunk) => choicesOf(chunk)[0]?.finish_reason)).toEqual([null, null, "length"]);
    expect(chunks.every((chunk) => choicesOf(chunk)[0]?.logprobs !== null)).toBe(true);
  });
});

describe("OpenAIChatCompletion", () => {
  const qwen3 = emulatorModelId("qwen3");

  it("answers vLLM's chat.completion, every field", async () => {
    const answer = await json(await send(LLAMA, CHAT));
    expect(answer).toEqual({
      id: expect.stringMatching(/^chatcmpl-emulator-[0-9a-f]{8}$/),
      object: "chat.completion",
      created: expect.any(Number),
      model: "m",
      choices: [
        {
          index: 0,
          message: {
            role: "assistant",
            content: "Hello from the Bedrock emulator (llama). Your last message had 5 characters.",
            refusal: null,
            annotations: null,
            audio: null,
            function_call: null,
            tool_calls: [],
            reasoning_content: null,
          },
          logprobs: null,
          finish_reason: "stop",
          stop_reason: null,
          token_ids: null,
        },
      ],
      service_tier: null,
      system_fingerprint: null,
      usage: {
        prompt_tokens: 3,
        total_tokens: expect.any(Number),
        completion_tokens: expect.any(Number),
        prompt_tokens_details: null,
      },
      prompt_logprobs: null,
      prompt_token_ids: null,
      kv_transfer_params: null,
    });
  });

  it("streams vLLM's chunks: only the fields set, the role first, an empty content delta last", async () => {
    const plain = await json(await send(LLAMA, CHAT));
    const chunks = chunksOf(await events(await send(LLAMA, CHAT, "invoke-with-response-stream")));
    expect(chunks[0]).toEqual({
      id: plain.id,
      object: "chat.completion.chunk",
      created: expect.any(Number),
      model: "m",
      choices: [{ index: 0, delta: { role: "assistant", content: "" }, logprobs: null, finish_reason: null }],
      prompt_token_ids: null,
    });
    expect(choicesOf(chunks[1] ?? {})[0]).toEqual({
      index: 0,
      delta: { content: expect.any(String) },
      logprobs: null,
      finish_reason: null,
      token_ids: null,
    });
    const deltas = chunks.flatMap(choicesOf).map((choice) => (choice.delta as { content?: string }).content ?? "");
    expect(deltas.join("")).toBe(messageOf(plain).content);
    expect(choicesOf(chunks.at(-1) ?? {})[0]).toMatchObject({ delta: { content: "" }, finish_reason: "stop" });
  });

  it("accepts at most 3 images, as base64 data URLs only", async () => {
    const image = { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } };
    const withImages = (count: number, url?: string) => ({
      model: "m",
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "Compare" },
            ...Array.from({ length: count }, () => (url ? { type: "image_url", image_url: { url } } : image)),
          ],
        },
      ],
    });
    const openai = emulatorModelId("openai");
    expect((await send(openai, withImages(3))).status).toBe(200);
    expect(await errorAnswer(await send(openai, withImages(4)))).toEqual({
      status: 400,
      type: "ValidationException",
      message: "Too many images: the request has 4 images and at most 3 are allowed.",
    });
    expect(await errorAnswer(await send(openai, withImages(1, "https://example.com/cat.png")))).toMatchObject({
      status: 400,
      type: "ValidationException",
      message: expect.stringContaining("only base64 data URLs"),
    });
  });

  it("returns chat logprobs with top_logprobs, and prompt_logprobs", async () => {
    const answer = await json(await send(LLAMA, { ...CHAT, logprobs: true, top_logprobs: 2, prompt_logprobs: 1 }));
    const { content } = (choicesOf(answer)[0]?.logprobs ?? { content: [] }) as { content: Json[] };
    expect(content.map((entry) => entry.token).join("")).toBe(messageOf(answer).content);
    for (const entry of content) {
      expect(Object.keys(entry)).toEqual(["token", "logprob", "bytes", "top_logprobs"]);
      expect(entry.bytes).toEqual(Array.from(new TextEncoder().encode(String(entry.token))));
      const top = entry.top_logprobs as Json[];
      expect(top).toHaveLength(2);
      expect(top[0]).toMatchObject({ token: entry.token, logprob: entry.logprob });
    }
    expect((answer.prompt_logprobs as unknown[])[0]).toBeNull();
    expect(await errorAnswer(await send(LLAMA, { ...CHAT, top_logprobs: 2 }))).toMatchObject({ status: 400 });
  });

  it("answers n choices, and streams a role chunk for each first", async () => {
    const answer = await json(await send(LLAMA, { ...CHAT, n: 3 }));
    expect(choicesOf(answer).map((choice) => choice.index)).toEqual([0, 1, 2]);
    const chunks = chunksOf(await events(await send(LLAMA, { ...CHAT, n: 3 }, "invoke-with-response-stream")));
    expect(chunks.slice(0, 3).map((chunk) => choicesOf(chunk)[0]?.delta)).toEqual([
      { role: "assistant", content: "" },
      { role: "assistant", content: "" },
      { role: "assistant", content: "" },
    ]);
    for (const index of [0, 1, 2]) {
      const finishes = chunks.flatMap(choicesOf).filter((choice) => choice.index === index && choice.finish_reason);
      expect(finishes).toHaveLength(1);
    }
  });

  it("answers response_format and structured outputs in the content", async () => {
    const schema = await json(await send(qwen3, { ...CHAT, response_format: schemaFormat(PERSON) }));
    expect(validates(PERSON, JSON.parse(messageOf(schema).content))).toBe(true);
    const choice = await json(await send(qwen3, { ...CHAT, structured_outputs: { choice: ["yes", "no"] } }));
    expect(["yes", "no"]).toContain(messageOf(choice).content);
  });

  it("stops at a stop string and names it in stop_reason", async () => {
    const answer = await json(await send(LLAMA, { ...CHAT, stop: ["Bedrock"] }));
    expect(choicesOf(answer)[0]).toMatchObject({
      message: { content: "Hello from the " },
      finish_reason: "stop",
      stop_reason: "Bedrock",
    });
  });

  it("cuts at max_tokens, and always with the length option", async () => {
    expect(choicesOf(await json(await send(LLAMA, { ...CHAT, max_tokens: 2 })))[0]).toMatchObject({
      finish_reason: "length",
    });
    const cut = await json(await send(emulatorModelId("llama", ["length"]), CHAT));
    expect(cut.usage).toMatchObject({ completion_tokens: LENGTH_DEFAULT_PIECES });
  });

  it("is deterministic", async () => {
    const emulator = createEmulator();
    const first = await json(await send(LLAMA, { ...CHAT, n: 2, logprobs: true }, "invoke", emulator));
    const second = await json(await send(LLAMA, { ...CHAT, n: 2, logprobs: true }, "invoke", emulator));
    // `created` is the clock's; everything else depends on the request alone.
    expect({ ...first, created: 0 }).toEqual({ ...second, created: 0 });
  });
});

function schemaFormat(schema: unknown) {
  return { type: "json_schema", json_schema: { name: "answer", schema } };
}
