import type * as v from "valibot";
import { describe, expect, it } from "vitest";
import { errorOf } from "../../test/helpers/errors.ts";
import { BedrockEdgeError } from "../errors.ts";
import { type chatCompletionRequestSchema, parseChatRequest } from "./schema.ts";
import type { ChatCompletionRequest } from "./types.ts";
import type { Equal } from "../../test/helpers/type-equal.ts";

/** The 400 that parseChatRequest refuses `input` with. */
function refusal(input: unknown): BedrockEdgeError {
  const error = errorOf(() => parseChatRequest(input), BedrockEdgeError);
  expect(error.status).toBe(400);
  return error;
}

const ok = { model: "m", messages: [{ role: "user", content: "hi" }] };

describe("logit_bias: every own key checked (inputcost34 #3), and held to OpenAI's spec (numbers43 #5)", () => {
  const request = (json: string) => ({ ...ok, logit_bias: JSON.parse(json) as unknown });
  const notTokenId = (key: string) =>
    `logit_bias.${key} is not a token id (its keys are token ids in decimal digits, as "50256").`;

  it("refuses a key valibot's record skips, which is no token id, naming it", () => {
    expect(refusal(request('{"constructor":{"nested":[1,2]}}'))).toMatchObject({
      param: "logit_bias.constructor",
      message: notTokenId("constructor"),
    });
    expect(refusal(request('{"__proto__":"x"}'))).toMatchObject({
      param: "logit_bias.__proto__",
      message: notTokenId("__proto__"),
    });
    expect(refusal(request('{"1":2,"prototype":null}'))).toMatchObject({ param: "logit_bias.prototype" });
    expect(refusal(request('{"1":2,"constructor":-1}'))).toMatchObject({ param: "logit_bias.constructor" });
    // An array is no object of token ids: record() reads its indexes as keys.
    for (const logit_bias of ["x", 5, [1, 2]]) {
      expect(refusal({ ...ok, logit_bias })).toMatchObject({
        param: "logit_bias",
        message: expect.stringMatching(/^logit_bias must be an object of token ids to numbers/),
      });
    }
  });

  it("takes token ids to whole numbers from -100 to 100, and {} or null", () => {
    const biases = { "50256": -100, "0": 100, "13": 0, "007": 5 };
    expect(parseChatRequest({ ...ok, logit_bias: biases }).logit_bias).toEqual(biases);
    expect(parseChatRequest({ ...ok, logit_bias: {} }).logit_bias).toEqual({});
    expect(parseChatRequest({ ...ok, logit_bias: null }).logit_bias).toBeNull();
  });

  it("refuses any other value or key, naming logit_bias.<key>", () => {
    for (const [value, got] of [
      [1e308, "1e+308"],
      [1.5, "1.5"],
      [-1000, "-1000"],
      [101, "101"],
      ["5", '"5"'],
      [null, "null"],
    ] as const) {
      expect(refusal({ ...ok, logit_bias: { "50256": 1, "13": value } })).toMatchObject({
        param: "logit_bias.13",
        message: `logit_bias.13 must be a whole number between -100 and 100 (got ${got}).`,
      });
    }
    for (const key of ["abc", "-1", "1e2", "1.5", "", " 5", "0x10"]) {
      expect(refusal({ ...ok, logit_bias: { [key]: 5 } })).toMatchObject({
        param: `logit_bias.${key}`,
        message: notTokenId(key),
      });
    }
  });
});

describe("seed: a whole number JSON carries exactly (numbers43 #2)", () => {
  it("takes ±(2^53 - 1), and refuses past it naming seed", () => {
    for (const seed of [Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 0, -1, null]) {
      expect(parseChatRequest({ ...ok, seed }).seed).toBe(seed);
    }
    for (const [seed, got] of [
      [2 ** 53, "9007199254740992"],
      [-(2 ** 53), "-9007199254740992"],
      [2 ** 64, "18446744073709552000"],
      [1e308, "1e+308"],
      [1.5, "1.5"],
    ] as const) {
      expect(refusal({ ...ok, seed })).toMatchObject({
        param: "seed",
        message: `seed must be a whole number between -9007199254740991 and 9007199254740991 (got ${got}).`,
      });
    }
  });
});

