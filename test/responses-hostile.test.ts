// Hostile Responses requests against the library: whatever a caller sends as items, tools,
// formats or options, the answer is a Response (or its events) or a clean 4xx naming a field,
// never a crash.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BedrockEdgeError, type ResponseCreateParams } from "../src/index.ts";
import { emulated, model } from "./helpers/emulated.ts";
import { recordOutput } from "./helpers/output-log.ts";

const { bedrock } = emulated({ maxRetries: 0 });

async function outcome(params: unknown): Promise<unknown> {
  try {
    const result = await bedrock.responses.create(params as ResponseCreateParams);
    if (Symbol.asyncIterator in result) for await (const _event of result);
    return undefined;
  } catch (error) {
    recordOutput(error instanceof BedrockEdgeError ? JSON.stringify(error.toJSON()) : String(error));
    return error;
  }
}

/** Mostly a valid value, sometimes a hostile one: so that requests get past the first check. */
function mostly<T, U>(valid: fc.Arbitrary<T>, hostile: fc.Arbitrary<U>): fc.Arbitrary<T | U> {
  return fc.oneof({ arbitrary: valid, weight: 6 }, { arbitrary: hostile, weight: 1 });
}

const text = mostly(
  fc.string({ maxLength: 20 }),
  fc.constantFrom("", "input_text", "data:image/png;base64,iVBORw0KGgo="),
);
const part = fc.record({
  type: mostly(
    fc.constantFrom("input_text", "output_text"),
    fc.constantFrom("input_image", "refusal", "input_file", 5),
  ),
  text,
  image_url: text,
  refusal: text,
  detail: fc.constantFrom("auto", "low", "original", "huge"),
});
const content = mostly(fc.oneof(text, fc.array(part, { maxLength: 3 })), fc.anything({ maxDepth: 2 }));
const message = fc.record(
  {
    type: fc.constantFrom("message", undefined),
    role: mostly(fc.constantFrom("user", "system", "developer", "assistant"), fc.constantFrom("tool", 1)),
    content,
  },
  { requiredKeys: ["role", "content"] },
);
const otherItem = fc.record({
  type: fc.constantFrom("function_call", "function_call_output", "reasoning", "item_reference", "web_search_call"),
  call_id: mostly(fc.constantFrom("call_1", "call_2"), fc.oneof(fc.constant(""), fc.integer())),
  name: mostly(fc.constant("get_weather"), fc.constantFrom("", "bad name")),
  arguments: mostly(fc.json({ maxDepth: 2 }), fc.string()),
  output: content,
  summary: mostly(fc.array(fc.record({ type: fc.constant("summary_text"), text }), { maxLength: 2 }), fc.string()),
  id: fc.constantFrom("rs_1", "msg_1", 7),
});
const item = fc.oneof(
  { arbitrary: message, weight: 4 },
  { arbitrary: otherItem, weight: 2 },
  { arbitrary: fc.anything({ maxDepth: 2 }), weight: 1 },
);
const tool = fc.record({
  type: mostly(fc.constant("function"), fc.constantFrom("web_search", "mcp")),
  name: mostly(fc.constant("get_weather"), fc.constantFrom("x y", "")),
  parameters: mostly(fc.constantFrom({ type: "object" }, null), fc.anything({ maxDepth: 2 })),
});
const request = fc.record(
  {
    model: mostly(
      fc.constantFrom(model("qwen3", "tool"), model("openai", "tool"), model("llama"), model("deepseek_r1")),
      fc.constantFrom("", 3),
    ),
    input: mostly(fc.oneof(text, fc.array(item, { minLength: 1, maxLength: 5 })), fc.anything({ maxDepth: 2 })),
    instructions: mostly(fc.oneof(text, fc.constant(null)), fc.integer()),
    tools: fc.array(tool, { maxLength: 2 }),
    tool_choice: mostly(
      fc.constantFrom("auto", "none"),
      fc.oneof(
        fc.constantFrom("required", "sometimes"),
        fc.record({ type: fc.constantFrom("function", "file_search"), name: fc.constantFrom("get_weather", "nope") }),
      ),
    ),
    text: fc.record({
      format: mostly(fc.record({ type: fc.constantFrom("text", "json_object") }), fc.anything({ maxDepth: 2 })),
    }),
    reasoning: mostly(fc.record({ summary: fc.constantFrom("auto", null) }), fc.anything({ maxDepth: 1 })),
    max_output_tokens: mostly(fc.integer({ min: 1, max: 64 }), fc.oneof(fc.integer({ min: -5, max: 0 }), fc.double())),
    temperature: mostly(fc.double({ min: 0, max: 2, noNaN: true }), fc.double()),
    store: mostly(fc.constantFrom(false, null), fc.constant(true)),
    include: mostly(
      fc.constant(["reasoning.encrypted_content"]),
      fc.array(fc.constantFrom("file_search_call.results", 4), { maxLength: 2 }),
    ),
    metadata: mostly(fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 }), fc.anything({ maxDepth: 1 })),
    stream: mostly(fc.boolean(), fc.constant("yes")),
  },
  { requiredKeys: ["model", "input"] },
);

describe("hostile Responses requests", () => {
  it("never crash: a Response, its events, or a 4xx naming what is wrong", async () => {
    await fc.assert(
      fc.asyncProperty(request, async (params) => {
        const error = await outcome(params);
        if (error === undefined) return;
        expect(error).toBeInstanceOf(BedrockEdgeError);
        const status = (error as BedrockEdgeError).status;
        expect(status >= 400 && status < 500, `status ${status}: ${(error as Error).message}`).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

// JSON.parse makes `toString` an own property that is not a function; String() throws on it, and a
// message built with it was a TypeError (a 500 through the proxy). Found by the fuzz2 review.
describe("values whose toString is not a function, where an error message describes them", () => {
  const odd = [JSON.parse('{"toString":1}'), JSON.parse('[{"toString":1}]'), JSON.parse('{"toString":1,"valueOf":1}')];

  it("an item_reference id: a 400 naming input[0].id", async () => {
    for (const id of odd) {
      const error = await outcome({ model: model("llama"), input: [{ type: "item_reference", id }] });
      expect(error).toBeInstanceOf(BedrockEdgeError);
      expect(error).toMatchObject({ status: 400, param: "input[0].id" });
    }
  });

  it("a chat_template_kwargs value that contradicts reasoning_effort: the 400 naming reasoning_effort", async () => {
    for (const enable_thinking of odd) {
      const error = await bedrock.chat.completions
        .create({
          model: model("qwen3"),
          messages: [{ role: "user", content: "hi" }],
          reasoning_effort: "low",
          chat_template_kwargs: { enable_thinking },
        })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(BedrockEdgeError);
      expect(error).toMatchObject({ status: 400, param: "reasoning_effort" });
      expect((error as Error).message).toMatch(/enable_thinking: an (object|array); give one of them/);
    }
  });
});
