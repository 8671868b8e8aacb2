// A call must name a function the request offers (offered-calls.ts), through the proxy with the
// official `openai` client, plain and streamed. Bedrock answers what each test scripts, as the
// model would write it: the emulator's models call only offered functions.
import OpenAI from "openai";
import { describe, expect, it, vi } from "vitest";
import { EMULATOR_CREDENTIALS } from "../emulator/credentials.ts";
import { chunkFrame } from "../emulator/frames.ts";
import { createApp } from "../worker/app.ts";
import { streamOf } from "./helpers/bytes.ts";

const ARN = "arn:aws:bedrock:us-east-1:123456789012:imported-model/abcd1234efgh";
const tools: OpenAI.Chat.Completions.ChatCompletionTool[] = [
  { type: "function", function: { name: "get_weather", parameters: { type: "object", properties: {} } } },
  { type: "function", function: { name: "get_time", parameters: { type: "object", properties: {} } } },
];
const messages = [{ role: "user" as const, content: "Weather in Paris?" }];

/** Bedrock's answer to any call: `text` in the format the request used, whole or as a stream of 3-character chunks. */
function answering(text: string) {
  return async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const body = (await request.json()) as Record<string, unknown>;
    const streaming = request.url.includes("invoke-with-response-stream");
    if ("messages" in body) {
      // The chat format (openai route): the model's text as its content.
      const message = { role: "assistant", content: text };
      if (!streaming) {
        const choice = { index: 0, message, finish_reason: "stop" };
        return Response.json({ id: "c", object: "chat.completion", created: 1, model: "m", choices: [choice] });
      }
      const chunk = (delta: unknown, finish_reason: string | null) => ({
        id: "c",
        object: "chat.completion.chunk",
        created: 1,
        model: "m",
        choices: [{ index: 0, delta, finish_reason }],
      });
      const frames = [chunkFrame(chunk(message, null), 0), chunkFrame(chunk({}, "stop"), 1)];
      return new Response(streamOf(frames), { headers: { "content-type": "application/vnd.amazon.eventstream" } });
    }
    if (!streaming) return Response.json({ generation: text, stop_reason: "stop" });
    const pieces = text.match(/[\s\S]{1,3}/gu) ?? [];
    const frames = pieces.map((generation, i) =>
      chunkFrame({ generation, stop_reason: i === pieces.length - 1 ? "stop" : null }, i),
    );
    return new Response(streamOf(frames), { headers: { "content-type": "application/vnd.amazon.eventstream" } });
  };
}

/** The proxy, in-process, whose Bedrock answers `text`; and the `openai` client that calls it. */
function client(text: string, log: (line: unknown) => void = () => undefined): OpenAI {
  const app = createApp({
    env: {
      MODELS: JSON.stringify({
        qwen3: `bedrock/qwen3/${ARN}`,
        qwen2: `bedrock/qwen2/${ARN}`,
        llama: `bedrock/llama/${ARN}`,
        r1: `bedrock/deepseek_r1/${ARN}`,
        "openai-llama": { model: `bedrock/openai/${ARN}`, tool_parser: "llama3_json" },
      }),
      PROXY_API_KEYS: "sk-test",
      AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
      BEDROCK_ENDPOINT: "http://bedrock.emulator",
    },
    fetch: answering(text),
    log,
  });
  return new OpenAI({
    apiKey: "sk-test",
    baseURL: "http://proxy.test/v1",
    maxRetries: 0,
    fetch: async (url, init) => app.request(String(url), init),
  });
}

/** A stream's first choice, joined as a client would; an error the stream ends with, as thrown. */
async function joined(stream: AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>) {
  let content = "";
  const calls: Array<{ name: string; arguments: string }> = [];
  let finish: string | null = null;
  for await (const chunk of stream) {
    const choice = chunk.choices[0];
    content += choice?.delta.content ?? "";
    for (const call of choice?.delta.tool_calls ?? []) {
      calls[call.index] = { name: call.function?.name ?? "", arguments: call.function?.arguments ?? "" };
    }
    finish = choice?.finish_reason ?? finish;
  }
  return { content, calls, finish };
}