describe("request validation names the field, in a sentence", () => {
  // Every refusal, word for word: the field's path first, then what it must be and what it was.
  const cases: Array<[unknown, string | null, string]> = [
    [null, null, "The request body must be a JSON object."],
    [[], null, "The request body must be a JSON object."],
    [
      { messages: ok.messages },
      "model",
      "model is required: name the model, as bedrock/<route>/<model-arn> or a configured name.",
    ],
    [{ ...ok, model: "" }, "model", "model must not be empty."],
    [
      { model: "m" },
      "messages",
      "messages is required: give the conversation as an array of {role, content} messages.",
    ],
    [{ ...ok, messages: [] }, "messages", "messages must not be empty: give at least one message."],
    [{ ...ok, messages: "hi" }, "messages", "messages must be an array of {role, content} messages (got a string)."],
    [
      { ...ok, messages: [ok.messages[0], 5] },
      "messages[1]",
      'messages[1] must be a message like {"role": "user", "content": "Hi"} (got 5).',
    ],
    [
      { ...ok, messages: [{ role: "wizard", content: "x" }] },
      "messages[0].role",
      'messages[0].role must be one of "system", "developer", "user", "assistant" or "tool" (got "wizard").',
    ],
    [
      { ...ok, messages: [{ content: "x" }] },
      "messages[0].role",
      'messages[0].role is required: one of "system", "developer", "user", "assistant" or "tool".',
    ],
    [
      { ...ok, messages: [ok.messages[0], { role: "user", content: 5 }] },
      "messages[1].content",
      "messages[1].content must be a string or an array of content parts, each " +
        '{"type": "text", "text": …}, {"type": "image_url", "image_url": {"url": …}} or {"type": "file", "file": {"file_data": …}} (got 5).',
    ],
    [
      { ...ok, messages: [{ role: "user" }] },
      "messages[0].content",
      "messages[0].content is required: give the message's text.",
    ],
    [
      { ...ok, messages: [{ role: "user", content: [{ type: "audio", x: 1 }] }] },
      "messages[0].content[0].type",
      'messages[0].content[0].type must be "text", "image_url" or "file" (got "audio").',
    ],
    [
      { ...ok, messages: [{ role: "system", content: [{ type: "image_url", image_url: { url: "x" } }] }] },
      "messages[0].content[0].type",
      'messages[0].content[0].type must be "text": this message takes text parts only (got "image_url").',
    ],
    [
      { ...ok, messages: [{ role: "user", content: [{ type: "image_url", image_url: {} }] }] },
      "messages[0].content[0].image_url.url",
      "messages[0].content[0].image_url.url is required: give the image as a data URL (data:image/png;base64,…).",
    ],
    [
      { ...ok, messages: [{ role: "assistant" }] },
      "messages[0]",
      "messages[0] must have content, refusal or tool_calls: an assistant message with none of them says nothing.",
    ],
    [
      { ...ok, messages: [{ role: "tool", content: "x" }] },
      "messages[0].tool_call_id",
      "messages[0].tool_call_id is required: the id of the tool call this message answers.",
    ],
    [{ ...ok, temperature: "hot" }, "temperature", 'temperature must be a number between 0 and 2 (got "hot").'],
    [{ ...ok, temperature: 2.5 }, "temperature", "temperature must be a number between 0 and 2 (got 2.5)."],
    [{ ...ok, temperature: Infinity }, "temperature", "temperature must be a number between 0 and 2 (got Infinity)."],
    [{ ...ok, top_p: -1 }, "top_p", "top_p must be a number between 0 and 1 (got -1)."],
    [{ ...ok, max_tokens: 0 }, "max_tokens", "max_tokens must be a whole number between 1 and 1000000 (got 0)."],
    [{ ...ok, max_tokens: 1.5 }, "max_tokens", "max_tokens must be a whole number between 1 and 1000000 (got 1.5)."],
    [{ ...ok, stop: ["a", ""] }, "stop[1]", "stop[1] must not be empty."],
    [{ ...ok, stop: Array(17).fill("a") }, "stop", "stop must have at most 16 items (it has 17)."],
    [{ ...ok, stream: "yes" }, "stream", 'stream must be true or false (got "yes").'],
    [{ ...ok, tools: {} }, "tools", "tools must be an array (got an object)."],
    [
      { ...ok, tools: [{ type: "function", function: { name: "bad name" } }] },
      "tools[0].function.name",
      'tools[0].function.name must be 1-128 letters, digits, _ . : or - (got "bad name").',
    ],
    [
      { ...ok, tool_choice: "sometimes" },
      "tool_choice",
      'tool_choice must be "none", "auto", "required" or {"type": "function", "function": {"name": …}} (got "sometimes").',
    ],
    [
      {
        ...ok,
        messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "x", detail: "ultra" } }] }],
      },
      "messages[0].content[0].image_url.detail",
      'messages[0].content[0].image_url.detail must be one of "auto", "low", "high" or "original" (got "ultra").',
    ],
    // response_format: what Bedrock's model server would refuse in its own words, with no field.
    [
      { ...ok, response_format: { type: "json_schema" } },
      "response_format.json_schema",
      'response_format.json_schema is required: give the format as {"name": …, "schema": {…}}.',
    ],
    [
      { ...ok, response_format: { type: "json_schema", json_schema: "x" } },
      "response_format.json_schema",
      'response_format.json_schema must be an object like {"name": "answer", "schema": {…}} (got a string).',
    ],
    [
      { ...ok, response_format: { type: "json_schema", json_schema: { schema: {} } } },
      "response_format.json_schema.name",
      "response_format.json_schema.name is required.",
    ],
    [
      { ...ok, response_format: { type: "json_schema", json_schema: { name: "a", schema: "x" } } },
      "response_format.json_schema.schema",
      'response_format.json_schema.schema must be a JSON Schema (an object, or a boolean) (got "x").',
    ],
    [
      { ...ok, response_format: { type: "json_schema", json_schema: { name: "a", schema: [] } } },
      "response_format.json_schema.schema",
      "response_format.json_schema.schema must be a JSON Schema (an object, or a boolean) (got an array).",
    ],
    // A type is a string; one outside OpenAI's three is the route's to take or refuse (parameters.ts).
    [
      { ...ok, response_format: { type: 5 } },
      "response_format.type",
      'response_format.type must be a string such as "text", "json_object" or "json_schema" (got 5).',
    ],
    [{ ...ok, response_format: {} }, "response_format.type", "response_format.type is required."],
    [
      { ...ok, response_format: "json" },
      "response_format",
      'response_format must be an object like {"type": "json_object"} (got a string).',
    ],
  ];
  for (const [input, param, message] of cases) {
    it(message, () => {
      const error = refusal(input);
      expect(error.param).toBe(param);
      expect(error.message).toBe(message);
    });
  }

  it("tools: up to 128, OpenAI's cap; one more is refused naming tools and the cap (cpucost8 #4)", () => {
    const tools = (count: number) =>
      Array.from({ length: count }, (_, i) => ({ type: "function", function: { name: `f${i}` } }));
    expect(parseChatRequest({ ...ok, tools: tools(128) }).tools).toHaveLength(128);
    const error = refusal({ ...ok, tools: tools(129) });
    expect(error.param).toBe("tools");
    expect(error.message).toBe("tools must have at most 128 items (it has 129).");
  });

  it("echoes at most 40 characters of a wrong value, and never part of a word", () => {
    const error = refusal({ ...ok, messages: [{ role: "x".repeat(100_000), content: "x" }] });
    expect(error.message).toBe(
      `messages[0].role must be one of "system", "developer", "user", "assistant" or "tool" (got a string of 100000 characters).`,
    );
  });

  it("accepts a full OpenAI request and keeps unknown fields for pass-through routes", () => {
    const request = {
      ...ok,
      messages: [
        { role: "developer", content: "Be brief." },
        {
          role: "user",
          content: [
            { type: "text", text: "hi" },
            { type: "image_url", image_url: { url: "data:image/png;base64,AA", detail: "low" } },
          ],
        },
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "c1", type: "function", function: { name: "f", arguments: "{}" } }],
        },
        { role: "tool", tool_call_id: "c1", content: "42" },
      ],
      stream: true,
      stream_options: { include_usage: true },
      max_completion_tokens: 100,
      temperature: 0,
      stop: ["\n\n"],
      tools: [{ type: "function", function: { name: "f", parameters: { type: "object" } } }],
      tool_choice: { type: "function", function: { name: "f" } },
      response_format: { type: "json_schema", json_schema: { name: "a", strict: "true", x: 1 } },
      chat_template_kwargs: { enable_thinking: false },
      repetition_penalty: 1.1,
    };
    expect(parseChatRequest(request)).toEqual(request);
  });

  it("leaves a type outside OpenAI's three to the route, and takes a boolean JSON Schema", () => {
    const formats = [
      { type: "structural_tag", structures: [{ begin: "<f>", schema: { type: "object" }, end: "</f>" }] },
      { type: "json_schema", json_schema: { name: "x", schema: true } },
      { type: "json_schema", json_schema: { name: "x", schema: false } },
    ];
    for (const response_format of formats) {
      expect(parseChatRequest({ ...ok, response_format }).response_format).toEqual(response_format);
    }
  });
});

