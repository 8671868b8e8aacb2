// The foundation_model setting: an id that names no model (an application inference profile, a
// provisioned model) is served as the model the setting names, in every decision the route makes
// by family, while the call still goes to the id itself (client.ts signs and sends that).
import { describe, expect, it } from "vitest";
import type { ChatCompletionRequest, FunctionTool } from "../../openai/types.ts";
import { neutraliseRequest } from "../prompts/token-neutraliser.ts";
import { converseRoute } from "./index.ts";
import { buildConverseBody, type ConverseSettings } from "./request.ts";

const PROFILE = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6";
const CLAUDE_45: ConverseSettings = { foundation_model: "us.anthropic.claude-sonnet-4-5-20250929-v1:0" };
const NOVA: ConverseSettings = { foundation_model: "amazon.nova-pro-v1:0" };
const LLAMA: ConverseSettings = { foundation_model: "meta.llama3-3-70b-instruct-v1:0" };
const HOUR = { type: "ephemeral", ttl: "1h" };

const tool = {
  type: "function",
  function: { name: "read_file", parameters: { type: "object", properties: { path: { type: "string" } } } },
  cache_control: HOUR,
} as FunctionTool;

function request(extra: Record<string, unknown> = {}): ChatCompletionRequest {
  return { model: "m", messages: [{ role: "user", content: "Hi" }], ...extra } as ChatCompletionRequest;
}

const answer = (text: string) => ({
  output: { message: { role: "assistant", content: [{ text }] } },
  stopReason: "end_turn",
});

describe("foundation_model: an application profile served as the Claude it names", () => {
  it("reasoning_effort becomes Claude's thinking, within an output limit", () => {
    expect(buildConverseBody(request({ reasoning_effort: "low" }), PROFILE, CLAUDE_45)).toMatchObject({
      additionalModelRequestFields: { thinking: { type: "enabled", budget_tokens: 2048 } },
      inferenceConfig: { maxTokens: 2048 + 4096 },
    });
  });

  it("a stop of only whitespace is applied by the route, not sent; the others are sent", () => {
    const stopped = request({ stop: ["\n", "END"] });
    const body = buildConverseBody(stopped, PROFILE, CLAUDE_45);
    expect(body.inferenceConfig?.stopSequences).toEqual(["END"]);
    const parsed = converseRoute.parseAnswer(answer("one\ntwo"), stopped, CLAUDE_45, undefined, PROFILE);
    expect(parsed.choices[0]!.message.content).toBe("one");
    const mapper = converseRoute.createStreamMapper(stopped, CLAUDE_45, PROFILE);
    const parts = [
      ...mapper.push({ type: "contentBlockDelta", json: { contentBlockIndex: 0, delta: { text: "one\ntwo" } } }),
      ...mapper.end(),
    ];
    expect(parts.map((part) => part.delta.content ?? "").join("")).toBe("one");
    expect(mapper.done?.()).toBe(true);
  });

  it("cache_control marks become cachePoints, a one-hour ttl kept, among the tools too", () => {
    const marked = request({
      messages: [
        { role: "system", content: [{ type: "text", text: "Be brief.", cache_control: HOUR }] },
        { role: "user", content: "Hi" },
      ],
      tools: [tool],
    });
    const body = buildConverseBody(marked, PROFILE, CLAUDE_45);
    const point = { cachePoint: { type: "default", ttl: "1h" } };
    expect(body.system).toEqual([{ text: "Be brief." }, point]);
    expect(body.toolConfig?.tools).toEqual([expect.objectContaining({ toolSpec: expect.anything() }), point]);
  });

  it("signed thinking blocks go back as they came: Bedrock checks Claude's signature", () => {
    expect(converseRoute.sendsSignedThinking?.(PROFILE, CLAUDE_45)).toBe(true);
    expect(converseRoute.sendsSignedThinking?.(PROFILE, {})).toBe(false);
    const signed = { type: "thinking", thinking: "about <|im_start|>", signature: "sig" };
    const turn = { role: "assistant", content: "a", thinking_blocks: [signed] };
    const sent = request({ messages: [{ role: "user", content: "Hi" }, turn, { role: "user", content: "b" }] });
    const out = neutraliseRequest(sent, undefined, converseRoute, [{ modelId: PROFILE }], CLAUDE_45);
    expect((out.messages[1] as { thinking_blocks?: unknown[] }).thinking_blocks![0]).toBe(signed);
  });
});

describe("foundation_model: other families behind a profile", () => {
  it("Nova: cache points outside the tools only, as Nova caches no tools", () => {
    const marked = request({
      messages: [
        { role: "system", content: [{ type: "text", text: "Be brief.", cache_control: HOUR }] },
        { role: "user", content: "Hi" },
      ],
      tools: [tool],
    });
    const body = buildConverseBody(marked, PROFILE, NOVA);
    expect(body.system).toEqual([{ text: "Be brief." }, { cachePoint: { type: "default" } }]);
    expect(JSON.stringify(body.toolConfig)).not.toContain("cachePoint");
  });

  it("Llama: a streamed request with tools is made as a plain call and replayed; a named tool_choice is refused", () => {
    const streamed = request({ tools: [tool], stream: true });
    const body = buildConverseBody(streamed, PROFILE, LLAMA);
    expect(converseRoute.streamReplay?.needed(streamed, PROFILE, body, LLAMA)).toBe(true);
    expect(converseRoute.streamReplay?.needed(streamed, PROFILE, body, {})).toBe(false);
    const named = request({ tools: [tool], tool_choice: { type: "function", function: { name: "read_file" } } });
    expect(() => buildConverseBody(named, PROFILE, LLAMA)).toThrow(/tool_choice/);
  });
});
