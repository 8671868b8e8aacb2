// The JSON text inside a request's strings (tool calls' arguments; on the Responses API also the
// reasoning handed back in encrypted_content) is held to REQUEST_JSON_LIMITS's arrays and objects,
// and values, over all of a request's strings together, not one string at a time (redos43 #2:
// 25 calls of 49,991 arrays each were served, 1.25 million arrays parsed from 3.75 MB).
import { describe, expect, it } from "vitest";
import { BedrockEdgeError, type ResponseCreateParams } from "../src/index.ts";
import { encodeThinkingBlocks } from "../src/responses/encrypted-reasoning.ts";
import { emulated, model } from "./helpers/emulated.ts";
import { inProcessProxy } from "./helpers/in-process-proxy.ts";

const NOVA = "bedrock/converse/us.amazon.nova-pro-v1:0";
const CONTAINERS_LEFT =
  "holds more arrays and objects than the request has left: all of its tool calls' arguments (and reasoning handed back) may hold 50000 in total.";

/** Arguments of `arrays` empty arrays in one: `arrays` + 2 arrays and objects. */
const argumentsOf = (arrays: number) => `{"a":[${"[],".repeat(arrays - 1)}[]]}`;

/** A chat body whose assistant turn calls `f` once for each arguments text given, and its results. */
function withCalls(all: string[]): string {
  const calls = all.map((args, i) => ({ id: `c${i}`, type: "function", function: { name: "f", arguments: args } }));
  return JSON.stringify({
    model: "nova",
    messages: [
      { role: "user", content: "go" },
      { role: "assistant", content: null, tool_calls: calls },
      ...calls.map((call) => ({ role: "tool", tool_call_id: call.id, content: "ok" })),
    ],
    tools: [{ type: "function", function: { name: "f", parameters: { type: "object", properties: {} } } }],
  });
}

describe("tool calls' arguments through the proxy: one allowance per request (redos43 #2)", () => {
  async function post(body: string) {
    const { app, emulator } = inProcessProxy({ nova: NOVA });
    const response = await app.request("http://proxy.test/v1/chat/completions", {
      method: "POST",
      body,
      headers: { authorization: "Bearer sk-test", "content-type": "application/json" },
    });
    const json = (await response.json()) as { error?: { param: string; message: string } };
    return { status: response.status, error: json.error, calls: emulator.stats.requests.length };
  }

  it("the review's 25 calls of 49,991 arrays each (3.75 MB): a 400 at the second call, and nothing sent", async () => {
    const body = withCalls(Array.from({ length: 25 }, () => argumentsOf(49_991)));
    expect(body.length).toBeGreaterThan(3_700_000);
    const param = "messages[1].tool_calls[1].function.arguments";
    expect(await post(body)).toEqual({
      status: 400,
      error: expect.objectContaining({ param, message: `${param} ${CONTAINERS_LEFT}` }),
      calls: 0,
    });
  });

  it("25 calls of 2,000 arrays and objects each, 50,000 in all, are served; one more is a 400 at the last call", async () => {
    const exactly = Array.from({ length: 25 }, () => argumentsOf(1_998));
    expect(await post(withCalls(exactly))).toMatchObject({ status: 200, calls: 1 });
    const param = "messages[1].tool_calls[24].function.arguments";
    expect(await post(withCalls([...exactly.slice(0, 24), argumentsOf(1_999)]))).toEqual({
      status: 400,
      error: expect.objectContaining({ param, message: `${param} ${CONTAINERS_LEFT}` }),
      calls: 0,
    });
  });

  it("values are counted over the calls too: 200,000 in all", async () => {
    /** Arguments of `count` values as the scan counts them: the object, its array, and a value per comma. */
    const values = (count: number) => `{"a":[${"1,".repeat(count - 2)}1]}`;
    expect(await post(withCalls([values(100_000), values(100_000)]))).toMatchObject({ status: 200, calls: 1 });
    const param = "messages[1].tool_calls[1].function.arguments";
    expect(await post(withCalls([values(100_000), values(100_001)]))).toEqual({
      status: 400,
      error: expect.objectContaining({
        param,
        message: `${param} holds more values than the request has left: all of its tool calls' arguments (and reasoning handed back) may hold 200000 in total.`,
      }),
      calls: 0,
    });
  });
});

describe("the Responses API: function_call arguments and handed-back reasoning share the allowance (redos43 #2)", () => {
  const tools: ResponseCreateParams["tools"] = [{ type: "function", name: "f", parameters: { type: "object" } }];
  /** encrypted_content as this server writes it: 1,000 redacted blocks, 1,002 arrays and objects (its own limit). */
  const reasoning = encodeThinkingBlocks(
    Array.from({ length: 1_000 }, () => ({ type: "redacted_thinking" as const, data: "A" })),
  );

  async function refusal(input: ResponseCreateParams["input"]) {
    const { bedrock, emulator } = emulated();
    const error = await bedrock.responses.create({ model: model("converse"), input, tools }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(emulator.stats.requests).toHaveLength(0);
    expect(error).toBeInstanceOf(BedrockEdgeError);
    return error as BedrockEdgeError;
  }

  it("50 reasoning items of 1,002 each: a 400 at the one past 50,000, though each is within its own limit", async () => {
    const items = Array.from({ length: 50 }, () => ({
      type: "reasoning" as const,
      summary: [],
      encrypted_content: reasoning,
    }));
    const error = await refusal([{ role: "user", content: "go" }, ...items]);
    expect(error).toMatchObject({
      status: 400,
      param: "input[50].encrypted_content",
      message: `input[50].encrypted_content ${CONTAINERS_LEFT}`,
    });
  });

  it("reasoning's arrays and objects count against a function_call's arguments after it", async () => {
    const items = Array.from({ length: 25 }, () => ({
      type: "reasoning" as const,
      summary: [],
      encrypted_content: reasoning,
    }));
    // 25 × 1,002 = 25,050: arguments of 24,950 fill the allowance to 50,000; one more array passes it.
    const call = (arrays: number) => ({
      type: "function_call" as const,
      call_id: "c1",
      name: "f",
      arguments: argumentsOf(arrays),
    });
    const output = { type: "function_call_output" as const, call_id: "c1", output: "ok" };
    const error = await refusal([{ role: "user", content: "go" }, ...items, call(24_949), output]);
    expect(error).toMatchObject({
      status: 400,
      param: "input[26].arguments",
      message: `input[26].arguments ${CONTAINERS_LEFT}`,
    });
    // At exactly 50,000 it is served.
    const { bedrock, emulator } = emulated();
    const served = await bedrock.responses.create({
      model: model("converse"),
      input: [{ role: "user", content: "go" }, ...items, call(24_948), output],
      tools,
    });
    expect(served.status).toBe("completed");
    expect(emulator.stats.requests).toHaveLength(1);
  });
});
