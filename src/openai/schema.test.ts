import type * as v from "valibot";
import { describe, expect, it } from "vitest";
import { errorOf } from "../../test/helpers/errors.ts";
import { BedrockEdgeError } from "../errors.ts";
import { type chatCompletionRequestSchema, parseChatRequest } from "./schema.ts";
import type { ChatCompletionRequest } from "./types.ts";

// True only when A and B are the same type, not merely assignable either way: a generic function
// type's conditional is compared by identity.
type Probe<T> = <U>() => U extends T ? 1 : 2;
type Equal<A, B> = Probe<A> extends Probe<B> ? true : false;

/** The 400 that parseChatRequest refuses `input` with. */
function refusal(input: unknown): BedrockEdgeError {
  const error = errorOf(() => parseChatRequest(input), BedrockEdgeError);
  expect(error.status).toBe(400);
  return error;
}

const ok = { model: "m", messages: [{ role: "user", content: "hi" }] };

describe("request validation names the field", () => {
  const cases: Array<[unknown, string | null, RegExp]> = [
    [null, null, /JSON object/],
    [[], null, /JSON object/],
    [{ messages: ok.messages }, "model", /model/],
    [{ ...ok, messages: [] }, "messages", /must not be empty/],
    [{ ...ok, messages: "hi" }, "messages", /Expected Array/],
    [{ ...ok, messages: [{ role: "wizard", content: "x" }] }, "messages[0].role", /role must be one of/],
    [
      { ...ok, messages: [ok.messages[0], { role: "user", content: 5 }] },
      "messages[1].content",
      /string or an array of content parts/,
    ],
    [
      { ...ok, messages: [{ role: "user", content: [{ type: "audio", x: 1 }] }] },
      "messages[0].content[0].type",
      /text.*image_url/,
    ],
    [
      { ...ok, messages: [{ role: "user", content: [{ type: "image_url", image_url: {} }] }] },
      "messages[0].content[0].image_url.url",
      /url/,
    ],
    [{ ...ok, messages: [{ role: "assistant" }] }, "messages[0]", /content or tool_calls/],
    [{ ...ok, messages: [{ role: "tool", content: "x" }] }, "messages[0].tool_call_id", /tool_call_id/],
    [{ ...ok, temperature: "1" }, "temperature", /Expected number/],
    [{ ...ok, temperature: 2.5 }, "temperature", /<=2/],
    [{ ...ok, top_p: -1 }, "top_p", />=0/],
    [{ ...ok, max_tokens: 0 }, "max_tokens", />=1/],
    [{ ...ok, max_tokens: 1.5 }, "max_tokens", /integer/],
    [{ ...ok, stop: ["a", ""] }, "stop[1]", /Invalid length/],
    [{ ...ok, stream: "yes" }, "stream", /boolean/],
    [
      { ...ok, tools: [{ type: "function", function: { name: "bad name" } }] },
      "tools[0].function.name",
      /function name/,
    ],
    [{ ...ok, tool_choice: "sometimes" }, "tool_choice", /tool_choice/],
  ];
  for (const [input, param, message] of cases) {
    it(`${param ?? "body"}: ${message}`, () => {
      const error = refusal(input);
      expect(error.param).toBe(param);
      expect(error.message).toMatch(message);
      if (param) expect(error.message.startsWith(`Invalid ${param}:`)).toBe(true);
    });
  }

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
      chat_template_kwargs: { enable_thinking: false },
      repetition_penalty: 1.1,
    };
    expect(parseChatRequest(request)).toEqual(request);
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
});