/** Plain and streamed, the answer is `words` and stops: no call. */
async function expectWords(
  openai: OpenAI,
  body: OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming,
  words: string,
) {
  const plain = await openai.chat.completions.create(body);
  expect(plain.choices[0]).toMatchObject({ finish_reason: "stop", message: { content: words } });
  expect(plain.choices[0]!.message.tool_calls).toBeUndefined();
  expect(await joined(await openai.chat.completions.create({ ...body, stream: true }))).toEqual({
    content: words,
    calls: [],
    finish: "stop",
  });
}

/** Plain and streamed, the answer is `words` (null: none), then `calls`. */
async function expectWordsThenCalls(
  openai: OpenAI,
  body: OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming,
  words: string | null,
  calls: Array<{ name: string; arguments: string }>,
) {
  const plain = await openai.chat.completions.create(body);
  expect(plain.choices[0]).toMatchObject({ finish_reason: "tool_calls", message: { content: words } });
  expect(
    plain.choices[0]!.message.tool_calls?.map((call) => (call.type === "function" ? call.function : call)),
  ).toEqual(calls);
  expect(await joined(await openai.chat.completions.create({ ...body, stream: true }))).toEqual({
    content: words ?? "",
    calls,
    finish: "tool_calls",
  });
}

async function failure(run: () => Promise<unknown>) {
  try {
    await run();
  } catch (error) {
    if (error instanceof OpenAI.APIError) return { status: error.status, code: error.code, message: error.message };
    throw error;
  }
  throw new Error("no error");
}

/**
 * Plain and streamed, the request fails as `expected` (`streamed`, when the stream fails otherwise:
 * after words went out, as its error event, with no status). `label` names the case in a failure.
 */
async function expectFailure(
  openai: OpenAI,
  body: OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming,
  expected: object,
  { streamed = expected, label }: { streamed?: object; label?: string } = {},
) {
  expect(await failure(() => openai.chat.completions.create(body)), label).toMatchObject(expected);
  expect(
    await failure(async () => joined(await openai.chat.completions.create({ ...body, stream: true }))),
    label,
  ).toMatchObject(streamed);
}

describe("a forced call to a function the request does not offer", () => {
  const cases = [
    ["qwen3", 'get_current_weather", "arguments": {"city": "Paris"}}\n</tool_call><|im_end|>'],
    ["qwen2", 'get_current_weather", "arguments": {"city": "Paris"}}\n</tool_call><|im_end|>'],
    ["llama", 'get_current_weather", "parameters": {"city": "Paris"}}<|eot_id|>'],
    ["r1", 'get_current_weather\n```json\n{"city": "Paris"}\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜>'],
  ] as const;

  it.each(cases)("%s: is a 500 invalid_tool_call, plain and streamed", async (model, text) => {
    const openai = client(text);
    const expected = {
      status: 500,
      code: "invalid_tool_call",
      message: expect.stringContaining('The model called "get_current_weather", which is not in tools'),
    };
    await expectFailure(openai, { model, messages, tools, tool_choice: "required" }, expected);
  });

  it("a model that writes text where the name goes makes no call named by it (Responses API too)", async () => {
    const openai = client('Sorry"}\n</tool_call><|im_end|>');
    const expected = { status: 500, code: "invalid_tool_call" };
    const body = { model: "qwen3", messages, tools, tool_choice: "required" as const };
    expect(await failure(() => openai.chat.completions.create(body))).toMatchObject(expected);
    const responsesTools = ["get_weather", "get_time"].map((name) => ({
      type: "function" as const,
      name,
      parameters: { type: "object", properties: {} },
      strict: false,
    }));
    expect(
      await failure(() =>
        openai.responses.create({ model: "qwen3", input: "Weather?", tools: responsesTools, tool_choice: "required" }),
      ),
    ).toMatchObject(expected);
  });
});

describe("words a model writes where a forced call's name goes, which could name no function", () => {
  const words = "I cannot book it: Alice's card 4111 1111 1111 1111 expired";

  it.each([
    ["qwen3", `${words}"}\n</tool_call><|im_end|>`],
    ["qwen3", `${words}<|im_end|>`],
    ["llama", `${words}"}<|eot_id|>`],
  ])("%s: are its text and stop, plain and streamed, and never reach the log line (%j)", async (model, text) => {
    const lines: unknown[] = [];
    const openai = client(text, (line) => lines.push(line));
    const body = { model, messages, tools, tool_choice: "required" as const };
    await expectWords(openai, body, words);
    const responses = await openai.responses.create({
      model,
      input: "Book a table",
      tools: [{ type: "function", name: "get_weather", parameters: { type: "object", properties: {} }, strict: false }],
      tool_choice: "required",
    });
    expect(responses.output_text).toBe(words);
    await vi.waitFor(() => expect(lines).toHaveLength(3));
    expect(JSON.stringify(lines)).not.toContain("4111");
  });
});

