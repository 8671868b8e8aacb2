// The README's runnable examples must keep running.
import { describe, expect, it } from "vitest";
import { main as routes } from "../examples/routes.ts";

describe("examples/routes.ts", () => {
  it("calls every route against the emulator", async () => {
    const lines: string[] = [];
    await routes((line) => lines.push(line));
    expect(lines).toEqual([
      expect.stringMatching(/^deepseek_r1 reasoning: Okay, the user/),
      expect.stringMatching(/^deepseek_r1 answer: +Hello from the Bedrock emulator \(r1\)/),
      expect.stringMatching(/^llama usage: \{"prompt_tokens":\d+,"completion_tokens":\d+,"total_tokens":\d+\}$/),
      expect.stringMatching(/^llama streamed: Hello from the Bedrock emulator \(llama\)/),
      expect.stringMatching(
        /^qwen3 tool call: \[\{"id":"call_\w+","type":"function","function":\{"name":"get_weather","arguments":"\{\\"city\\":\\"Paris\\"\}"\}\}\]$/,
      ),
      expect.stringMatching(/^qwen2: Hello from the Bedrock emulator \(qwen2\)/),
      expect.stringMatching(/^openai: Hello from the Bedrock emulator \(openai\)/),
    ]);
  });
});
