// Hostile input against the library: whatever a caller sends, the answer is a BedrockEdgeError
// with a 4xx (or a real answer), never a crash, and no request ever leaves for another host or
// another path than /model/<one encoded segment>/invoke[-with-response-stream] or /converse[-stream].
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EMULATOR_CREDENTIALS } from "../emulator/credentials.ts";
import { createEmulator } from "../emulator/handler.ts";
import { BedrockEdgeError, createBedrock, type ChatCompletionCreateParams } from "../src/index.ts";
import { model, ROUTE_FORMATS, type RouteName } from "./helpers/emulated.ts";
import { recordOutput } from "./helpers/output-log.ts";

const ENDPOINT_HOST = "bedrock.emulator";
const PATH = /^\/model\/[A-Za-z0-9%._+-]+\/(invoke(-with-response-stream)?|converse(-stream)?)$/;

function guarded() {
  const emulator = createEmulator();
  const sent: URL[] = [];
  const bedrock = createBedrock({
    endpoint: `http://${ENDPOINT_HOST}`,
    credentials: EMULATOR_CREDENTIALS,
    retryBaseDelayMs: 1,
    maxRetries: 0,
    fetch: async (input, init) => {
      const request = new Request(input, init);
      sent.push(new URL(request.url));
      return emulator.fetch(request);
    },
  });
  return { bedrock, sent };
}

async function outcome(promise: Promise<unknown>): Promise<unknown> {
  try {
    const result = await promise;
    if (result && typeof result === "object" && Symbol.asyncIterator in result) {
      for await (const _chunk of result as AsyncIterable<unknown>) {
        // drain
      }
    }
    return undefined;
  } catch (error) {
    recordOutput(error instanceof BedrockEdgeError ? JSON.stringify(error.toJSON()) : String(error));
    return error;
  }
}

function expectCleanRefusal(error: unknown) {
  if (error === undefined) return;
  expect(error).toBeInstanceOf(BedrockEdgeError);
  const status = (error as BedrockEdgeError).status;
  expect(status >= 400 && status < 500, `status ${status}: ${(error as Error).message}`).toBe(true);
  expectReadable(error as BedrockEdgeError);
}

// valibot's own wording, which must never reach a caller: "Invalid type: Expected number but received "1"".
const VALIBOT_WORDING = /Invalid (key|type|length|value|format|finite|entries)\b|Expected .* but received|^Invalid /;

/** A refusal of ours reads as a sentence that names the field it is about. */
function expectReadable(error: BedrockEdgeError) {
  if (error.bedrockError !== undefined) return; // Bedrock's (the emulator's) own words
  expect(error.message).not.toMatch(VALIBOT_WORDING);
  expect(error.message).toMatch(/[.)]$/);
  if (error.param !== null) expect(error.message, error.message).toContain(error.param);
}

const hello = [{ role: "user", content: "hi" }];

describe("hostile model strings and regions", () => {
  const injections = [
    "bedrock/llama/arn:aws:bedrock:us-east-1.evil.example:1:imported-model/x",
    "bedrock/llama/arn:aws:bedrock:evil.example#:1:imported-model/x",
    "bedrock/llama/../../../admin",
    "bedrock/llama/..",
    "bedrock/llama/a%2F..%2Fb",
    "bedrock/llama/x\r\nHost: evil.example",
    "bedrock/llama/x?y=1",
    "bedrock/llama/x#frag",
    "bedrock/llama/@evil.example",
    "bedrock/openai/us-east-1.evil.example/arn:aws:bedrock:us-east-1:1:imported-model/x",
    "bedrock/llama/x y",
    `bedrock/llama/${"a".repeat(5000)}`,
    "bedrock/llama/\u0000",
    "bedrock/llama/ünïcode",
  ];
  for (const name of injections) {
    it(JSON.stringify(name.slice(0, 60)), async () => {
      const { bedrock, sent } = guarded();
      const error = await outcome(
        bedrock.chat.completions.create({ model: name, messages: hello } as ChatCompletionCreateParams),
      );
      expect(error).toBeInstanceOf(BedrockEdgeError);
      expect((error as BedrockEdgeError).status).toBe(400);
      expect(sent).toEqual([]);
    });
  }

  it("a region option built to inject a host is refused: no client is made, so nothing is ever sent", () => {
    for (const region of ["us-east-1.evil.example", "us-east-1/x", "evil.example#", "us-east-1\r\n"]) {
      const emulator = createEmulator();
      const sent: string[] = [];
      const make = () =>
        createBedrock({
          region,
          credentials: EMULATOR_CREDENTIALS,
          fetch: async (input, init) => {
            sent.push(new Request(input, init).url);
            return emulator.fetch(new Request(input, init));
          },
        });
      expect(make, JSON.stringify(region)).toThrow(
        new TypeError(`region must look like us-east-1 (got ${JSON.stringify(region)})`),
      );
      expect(sent).toEqual([]);
    }
  });
});

