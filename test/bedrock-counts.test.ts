// Bedrock's token counts, on every path that reads them (the answer's body, the count headers, a
// stream's invocationMetrics, Converse's usage and cache counts, Titan's inputTextTokenCount):
// a count that is no whole number in [0, 2^31 - 1] is no count, so that no total is Infinity
// (`null` in JSON) and nothing downstream sums a count past SQLite's integers (numbers43 #1).
import { describe, expect, it } from "vitest";
import { EMULATOR_CREDENTIALS } from "../emulator/credentials.ts";
import { createEmulator } from "../emulator/handler.ts";
import { answerVectors } from "../src/embeddings/families.ts";
import { createBedrock } from "../src/index.ts";
import { converseUsage } from "../src/routes/converse/answer.ts";
import {
  MAX_TOKEN_COUNT,
  tokenCount,
  usageFromBody,
  usageFromCounts,
  usageFromInvocationMetrics,
} from "../src/routes/usage.ts";
import { model } from "./helpers/emulated.ts";

// Whole numbers to JavaScript, and far past any count.
const ABSURD = [1e308, 2 ** 62, 2 ** 53 + 2, Number.MAX_SAFE_INTEGER, 2 ** 31];

/** A client whose Bedrock answers are rewritten: the llama body's counts and the count headers. */
function rewritten(rewrite: (body: Record<string, unknown>, headers: Headers) => void) {
  const emulator = createEmulator();
  return createBedrock({
    endpoint: "http://bedrock.emulator",
    credentials: EMULATOR_CREDENTIALS,
    maxRetries: 0,
    fetch: async (input, init) => {
      const answer = await emulator.fetch(new Request(input, init));
      const body = (await answer.json()) as Record<string, unknown>;
      const headers = new Headers(answer.headers);
      headers.delete("content-length");
      rewrite(body, headers);
      return new Response(JSON.stringify(body), { status: answer.status, headers });
    },
  });
}

const ask = { model: model("llama"), messages: [{ role: "user" as const, content: "hi" }] };

describe("Bedrock's token counts are bounded (numbers43 #1)", () => {
  it("a count is a whole number from 0 to 2^31 - 1", () => {
    expect(MAX_TOKEN_COUNT).toBe(2147483647);
    expect(tokenCount(0)).toBe(0);
    expect(tokenCount(MAX_TOKEN_COUNT)).toBe(MAX_TOKEN_COUNT);
    for (const value of [...ABSURD, -1, 1.5, Number.POSITIVE_INFINITY, Number.NaN, "12", null]) {
      expect({ value, count: tokenCount(value) }).toEqual({ value, count: undefined });
    }
  });

  it("an answer's counts past the bound are no usage, in the body, the stream's metrics and Converse's", () => {
    for (const huge of ABSURD) {
      expect(usageFromCounts({ prompt_token_count: huge, generation_token_count: 5 })).toBeUndefined();
      expect(usageFromCounts({ prompt_token_count: 5, generation_token_count: huge })).toBeUndefined();
      expect(usageFromBody({ prompt_tokens: huge, completion_tokens: 5 })).toBeUndefined();
      expect(usageFromInvocationMetrics({ inputTokenCount: 5, outputTokenCount: huge })).toBeUndefined();
      expect(converseUsage({ inputTokens: huge, outputTokens: 5 })).toBeUndefined();
      // A cache count past the bound is left out, as a negative one is: the rest still counts.
      expect(converseUsage({ inputTokens: 3, outputTokens: 5, cacheReadInputTokens: huge })).toEqual({
        prompt_tokens: 3,
        completion_tokens: 5,
        total_tokens: 8,
      });
      expect(converseUsage({ inputTokens: 3, outputTokens: 5, cacheWriteInputTokens: huge })?.total_tokens).toBe(8);
      expect(answerVectors({ embedding: [0.5], inputTextTokenCount: huge }, "titan_v2", 1).tokens).toBeUndefined();
    }
    const most = MAX_TOKEN_COUNT;
    const all = converseUsage({
      inputTokens: most,
      outputTokens: most,
      cacheReadInputTokens: most,
      cacheWriteInputTokens: most,
    });
    expect(all?.total_tokens).toBe(4 * most);
    expect(Number.isSafeInteger(all?.total_tokens)).toBe(true);
  });

  it("through a client: an answer whose counts are absurd has no usage, never a total of null", async () => {
    for (const huge of [1e308, 2 ** 62]) {
      const bedrock = rewritten((body, headers) => {
        body.prompt_token_count = huge;
        body.generation_token_count = huge;
        headers.delete("x-amzn-bedrock-input-token-count");
        headers.delete("x-amzn-bedrock-output-token-count");
      });
      const answer = await bedrock.chat.completions.create(ask);
      expect(answer.choices[0]?.message.content).toBeTruthy();
      expect(JSON.parse(JSON.stringify(answer)).usage).toBeUndefined();
    }
  });

  it("through a client: count headers past the bound are no count either", async () => {
    for (const huge of ["1e308", String(2 ** 62), "2147483648"]) {
      const bedrock = rewritten((body, headers) => {
        delete body.prompt_token_count;
        delete body.generation_token_count;
        headers.set("x-amzn-bedrock-input-token-count", huge);
        headers.set("x-amzn-bedrock-output-token-count", "7");
      });
      const answer = await bedrock.chat.completions.create(ask);
      expect({ huge, usage: answer.usage }).toEqual({ huge, usage: undefined });
    }
    const bedrock = rewritten((body, headers) => {
      delete body.prompt_token_count;
      delete body.generation_token_count;
      headers.set("x-amzn-bedrock-input-token-count", "2147483647");
      headers.set("x-amzn-bedrock-output-token-count", "7");
    });
    expect((await bedrock.chat.completions.create(ask)).usage).toEqual({
      prompt_tokens: 2147483647,
      completion_tokens: 7,
      total_tokens: 2147483654,
    });
  });

  it("through a client: a count header is decimal digits, as retry-after is read; any other form Number reads is no count (numbers43 #6)", async () => {
    const headersOnly = (input: string, output: string) =>
      rewritten((body, headers) => {
        delete body.prompt_token_count;
        delete body.generation_token_count;
        headers.set("x-amzn-bedrock-input-token-count", input);
        headers.set("x-amzn-bedrock-output-token-count", output);
      });
    for (const form of ["0x10", "1e2", "0b11", "0o17", "+5", "5.", ".5e1", "1_0", "Infinity"]) {
      const answer = await headersOnly(form, "7").chat.completions.create(ask);
      expect({ form, usage: answer.usage }).toEqual({ form, usage: undefined });
    }
    const padded = await headersOnly(" 012 ", "7").chat.completions.create(ask);
    expect(padded.usage).toEqual({ prompt_tokens: 12, completion_tokens: 7, total_tokens: 19 });
  });
});