describe("words in a forced call's name slot, as models write them (codereview18)", () => {
  const body = (model: string) => ({ model, messages, tools, tool_choice: "required" as const });

  it("unescaped quotes inside the words: the words, not the JSON's remains (qwen3, llama)", async () => {
    const words = 'Sorry, I can\'t book "Le Bernardin" for you.';
    for (const [model, text] of [
      ["qwen3", `${words}"}\n</tool_call><|im_end|>`],
      ["llama", `${words}"}<|eot_id|>`],
    ] as const) {
      const openai = client(text);
      await expectWords(openai, body(model), words);
    }
  });

  it("a quote inside the words followed by a comma or a brace does not end them: the words whole (codereview19 #1)", async () => {
    for (const words of [
      'I can\'t book "Le Bernardin", sorry.',
      'Sorry, I can\'t. Say "stop", "go" or "wait".',
      'Sorry, try {"city": "Paris"} instead.',
      'I can\'t book "Le Bernardin"}, sorry.',
    ]) {
      for (const [model, end] of [
        ["qwen3", "<|im_end|>"],
        ["llama", "<|eot_id|>"],
      ] as const) {
        const openai = client(`${words}${end}`);
        await expectWords(openai, body(model), words);
      }
    }
  });

  it("after words in the prefilled block, a later call naming no function is still the 500 (codereview19 #2)", async () => {
    for (const [model, text] of [
      [
        "qwen3",
        'Sorry, no."}\n</tool_call>\n<tool_call>\n{"name": "Sorry again", "arguments": {}}\n</tool_call><|im_end|>',
      ],
      [
        "qwen3",
        'Sorry, no.\n</tool_call>\n<tool_call>\n{"name": "Sorry again", "arguments": {}}\n</tool_call><|im_end|>',
      ],
    ] as const) {
      const openai = client(text);
      // Streamed, the words went out first: the error comes as the stream's error event.
      await expectFailure(
        openai,
        body(model),
        { status: 500, code: "invalid_tool_call" },
        { streamed: { code: "invalid_tool_call" } },
      );
    }
  });

  it("llama: words followed by more than the call's JSON are the text as written, nothing of it dropped", async () => {
    const text = 'Sorry, no."}; {"name": "Sorry again", "parameters": {}}';
    const openai = client(`${text}<|eot_id|>`);
    await expectWords(openai, body("llama"), text);
  });

  it("r1: words followed by its call markup are the words, as the syntax reads its name line (codereview18 #1, codereview20)", async () => {
    const words = "Sorry, I can't help with that.";
    const openai = client(
      `${words}\n\`\`\`json\n{}\n\`\`\`<｜tool▁call▁end｜><｜tool▁calls▁end｜><｜end▁of▁sentence｜>`,
    );
    await expectWords(openai, body("r1"), words);
  });

  it("words that end in a quote of the model's own, the name string never closed, stay whole (codereview20 #1)", async () => {
    const words = 'My answer is "no"';
    for (const [model, end] of [
      ["qwen3", "<|im_end|>"],
      ["qwen2", "<|im_end|>"],
      ["llama", "<|eot_id|>"],
    ] as const) {
      const openai = client(`${words}${end}`);
      await expectWords(openai, body(model), words);
    }
  });

  it("words closed as the call's JSON and followed by more text are the text whole (codereview20 #2)", async () => {
    const text = 'Sorry, no.", "parameters": {}} Is there anything else?';
    const openai = client(`${text}<|eot_id|>`);
    await expectWords(openai, body("llama"), text);
  });

  it("words, then a call to an offered function: the words and the call; in one block with them, the text whole (codereview20 #3)", async () => {
    const qwen = client(
      'Sorry, let me check."}\n</tool_call>\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call><|im_end|>',
    );
    const plain = await qwen.chat.completions.create(body("qwen3"));
    expect(plain.choices[0]?.message.content).toBe("Sorry, let me check.");
    expect(plain.choices[0]?.finish_reason).toBe("tool_calls");
    expect(plain.choices[0]?.message.tool_calls?.map((call) => call.type === "function" && call.function.name)).toEqual(
      ["get_weather"],
    );
    const streamed = await joined(await qwen.chat.completions.create({ ...body("qwen3"), stream: true }));
    expect(streamed).toMatchObject({ content: "Sorry, let me check.", finish: "tool_calls" });
    expect(streamed.calls.map((call) => call.name)).toEqual(["get_weather"]);
    // Llama's syntax reads no call from `{"name": "…"}; {…}`: nothing of it is dropped.
    const text = 'Sorry, let me check."}; {"name": "get_weather", "parameters": {"city": "Paris"}}';
    const llama = client(`${text}<|eot_id|>`);
    expect((await llama.chat.completions.create(body("llama"))).choices[0]?.message.content).toBe(text);
  });

  it("a later call naming no function is no text: the 500 of a call to a function not offered (qwen3, llama)", async () => {
    for (const [model, text] of [
      [
        "qwen3",
        'get_weather", "arguments": {}}\n</tool_call>\n<tool_call>\n{"name": "Sorry no", "arguments": {}}\n</tool_call><|im_end|>',
      ],
      ["llama", 'get_weather", "parameters": {}}; {"name": "Sorry no", "parameters": {}}<|eot_id|>'],
    ] as const) {
      const openai = client(text);
      const expected = {
        status: 500,
        code: "invalid_tool_call",
        message: expect.stringContaining("called a function, which is not in tools"),
      };
      await expectFailure(openai, body(model), expected);
    }
  });
});