describe("the fields no route sends, typed as OpenAI's spec types them (specfuzz46 F2)", () => {
  // Accepted and ignored on every route when well typed; another type is a 400 naming the field,
  // as user: 5 is, rather than a value silently taken (modalities: "audio" answered in text).
  const wrong: Array<[Record<string, unknown>, string, string]> = [
    [{ metadata: 123 }, "metadata", "metadata must be an object (got 123)."],
    [{ metadata: "x" }, "metadata", "metadata must be an object (got a string)."],
    [{ metadata: { a: 1 } }, "metadata.a", "metadata.a must be a string (got 1)."],
    [{ metadata: ["a"] }, "metadata", "metadata must be a JSON object (got an array)."],
    [{ prompt_cache_key: 5 }, "prompt_cache_key", "prompt_cache_key must be a string (got 5)."],
    [{ safety_identifier: 5 }, "safety_identifier", "safety_identifier must be a string (got 5)."],
    [
      { prompt_cache_retention: "forever" },
      "prompt_cache_retention",
      'prompt_cache_retention must be one of "in_memory", "in-memory" or "24h" (got "forever").',
    ],
    [{ prediction: 5 }, "prediction", "prediction must be an object (got 5)."],
    [{ prediction: [] }, "prediction", "prediction must be an object (got an array)."],
    [
      { prediction: { type: "text", content: "a" } },
      "prediction.type",
      'prediction.type must be "content" (got "text").',
    ],
    [
      { prediction: { type: "content", content: [] } },
      "prediction.content",
      "prediction.content must not be empty: give a string or at least one part.",
    ],
    [{ modalities: 5 }, "modalities", "modalities must be an array (got 5)."],
    [{ modalities: {} }, "modalities", "modalities must be an array (got an object)."],
    [{ modalities: "audio" }, "modalities", "modalities must be an array (got a string)."],
    [{ modalities: ["video"] }, "modalities[0]", 'modalities[0] must be one of "text" or "audio" (got "video").'],
  ];
  it.each(wrong)("%j: a 400 naming %s", (fields, param, message) => {
    expect(refusal({ ...ok, ...fields })).toMatchObject({ param, message });
    // drop_params drops what a route cannot honour, never a malformed value.
    expect(refusal({ ...ok, ...fields, drop_params: true })).toMatchObject({ param, message });
  });

  it("takes each as the spec types it, null included; the routes judge modalities beyond text", () => {
    const fields = {
      metadata: { team: "a" },
      prompt_cache_key: "k",
      safety_identifier: "s",
      prompt_cache_retention: "24h",
      prediction: { type: "content", content: [{ type: "text", text: "draft" }] },
      modalities: ["text", "audio"],
    };
    expect(parseChatRequest({ ...ok, ...fields })).toMatchObject(fields);
    const nulls = Object.fromEntries(Object.keys(fields).map((field) => [field, null]));
    expect(parseChatRequest({ ...ok, ...nulls })).toMatchObject(nulls);
    // The spelling of openai SDKs before mid-2026, and OpenAI's own.
    for (const retention of ["in-memory", "in_memory"]) {
      expect(parseChatRequest({ ...ok, prompt_cache_retention: retention })).toMatchObject({
        prompt_cache_retention: retention,
      });
    }
  });

  it("a message's content array has at least one part, in every role but the assistant's (the spec's minItems 1)", () => {
    for (const message of [
      { role: "user", content: [] },
      { role: "system", content: [] },
      { role: "developer", content: [] },
      { role: "tool", content: [], tool_call_id: "c1" },
    ]) {
      expect(refusal({ ...ok, messages: [...ok.messages, message] }), message.role).toMatchObject({
        param: "messages[1].content",
        message: "messages[1].content must not be empty: give a string or at least one part.",
      });
    }
  });

  it("an assistant's tool-call turn with an empty content list, as LangChain's openai converter sends it, is taken (codereview46b #1)", () => {
    const call = { id: "c1", type: "function", function: { name: "f", arguments: "{}" } };
    const messages = [
      ...ok.messages,
      { role: "assistant", content: [], tool_calls: [call] },
      { role: "tool", content: "sunny", tool_call_id: "c1" },
    ];
    expect(parseChatRequest({ ...ok, messages }).messages[1]).toMatchObject({ role: "assistant", tool_calls: [call] });
  });
});

