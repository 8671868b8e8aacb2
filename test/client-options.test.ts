// createBedrock's own options, checked when the client is created: a mistake is a TypeError that
// names the option, never a failure of every call that blames the request, Bedrock or the network.
import { describe, expect, it } from "vitest";
import { EMULATOR_CREDENTIALS } from "../emulator/credentials.ts";
import { createBedrock } from "../src/index.ts";
import { emulated, model } from "./helpers/emulated.ts";
import { errorOf } from "./helpers/errors.ts";

const hello = { role: "user" as const, content: "Hello" };
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The TypeError createBedrock throws for these options. */
const refusal = (options: Parameters<typeof createBedrock>[0]) =>
  errorOf(() => createBedrock({ credentials: EMULATOR_CREDENTIALS, ...options }), TypeError).message;

describe("options in milliseconds", () => {
  const names = [
    "timeoutMs",
    "idleTimeoutMs",
    "modelReadyTimeoutMs",
    "retryBaseDelayMs",
    "retryMaxDelayMs",
    "cooldownMs",
  ] as const;

  it("are refused beyond the longest a timer can wait (setTimeout would fire them at once), naming the option", () => {
    for (const name of names) {
      for (const value of [MAX_TIMER_MS + 1, 3e9, 1e10]) {
        expect(refusal({ [name]: value }), `${name}: ${value}`).toBe(
          `${name} must be at most 2147483647 ms (about 24.8 days, the longest a timer can wait)`,
        );
      }
      expect(refusal({ [name]: -1 }), name).toBe(`${name} must be a non-negative number of milliseconds`);
      expect(refusal({ [name]: Number.NaN }), name).toBe(`${name} must be a non-negative number of milliseconds`);
    }
  });

  it("are taken up to that longest wait, which then waits (no call ends at once)", async () => {
    const longest = Object.fromEntries(names.map((name) => [name, MAX_TIMER_MS]));
    const { bedrock } = emulated(longest);
    const completion = await bedrock.chat.completions.create({ model: model("llama"), messages: [hello] });
    expect(completion.choices[0]!.message.content).toMatch(/^Hello from/);
    const stream = await bedrock.chat.completions.create({
      model: model("llama", "long10"),
      messages: [hello],
      stream: true,
    });
    let chunks = 0;
    for await (const _chunk of stream) chunks++;
    expect(chunks).toBeGreaterThan(10);
  });
});