describe("words in a forced call's name slot: one reading on every route, closed or not (codereview21)", () => {
  const body = (model: string, tool_choice: OpenAI.Chat.Completions.ChatCompletionToolChoiceOption = "required") => ({
    model,
    messages,
    tools,
    tool_choice,
  });

  it("a blank or empty name is the 500 of a call to a function not offered, plain and streamed (#1)", async () => {
    for (const [model, text] of [
      ["qwen3", '  "}\n</tool_call><|im_end|>'],
      ["qwen2", '  "}\n</tool_call><|im_end|>'],
      ["llama", '  ", "parameters": {}}<|eot_id|>'],
      ["qwen3", '"}\n</tool_call><|im_end|>'],
      ["llama", '", "parameters": {}}<|eot_id|>'],
      ["r1", "\n```json\n{}\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜><｜end▁of▁sentence｜>"],
    ] as const) {
      const openai = client(text);
      const expected = {
        status: 500,
        code: "invalid_tool_call",
        message: expect.stringContaining("called a function, which is not in tools"),
      };
      await expectFailure(openai, body(model), expected, { label: text });
    }
  });

  it("words the model closed with the family's markup come back without it, as when it did not close them (#2, #3)", async () => {
    for (const [model, text, words] of [
      ["qwen3", "Sorry, no.\n</tool_call><|im_end|>", "Sorry, no."],
      ["r1", "Sorry, I can't.<｜tool▁call▁end｜><｜tool▁calls▁end｜><｜end▁of▁sentence｜>", "Sorry, I can't."],
      ["r1", "Sorry, I can't.\n<｜tool▁call▁end｜><｜tool▁calls▁end｜><｜end▁of▁sentence｜>", "Sorry, I can't."],
      [
        "r1",
        "Sorry.\nReally sorry.\n```json\n{}\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜><｜end▁of▁sentence｜>",
        "Sorry.\nReally sorry.",
      ],
      // The same words on both Qwen routes, whatever space the model began them with (#8).
      ["qwen2", ' Sorry, no."}\n</tool_call><|im_end|>', "Sorry, no."],
      ["qwen3", ' Sorry, no."}\n</tool_call><|im_end|>', "Sorry, no."],
    ] as const) {
      await expectWords(client(text), body(model), words);
    }
  });

  it("named: text instead of the arguments, then the block's close and a call, gives the text without the close (#2)", async () => {
    const openai = client(
      'Sorry, no."}\n</tool_call>\n<tool_call>\n{"name": "get_weather", "arguments": {}}\n</tool_call><|im_end|>',
    );
    const choice = { type: "function", function: { name: "get_weather" } } as const;
    const plain = await openai.chat.completions.create(body("qwen3", choice));
    expect(plain.choices[0]?.message.content).toBe('Sorry, no."}');
    const streamed = await joined(await openai.chat.completions.create({ ...body("qwen3", choice), stream: true }));
    expect(streamed).toEqual({
      content: 'Sorry, no."}',
      calls: [{ name: "get_weather", arguments: "{}" }],
      finish: "tool_calls",
    });
  });

  it("a quote inside the words, then the call's JSON with a key, gives the words (#4)", async () => {
    const words = 'I can\'t book "Le Bernardin".';
    for (const [model, text] of [
      ["qwen3", `${words}", "arguments": {}}\n</tool_call><|im_end|>`],
      ["llama", `${words}", "parameters": {}}<|eot_id|>`],
    ] as const) {
      await expectWords(client(text), body(model), words);
    }
  });

  it("words, then the call's JSON with a mistake in its arguments, give the words (#5)", async () => {
    const text = 'Sorry, no.", "arguments": {"city": Paris}}\n</tool_call><|im_end|>';
    await expectWords(client(text), body("qwen3"), "Sorry, no.");
  });

  it("a quote at the end of the words with no call after it is the model's (#7)", async () => {
    await expectWords(client('Our TV is 55"<|im_end|>'), body("qwen3"), 'Our TV is 55"');
  });
});