describe("assistant refusal parts", () => {
  it("are taken, and come out as text parts; the rest of the request is the caller's", () => {
    const request = {
      model: "m",
      messages: [
        { role: "user", content: "Help me." },
        {
          role: "assistant",
          content: [
            { type: "text", text: "Well." },
            { type: "refusal", refusal: "I cannot." },
          ],
        },
      ],
    };
    const parsed = parseChatRequest(request);
    expect(parsed.messages[1]).toEqual({
      role: "assistant",
      content: [
        { type: "text", text: "Well." },
        { type: "text", text: "I cannot." },
      ],
    });
    expect(parsed.messages[0]).toBe(request.messages[0]);
    // The caller's own request is left as it came.
    expect(request.messages[1]!.content).toContainEqual({ type: "refusal", refusal: "I cannot." });
    // Without refusal parts, the request is the caller's own object.
    const plain = { model: "m", messages: [{ role: "user", content: "Hi" }] };
    expect(parseChatRequest(plain)).toBe(plain);
  });

  it("a refusal part without its text, or on another role, is refused by name", () => {
    const assistant = { role: "assistant", content: [{ type: "refusal" }] };
    expect(refusal({ model: "m", messages: [{ role: "user", content: "Hi" }, assistant] }).param).toMatch(
      "messages[1].content[0].refusal",
    );
    const system = { role: "system", content: [{ type: "refusal", refusal: "No." }] };
    expect(refusal({ model: "m", messages: [system] }).param).toBe("messages[0].content[0].type");
  });
});

