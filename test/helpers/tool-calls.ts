// What the emulator's tool answers come back as through the library.
import { expect } from "vitest";
import type { ChatCompletion } from "../../src/index.ts";

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