describe("the name slot's tail read from its end (codereview22)", () => {
  const body = (model: string, tool_choice: OpenAI.Chat.Completions.ChatCompletionToolChoiceOption = "required") => ({
    model,
    messages,
    tools,
    tool_choice,
  });
  const named = { type: "function", function: { name: "get_weather" } } as const;
  const weather = [{ name: "get_weather", arguments: "{}" }];

  it("quotes inside the words that a brace or a member could follow leave no JSON tail (#1)", async () => {
    for (const [model, text, words] of [
      ["qwen3", 'Choose "a", "b" or "c"."}\n</tool_call><|im_end|>', 'Choose "a", "b" or "c".'],
      ["qwen3", 'Use {"a": "b"} format."}\n</tool_call><|im_end|>', 'Use {"a": "b"} format.'],
      ["qwen3", 'I said "no"} really."}\n</tool_call><|im_end|>', 'I said "no"} really.'],
      ["llama", 'Choose "a", "b" or "c".", "parameters": {}}<|eot_id|>', 'Choose "a", "b" or "c".'],
    ] as const) {
      await expectWords(client(text), body(model), words);
    }
  });

  it("words holding a call's JSON are kept as written, never cut inside that call (#1, #2)", async () => {
    for (const [model, text, words] of [
      [
        "llama",
        'Sorry, I can\'t."}; {"name": "get_weather", "parameters": {}}<|eot_id|>',
        'Sorry, I can\'t."}; {"name": "get_weather", "parameters": {}}',
      ],
      [
        "qwen3",
        'Sorry. {"name": "get_weather", "arguments": {"a": }}\n</tool_call><|im_end|>',
        'Sorry. {"name": "get_weather", "arguments": {"a": }}',
      ],
    ] as const) {
      await expectWords(client(text), body(model), words);
    }
  });

  it("qwen: words, then a call the model opened in the same block, give the words and the call (#2)", async () => {
    for (const [text, words] of [
      [
        'Sorry, I can\'t.\n<tool_call>\n{"name": "get_weather", "arguments": {}}\n</tool_call><|im_end|>',
        "Sorry, I can't.",
      ],
      [
        'Let me check."}\n<tool_call>\n{"name": "get_weather", "arguments": {}}\n</tool_call><|im_end|>',
        "Let me check.",
      ],
    ]) {
      await expectWordsThenCalls(client(text!), body("qwen3"), words!, weather);
    }
  });

  it("r1: fences inside the words stay in them; only the arguments' fence line ends them (#3)", async () => {
    for (const [text, words] of [
      [
        "I can't call it, but here is code:\n```python\nprint(1)\n```\nHope it helps.<｜end▁of▁sentence｜>",
        "I can't call it, but here is code:\n```python\nprint(1)\n```\nHope it helps.",
      ],
      ["Here is code:\n```python\nprint(1)\n```<｜end▁of▁sentence｜>", "Here is code:\n```python\nprint(1)\n```"],
      ["You can use ``` to fence code.<｜end▁of▁sentence｜>", "You can use ``` to fence code."],
      ["Use ``` to fence code.<｜end▁of▁sentence｜>", "Use ``` to fence code."],
      [
        'Here:\n```python\nx\n```\n```json\n{"a": }\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜><｜end▁of▁sentence｜>',
        "Here:\n```python\nx\n```",
      ],
    ]) {
      await expectWords(client(text!), body("r1"), words!);
    }
  });

  it("r1: words, then a call after the call-end or call-begin token, give the words and the call (#4)", async () => {
    const call =
      "function<｜tool▁sep｜>get_weather\n```json\n{}\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜><｜end▁of▁sentence｜>";
    for (const text of [
      `Sorry, I can't.<｜tool▁call▁end｜><｜tool▁call▁begin｜>${call}`,
      `Sorry, I can't.\n\`\`\`json\nnope\n\`\`\`<｜tool▁call▁end｜><｜tool▁call▁begin｜>${call}`,
      `Sorry, I can't.<｜tool▁call▁begin｜>${call}`,
    ]) {
      await expectWordsThenCalls(client(text), body("r1"), "Sorry, I can't.", weather);
    }
  });

  it("a function's name with space around it is the call to that function on every route (#5)", async () => {
    const paris = [{ name: "get_weather", arguments: '{"city": "Paris"}' }];
    for (const [model, text] of [
      ["qwen3", 'get_weather ", "arguments": {"city": "Paris"}}\n</tool_call><|im_end|>'],
      ["qwen2", ' get_weather", "arguments": {"city": "Paris"}}\n</tool_call><|im_end|>'],
      ["llama", 'get_weather ", "parameters": {"city": "Paris"}}<|eot_id|>'],
      [
        "r1",
        'get_weather \n```json\n{"city": "Paris"}\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜><｜end▁of▁sentence｜>',
      ],
    ] as const) {
      await expectWordsThenCalls(client(text), body(model), null, paris);
    }
  });

  it("named: words instead of the arguments lose the call object's closing brace, as R1's lose the fence (#6)", async () => {
    for (const [model, text] of [
      ["qwen3", "Sorry, I can't.}\n</tool_call><|im_end|>"],
      ["llama", "Sorry, I can't.}<|eot_id|>"],
      ["r1", "Sorry, I can't.\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜><｜end▁of▁sentence｜>"],
    ] as const) {
      await expectWords(client(text), body(model, named), "Sorry, I can't.");
    }
    // A brace the words' own JSON closes is theirs.
    await expectWords(client('Use {"a": 1}<|eot_id|>'), body("llama", named), 'Use {"a": 1}');
  });
});