describe("an assistant message's own refusal (OpenAI's answer when its model refuses)", () => {
  const REFUSAL = "I can't help with that.";
  const history = (assistant: Record<string, unknown>) => ({
    model: "m",
    messages: [
      { role: "user", content: "Do something bad." },
      { role: "assistant", ...assistant },
      { role: "user", content: "Then tell me a joke." },
    ],
  });
  const assistantOf = (assistant: Record<string, unknown>) => parseChatRequest(history(assistant)).messages[1];

  it("is the text when the message has no content, and no refusal key is left", () => {
    for (const content of [null, "", undefined]) {
      expect(assistantOf({ content, refusal: REFUSAL })).toEqual({ role: "assistant", content: REFUSAL });
    }
    expect(assistantOf({ refusal: REFUSAL })).not.toHaveProperty("refusal");
  });

  it("beside content, is a text part after it, as refusal parts join text parts", () => {
    expect(assistantOf({ content: "Well.", refusal: REFUSAL })).toEqual({
      role: "assistant",
      content: [
        { type: "text", text: "Well." },
        { type: "text", text: REFUSAL },
      ],
    });
    const parts = [
      { type: "text", text: "Well." },
      { type: "refusal", refusal: "No." },
    ];
    expect(assistantOf({ content: parts, refusal: REFUSAL })).toEqual({
      role: "assistant",
      content: [
        { type: "text", text: "Well." },
        { type: "text", text: "No." },
        { type: "text", text: REFUSAL },
      ],
    });
  });

  it("leaves the caller's request as it came, and a null refusal asks for nothing", () => {
    const request = history({ content: null, refusal: REFUSAL });
    parseChatRequest(request);
    expect(request.messages[1]).toEqual({ role: "assistant", content: null, refusal: REFUSAL });
    const plain = history({ content: "Hi.", refusal: null });
    expect(parseChatRequest(plain)).toBe(plain);
    expect(refusal(history({ content: null, refusal: null })).param).toBe("messages[1]");
  });

  it("must be a string", () => {
    const error = refusal(history({ content: null, refusal: 5 }));
    expect(error).toMatchObject({
      param: "messages[1].refusal",
      message: "messages[1].refusal must be a string (got 5).",
    });
  });
});

