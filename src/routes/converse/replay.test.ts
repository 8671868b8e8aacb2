import { describe, expect, it } from "vitest";
import { converseAnswerEvents } from "./replay.ts";
import { createConverseStreamMapper } from "./stream.ts";
import { parseConverseAnswer } from "./answer.ts";
import type { StreamPart } from "../types.ts";

const ANSWER = {
  output: {
    message: {
      role: "assistant",
      content: [
        { reasoningContent: { reasoningText: { text: "Paris, so weather.", signature: "c2ln" } } },
        { reasoningContent: { redactedContent: "AAAA" } },
        { text: "Let me look." },
        { toolUse: { toolUseId: "tooluse_1", name: "get_weather", input: { city: "Paris" } } },
        { toolUse: { toolUseId: "tooluse_2", name: "now", input: {} } },
      ],
    },
  },
  stopReason: "tool_use",
  usage: { inputTokens: 12, outputTokens: 30, totalTokens: 42 },
};

describe("a plain Converse answer replayed as ConverseStream events", () => {
  it("maps, through the stream mapper, to what the plain answer says", () => {
    const mapper = createConverseStreamMapper();
    const parts: StreamPart[] = converseAnswerEvents(ANSWER).flatMap((event) => mapper.push(event));
    parts.push(...mapper.end());
    const plain = parseConverseAnswer(ANSWER).choices[0]!.message;
    const text = parts.map((part) => part.delta.content ?? "").join("");
    const reasoning = parts.map((part) => part.delta.reasoning_content ?? "").join("");
    const thinking = parts.flatMap((part) => part.delta.thinking_blocks ?? []);
    const calls = new Map<number, { id?: string; name?: string; arguments: string }>();
    for (const call of parts.flatMap((part) => part.delta.tool_calls ?? [])) {
      const known = calls.get(call.index);
      if (known) known.arguments += call.function?.arguments ?? "";
      else calls.set(call.index, { id: call.id, name: call.function?.name, arguments: call.function?.arguments ?? "" });
    }
    expect(text).toBe("Let me look.");
    expect(plain.content).toBe(text);
    expect(reasoning).toBe(plain.reasoning_content);
    expect(thinking).toEqual(plain.thinking_blocks);
    expect([...calls.values()]).toEqual(
      plain.tool_calls!.map((call) => ({ id: call.id, name: call.function.name, arguments: call.function.arguments })),
    );
    expect(parts.find((part) => part.finish_reason)?.finish_reason).toBe("tool_calls");
    expect(parts.find((part) => part.usage)?.usage).toEqual(parseConverseAnswer(ANSWER).usage);
  });

  it("replays a tool call's input as Bedrock's answer writes it, its numbers as written (parity6)", () => {
    const input = '{"user_id":1234567890123456789,"x":1e400,"amount":1.10}';
    const text = `{"output":{"message":{"role":"assistant","content":[{"toolUse":{"toolUseId":"t1","name":"lookup","input":${input}}}]}},"stopReason":"tool_use"}`;
    const mapper = createConverseStreamMapper();
    const parts = converseAnswerEvents(JSON.parse(text), text).flatMap((event) => mapper.push(event));
    const streamed = parts.flatMap((part) => part.delta.tool_calls ?? []).map((call) => call.function?.arguments ?? "");
    expect(streamed.join("")).toBe(input);
    expect(parseConverseAnswer(JSON.parse(text), text).choices[0]!.message.tool_calls![0]!.function.arguments).toBe(
      input,
    );
  });

  it("replays the tier the answer says served, as ConverseStream's metadata says it", () => {
    const mapper = createConverseStreamMapper();
    const served = { ...ANSWER, serviceTier: { type: "flex" } };
    const parts = converseAnswerEvents(served).flatMap((event) => mapper.push(event));
    expect(parts.find((part) => part.finish_reason)?.service_tier).toBe(parseConverseAnswer(served).service_tier);
    expect(parseConverseAnswer(served).service_tier).toBe("flex");
  });

  it("an answer without a message ends as a cut stream does", () => {
    const mapper = createConverseStreamMapper();
    for (const event of converseAnswerEvents({ stopReason: "end_turn" })) mapper.push(event);
    expect(() => mapper.end()).toThrow();
  });
});