describe("hostile request bodies", () => {
  it("wrong types anywhere, unknown fields, huge strings: a clean 4xx or an answer, and only the right host and path", async () => {
    const { bedrock, sent } = guarded();
    const anything = fc.anything({
      maxDepth: 3,
      withBigInt: false,
      withMap: true,
      withSet: true,
      withDate: true,
      withTypedArray: true,
    });
    const field = fc.constantFrom(
      "messages",
      "temperature",
      "top_p",
      "max_tokens",
      "stop",
      "tools",
      "tool_choice",
      "stream",
      "stream_options",
      "n",
      "response_format",
      "chat_template_kwargs",
      "model",
      "seed",
      "logit_bias",
      "user",
      "extra_field",
    );
    const messageArb = fc.oneof(
      fc.record(
        {
          role: fc.constantFrom("system", "user", "assistant", "tool", "developer", "function", "root"),
          content: fc.oneof(fc.string(), anything),
          tool_call_id: fc.option(fc.string()),
          tool_calls: fc.option(anything),
        },
        { requiredKeys: ["role"] },
      ),
      anything,
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...(Object.keys(ROUTE_FORMATS) as RouteName[])),
        fc.array(messageArb, { maxLength: 4 }),
        fc.dictionary(field, anything, { maxKeys: 3 }),
        async (route, messages, extra) => {
          const request = {
            model: model(route),
            messages,
            ...extra,
          } as unknown as ChatCompletionCreateParams;
          expectCleanRefusal(await outcome(bedrock.chat.completions.create(request)));
        },
      ),
      { numRuns: 400 },
    );
    for (const url of sent) {
      expect(url.host).toBe(ENDPOINT_HOST);
      expect(url.pathname).toMatch(PATH);
    }
  });

  it("a wrongly typed field is refused with a sentence that starts with its path", async () => {
    const { bedrock, sent } = guarded();
    const notNumber = fc.oneof(fc.string(), fc.boolean(), fc.array(fc.integer(), { maxLength: 2 }), fc.object());
    const notBoolean = fc.oneof(fc.string(), fc.integer(), fc.array(fc.boolean(), { maxLength: 2 }), fc.object());
    const notString = fc.oneof(fc.integer(), fc.boolean(), fc.array(fc.string(), { maxLength: 2 }), fc.object());
    const notArray = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.object());
    const wrong: Record<string, fc.Arbitrary<unknown>> = {
      model: notString,
      messages: notArray,
      temperature: notNumber,
      top_p: notNumber,
      top_k: notNumber,
      max_tokens: notNumber,
      max_completion_tokens: notNumber,
      n: notNumber,
      seed: notNumber,
      presence_penalty: notNumber,
      stream: notBoolean,
      logprobs: notBoolean,
      parallel_tool_calls: notBoolean,
      user: notString,
      tools: notArray,
      stop: fc.oneof(fc.integer(), fc.boolean(), fc.object(), fc.array(fc.integer(), { minLength: 1, maxLength: 2 })),
      tool_choice: fc.oneof(
        fc.integer(),
        fc.boolean(),
        fc.string().filter((s) => !["none", "auto", "required"].includes(s)),
      ),
    };
    // Or one message broken: an unknown role, content of the wrong type, a tool result without its
    // id, or no object at all.
    const badMessage = fc.oneof(
      fc.record({
        role: fc.string().filter((r) => !["system", "developer", "user", "assistant", "tool"].includes(r)),
        content: fc.string(),
      }),
      fc.record({
        role: fc.constantFrom("system", "user", "tool"),
        content: fc.oneof(fc.integer(), fc.boolean(), fc.object()),
      }),
      fc.record({ role: fc.constant("tool"), content: fc.string() }),
      fc.oneof(fc.integer(), fc.string(), fc.boolean()),
    );
    const broken = fc.oneof(
      fc.constantFrom(...Object.keys(wrong)).chain((field) => wrong[field]!.map((value) => ({ field, value }))),
      fc
        .tuple(fc.nat({ max: 2 }), badMessage)
        .map(([index, message]) => ({ field: `messages[${index}]`, index, message })),
    );
    await fc.assert(
      fc.asyncProperty(broken, async (change) => {
        const messages: unknown[] = [...hello, ...hello, ...hello];
        const request: Record<string, unknown> = { model: model("llama"), messages };
        if ("message" in change) messages[change.index] = change.message;
        else request[change.field] = change.value;
        const error = await outcome(bedrock.chat.completions.create(request as unknown as ChatCompletionCreateParams));
        expect(error).toBeInstanceOf(BedrockEdgeError);
        const refusal = error as BedrockEdgeError;
        expect(refusal.status).toBe(400);
        expect(refusal.param?.startsWith(change.field), `${refusal.param}: ${refusal.message}`).toBe(true);
        expect(refusal.message.startsWith(`${refusal.param} `), refusal.message).toBe(true);
        expectReadable(refusal);
      }),
      { numRuns: 300 },
    );
    expect(sent).toEqual([]);
  });

  it("megabyte-long strings in every field are handled, not crashed on", async () => {
    const { bedrock } = guarded();
    const mega = "x".repeat(1024 * 1024);
    const requests: unknown[] = [
      { model: model("llama"), messages: [{ role: "user", content: mega }] },
      {
        model: model("qwen3"),
        messages: [
          { role: "system", content: mega },
          { role: "user", content: "hi" },
        ],
      },
      { model: mega, messages: hello },
      {
        model: model("qwen3"),
        messages: hello,
        tools: [{ type: "function", function: { name: "f", description: mega } }],
      },
      { model: model("llama"), messages: hello, stop: [mega] },
      { model: model("llama"), messages: hello, user: mega },
      {
        model: model("openai"),
        messages: [
          {
            role: "user",
            content: [{ type: "image_url", image_url: { url: `data:image/png;base64,${"A".repeat(1024 * 1024)}` } }],
          },
        ],
      },
    ];
    for (const request of requests)
      expectCleanRefusal(await outcome(bedrock.chat.completions.create(request as ChatCompletionCreateParams)));
  });

  it("deeply nested values do not blow the stack", async () => {
    const { bedrock } = guarded();
    let deep: unknown = {};
    for (let i = 0; i < 10_000; i++) deep = { a: deep };
    const requests: unknown[] = [
      {
        model: model("qwen3"),
        messages: hello,
        tools: [{ type: "function", function: { name: "f", parameters: deep } }],
      },
      {
        model: model("qwen3"),
        messages: [
          {
            role: "assistant",
            content: null,
            tool_calls: [{ id: "1", type: "function", function: { name: "f", arguments: JSON.stringify({ a: 1 }) } }],
          },
          ...hello,
        ],
        chat_template_kwargs: { deep },
      },
      { model: model("openai"), messages: hello, response_format: { type: "json_schema", json_schema: deep } },
      // JSON inside a string: checked as text, before any parser recurses into it.
      ...(["qwen3", "qwen2", "deepseek_r1", "openai"] as const).map((route) => ({
        model: model(route),
        messages: [
          { role: "user", content: "hi" },
          {
            role: "assistant",
            content: null,
            tool_calls: [
              {
                id: "1",
                type: "function",
                function: { name: "f", arguments: `{"a":${"[".repeat(50_000)}${"]".repeat(50_000)}}` },
              },
            ],
          },
          { role: "tool", tool_call_id: "1", content: "ok" },
        ],
      })),
    ];
    for (const request of requests)
      expectCleanRefusal(await outcome(bedrock.chat.completions.create(request as ChatCompletionCreateParams)));
  });
});