describe("an assistant message's function_call or audio", () => {
  const history = (assistant: Record<string, unknown>) => ({
    model: "m",
    messages: [
      { role: "user", content: "Weather?" },
      { role: "assistant", content: null, ...assistant },
    ],
  });

  it("is refused by name, in the words the request's own function_call and audio get", () => {
    const call = refusal(history({ function_call: { name: "get_weather", arguments: "{}" } }));
    expect(call.param).toBe("messages[1].function_call");
    expect(call.message).toBe(
      "messages[1].function_call (the deprecated functions API) is not supported: use tool_calls.",
    );
    const audio = refusal(history({ content: "Hi.", audio: { id: "audio_abc" } }));
    expect(audio.param).toBe("messages[1].audio");
    expect(audio.message).toBe("messages[1].audio is not available: this server answers with text.");
  });

  it("is taken when null, as OpenAI's own messages carry them", () => {
    expect(() => parseChatRequest(history({ content: "Hi.", function_call: null, audio: null }))).not.toThrow();
  });
});

describe('an image part\'s "original" detail (openai 7)', () => {
  it("is taken and sent as no detail, as the Responses API does; other details and the caller's request stay", () => {
    const image = "data:image/png;base64,AAAA";
    const user = (detail: string) => ({
      role: "user",
      content: [
        { type: "text", text: "What is this?" },
        { type: "image_url", image_url: { url: image, detail } },
      ],
    });
    const request = {
      model: "m",
      messages: [user("high"), { role: "assistant", content: "A lamp." }, user("original")],
    };
    const parsed = parseChatRequest(request);
    expect(parsed.messages[2]).toEqual({
      role: "user",
      content: [
        { type: "text", text: "What is this?" },
        { type: "image_url", image_url: { url: image } },
      ],
    });
    expect(parsed.messages.slice(0, 2)).toEqual(request.messages.slice(0, 2));
    expect(parsed.messages[0]).toBe(request.messages[0]);
    expect(request.messages[2]!.content[1]).toEqual({
      type: "image_url",
      image_url: { url: image, detail: "original" },
    });
    const plain = { model: "m", messages: [user("low")] };
    expect(parseChatRequest(plain)).toBe(plain);
  });
});

describe("file parts (OpenAI's ChatCompletionRequestMessageContentPartFile)", () => {
  const withPart = (part: unknown, role = "user") => ({
    model: "m",
    messages: [{ role, content: [{ type: "text", text: "Summarise this." }, part] }],
  });
  const pdf = "data:application/pdf;base64,JVBERi0xLjQK";

  it("takes one as the openai package sends it, a base64 data URL and a filename, with a cache mark", () => {
    const part = { type: "file", file: { file_data: pdf, filename: "report.pdf" } };
    const request = withPart(part);
    expect(parseChatRequest(request)).toBe(request);
    expect(parseChatRequest(withPart({ type: "file", file: { file_data: pdf } })).messages).toHaveLength(1);
    const marked = { ...part, cache_control: { type: "ephemeral" } };
    expect(parseChatRequest(withPart(marked)).messages[0]!.content).toContainEqual(marked);
    // RFC 2397's parameters before ;base64, as the images take them.
    const named = { type: "file", file: { file_data: "data:application/pdf;name=r.pdf;base64,JVBE" } };
    expect(parseChatRequest(withPart(named)).messages).toHaveLength(1);
  });

  it("refuses a file_id: this server has no Files API, and says to send file_data", () => {
    const error = refusal(withPart({ type: "file", file: { file_id: "file-abc123" } }));
    expect(error.param).toBe("messages[0].content[1].file.file_id");
    expect(error.message).toBe(
      "messages[0].content[1].file.file_id names a file uploaded to OpenAI's Files API, which this server does not have: send the file's bytes in file_data, as a base64 data URL (data:application/pdf;base64,…).",
    );
  });

  it("refuses a part without file_data, or with bare base64 (as OpenAI's API does), naming the field", () => {
    expect(refusal(withPart({ type: "file", file: { filename: "a.pdf" } }))).toMatchObject({
      param: "messages[0].content[1].file.file_data",
      message:
        "messages[0].content[1].file.file_data is required: give the file's bytes as a base64 data URL (data:application/pdf;base64,…).",
    });
    const bare = refusal(withPart({ type: "file", file: { file_data: "JVBERi0xLjQK", filename: "a.pdf" } }));
    expect(bare).toMatchObject({
      param: "messages[0].content[1].file.file_data",
      message: expect.stringMatching(
        /^messages\[0\]\.content\[1\]\.file\.file_data must be a base64 data URL \(data:application\/pdf;base64,…\)/,
      ),
    });
    expect(refusal(withPart({ type: "file", file: { file_data: "data:application/pdf,%25PDF" } })).param).toBe(
      "messages[0].content[1].file.file_data",
    );
    expect(refusal(withPart({ type: "file", file: { file_data: pdf, filename: 5 } })).param).toBe(
      "messages[0].content[1].file.filename",
    );
    expect(refusal(withPart({ type: "file" })).param).toBe("messages[0].content[1].file");
  });

  it("only in user messages", () => {
    for (const role of ["system", "developer", "tool", "assistant"]) {
      const error = refusal(withPart({ type: "file", file: { file_data: pdf } }, role));
      expect(error.param).toBe("messages[0].content[1].type");
    }
    const system = refusal(withPart({ type: "file", file: { file_data: pdf } }, "system"));
    expect(system.message).toBe(
      'messages[0].content[1].type must be "text": this message takes text parts only (got "file").',
    );
  });
});

