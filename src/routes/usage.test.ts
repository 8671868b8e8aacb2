import { describe, expect, it } from "vitest";
import { finishReason } from "./usage.ts";

// mutation51: each of these cases could be dropped (read as "stop") with no test failing.
describe("finishReason: a model's stop reason in OpenAI's words", () => {
  it("every way a model says it hit the token limit, called a tool or was filtered", () => {
    const cases = {
      length: "length",
      max_tokens: "length",
      max_length: "length",
      tool_calls: "tool_calls",
      tool_use: "tool_calls",
      content_filter: "content_filter",
      content_filtered: "content_filter",
    };
    for (const [stopReason, expected] of Object.entries(cases))
      expect(finishReason(stopReason), stopReason).toBe(expected);
  });

  it("any other reason is stop; no reason, or an empty one, is none", () => {
    for (const stopReason of ["stop", "end_turn", "stop_sequence", "eos"])
      expect(finishReason(stopReason)).toBe("stop");
    for (const stopReason of [undefined, null, "", 1]) expect(finishReason(stopReason)).toBeUndefined();
  });
});
