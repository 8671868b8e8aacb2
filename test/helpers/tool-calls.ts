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