describe("the request type", () => {
  it("is what the schema validates, field for field (a drift on either side fails to compile)", () => {
    type Validated = v.InferOutput<v.ObjectSchema<(typeof chatCompletionRequestSchema)["entries"], undefined>>;
    const same: Equal<Validated, ChatCompletionRequest> = true;
    expect(same).toBe(true);
  });
});

describe("checkStreamFlags", () => {
  it("checks stream and stream_options alone, as the full validation does", async () => {
    const { checkStreamFlags } = await import("./schema.ts");
    expect(() =>
      checkStreamFlags({ stream: true, stream_options: { include_usage: true }, messages: "not checked here" }),
    ).not.toThrow();
    for (const [body, param] of [
      [{ stream: "yes" }, "stream"],
      [{ stream_options: "x" }, "stream_options"],
    ] as const) {
      expect(errorOf(() => checkStreamFlags(body), BedrockEdgeError).param).toBe(param);
    }
  });

  it("refuses stream_options on a request that does not stream, as OpenAI does; null is no options", async () => {
    const { checkStreamFlags } = await import("./schema.ts");
    const messages = [{ role: "user", content: "hi" }];
    for (const stream of [false, null, undefined]) {
      const body = { model: "m", messages, stream, stream_options: { include_usage: true } };
      for (const check of [checkStreamFlags, parseChatRequest]) {
        const error = errorOf(() => check(body), BedrockEdgeError);
        expect(error.status).toBe(400);
        expect(error.param).toBe("stream_options");
        expect(error.message).toBe(
          "stream_options is only allowed when stream is true: remove it, or set stream to true.",
        );
      }
    }
    for (const body of [
      { model: "m", messages, stream: false, stream_options: null },
      { model: "m", messages, stream: true, stream_options: {} },
    ]) {
      expect(() => checkStreamFlags(body)).not.toThrow();
      expect(() => parseChatRequest(body)).not.toThrow();
    }
  });
});

describe("tool calls' arguments are held to the body's limits on shape, as text (codereview23 #1)", () => {
  const withArguments = (args: string) => ({
    ...ok,
    messages: [
      ok.messages[0],
      {
        role: "assistant",
        content: null,
        tool_calls: [{ id: "c", type: "function", function: { name: "f", arguments: args } }],
      },
    ],
  });
  const param = "messages[1].tool_calls[0].function.arguments";
  const wide = (members: number) => `{${Array.from({ length: members }, (_, i) => `"k${i}":${i}`).join(",")}}`;

  it("an object of MAX_JSON_MEMBERS members is taken, one more is a 400 naming the arguments", () => {
    expect(parseChatRequest(withArguments(wide(10_000))).messages).toHaveLength(2);
    const error = refusal(withArguments(`{"a":${wide(10_001)}}`));
    expect(error.param).toBe(param);
    expect(error.message).toBe(`${param} holds an object of more than 10000 members.`);
  });

  it("more arrays and objects, or values, than the body may hold are a 400 naming the arguments (memcost9 #1)", () => {
    // 1 MB of small objects, parsed whole by a template route or Converse, took 97 MB of heap.
    const objects = (count: number) => `{"a":[${"{},".repeat(count - 3)}{}]}`;
    expect(parseChatRequest(withArguments(objects(50_000))).messages).toHaveLength(2);
    expect(refusal(withArguments(objects(50_001)))).toMatchObject({
      param,
      message: `${param} holds more than 50000 arrays and objects.`,
    });
    expect(refusal(withArguments(`{"a":[${"1,".repeat(200_000)}1]}`))).toMatchObject({
      param,
      message: `${param} holds more than 200000 values.`,
    });
  });

  it("nesting past MAX_JSON_DEPTH is a 400 naming the arguments; wide arrays are not members", () => {
    const error = refusal(withArguments(`${"[".repeat(65)}${"]".repeat(65)}`));
    expect(error).toMatchObject({ param, message: `${param} is nested more than 64 levels deep.` });
    expect(parseChatRequest(withArguments(`{"list":[${"1,".repeat(20_000)}1]}`)).messages).toHaveLength(2);
  });
});

