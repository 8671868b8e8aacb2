// What the emulator's tool answers come back as through the library.
import { expect } from "vitest";
import type { ChatCompletion } from "../../src/index.ts";
import { model } from "./emulated.ts";

/**
 * A model that says whatever the last message holds: the emulator's echo model answers its
 * prompt, and a template of the last message alone makes that prompt the text. What its answer
 * holds (calls, text around them) is then the test's to choose. The template reads `tools`,
 * writing nothing, as a template must for a request to offer them (templates32 #4).
 */
export function echoSaying(route: "qwen3" | "qwen2" | "llama" | "deepseek_r1") {
  return {
    model: model(route, "echo"),
    chat_template: "{{ messages[-1]['content'] }}{% if tools %}{% endif %}",
    special_tokens: "keep" as const,
  };
}

/** An answer with text on both sides of a Qwen tool call, as a model may write it. */
export const TEXT_AROUND_A_CALL =
  'Sure, checking.\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>\nDone.';

/** Checks that a plain answer's choice is one get_weather call and no text. */
export function expectOneWeatherCall(choice: ChatCompletion["choices"][number]): void {
  expect(choice.finish_reason).toBe("tool_calls");
  expect(choice.message.content).toBeNull();
  expect(choice.message.tool_calls).toEqual([
    {
      id: expect.stringMatching(/^call_/),
      type: "function",
      function: { name: "get_weather", arguments: expect.any(String) },
    },
  ]);
}

/** The get_weather function tool as the Responses API takes it. */
export const RESPONSES_WEATHER_TOOL = {
  type: "function" as const,
  name: "get_weather",
  description: "Weather for a city",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  strict: true,
};