describe("a named forced call is that call alone, as OpenAI answers it", () => {
  it("the calls the model writes after it are left out, plain and streamed", async () => {
    const openai = client(
      '{"city": "Paris"}}\n</tool_call>\n<tool_call>\n{"name": "get_time", "arguments": {}}\n</tool_call><|im_end|>',
    );
    const body = {
      model: "qwen2",
      messages,
      tools,
      tool_choice: { type: "function", function: { name: "get_weather" } } as const,
    };
    const plain = await openai.chat.completions.create(body);
    const calls = plain.choices[0]!.message.tool_calls?.map((call) =>
      call.type === "function" ? call.function : call,
    );
    expect(calls).toEqual([{ name: "get_weather", arguments: '{"city": "Paris"}' }]);
    expect(plain.choices[0]!.finish_reason).toBe("tool_calls");
    expect(await joined(await openai.chat.completions.create({ ...body, stream: true }))).toEqual({
      content: "",
      calls: [{ name: "get_weather", arguments: '{"city": "Paris"}' }],
      finish: "tool_calls",
    });
  });
});

describe("unforced, Llama JSON that names no offered function is the answer", () => {
  const answer = '{"name": "Ada Lovelace", "arguments": {"born": 1815}}';

  it.each(["llama", "openai-llama"])("%s: the content, plain and streamed", async (model) => {
    const openai = client(answer);
    const body = { model, messages, tools, response_format: { type: "json_object" as const } };
    await expectWords(openai, body, answer);
  });

  it("a call to an offered function is still the call", async () => {
    const openai = client('{"name": "get_weather", "parameters": {"city": "Paris"}}<|eot_id|>');
    const plain = await openai.chat.completions.create({ model: "llama", messages, tools });
    expect(plain.choices[0]!.message.tool_calls?.map((call) => call.type === "function" && call.function.name)).toEqual(
      ["get_weather"],
    );
  });
});