describe("structured_outputs.json written as a string is held to the body's limits on shape (codereview24 #2)", () => {
  const wide = (members: number) => `{${Array.from({ length: members }, (_, i) => `"k${i}":${i}`).join(",")}}`;

  it("a schema of MAX_JSON_MEMBERS properties is taken; an object of one more, or nesting past 64, is a 400", () => {
    const schema = (properties: string) => `{"type":"object","properties":${properties}}`;
    expect(parseChatRequest({ ...ok, structured_outputs: { json: schema(wide(10_000)) } })).toBeDefined();
    for (const json of [schema(wide(10_001)), `${"[".repeat(65)}${"]".repeat(65)}`]) {
      const error = refusal({ ...ok, structured_outputs: { json } });
      expect(error.param).toBe("structured_outputs.json");
    }
  });
});

describe("cache_control: Anthropic's prompt-cache mark, checked on every route", () => {
  it("takes {type: ephemeral} with a ttl of 5m or 1h on parts, messages and tools, and refuses another shape by its path", () => {
    const mark = { type: "ephemeral", ttl: "1h" };
    const marked = {
      model: "m",
      messages: [
        { role: "system", content: [{ type: "text", text: "s", cache_control: mark }], cache_control: mark },
        { role: "user", content: [{ type: "text", text: "u", cache_control: { type: "ephemeral" } }] },
      ],
      tools: [{ type: "function", function: { name: "f" }, cache_control: { type: "ephemeral", ttl: "5m" } }],
    };
    expect(parseChatRequest(marked)).toBe(marked);
    // null is no mark, as a serializer that writes every key sends it.
    const unmarked = {
      model: "m",
      messages: [
        { role: "user", content: [{ type: "text", text: "u", cache_control: null }] },
        { role: "assistant", content: "a", cache_control: { type: "ephemeral", ttl: null } },
      ],
    };
    expect(parseChatRequest(unmarked)).toBe(unmarked);
    const cases: Array<[unknown, string]> = [
      [{ type: "persistent" }, "messages[0].content[0].cache_control.type"],
      [{ type: "ephemeral", ttl: "2h" }, "messages[0].content[0].cache_control.ttl"],
      ["ephemeral", "messages[0].content[0].cache_control"],
    ];
    for (const [cache_control, param] of cases) {
      const request = {
        model: "m",
        messages: [{ role: "user", content: [{ type: "text", text: "u", cache_control }] }],
      };
      expect(refusal(request), JSON.stringify(cache_control)).toMatchObject({ param });
    }
  });
});

describe("an object where OpenAI's spec has one, never an array (specfuzz46b #1: valibot's record() takes one)", () => {
  it("chat_template_kwargs: an array is refused naming the field, an object is taken", () => {
    for (const kwargs of [[], [false], null, "x"]) {
      expect(refusal({ ...ok, chat_template_kwargs: kwargs }), JSON.stringify(kwargs)).toMatchObject({
        param: "chat_template_kwargs",
      });
    }
    expect(parseChatRequest({ ...ok, chat_template_kwargs: { enable_thinking: false } })).toMatchObject({
      chat_template_kwargs: { enable_thinking: false },
    });
  });

  it('structured_outputs.json: an array is refused as the string "[]" is, naming the field', () => {
    for (const json of [[], "[]"]) {
      expect(refusal({ ...ok, structured_outputs: { json } }), JSON.stringify(json)).toMatchObject({
        param: "structured_outputs.json",
      });
    }
  });
});
