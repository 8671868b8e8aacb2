// The AI SDK, the strictest client about Retry-After (it waits a hint only under 60 s), given the
// longest Retry-After the proxy sends: it must wait that long before its retry, not back off on its
// own (2 s, then 4 s) into the window that refused it (docsdrift18 #1). worker/http.test.ts checks
// the cap against openai-node's rule and the others', and client-retries.test.ts runs the openai
// client's waits against the Worker, openai 7's too (the newest-clients project).
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { generateText } from "ai";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { LONGEST_HONOURED_RETRY_AFTER_S } from "../worker/http.ts";

const ANSWER = {
  id: "chatcmpl-1",
  object: "chat.completion",
  created: 0,
  model: "m",
  choices: [{ index: 0, message: { role: "assistant", content: "hello" }, finish_reason: "stop" }],
  usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
};

/** A server that refuses the first call with 429 and `retryAfter`, then answers; and when each call came. */
function refusingOnce(retryAfter: string): { fetch: typeof fetch; calls: number[] } {
  const calls: number[] = [];
  const refusal = { error: { message: "over the rate", type: "rate_limit_error", param: null, code: "x" } };
  const fetchStub = async (): Promise<Response> => {
    calls.push(Date.now());
    if (calls.length === 1) {
      return new Response(JSON.stringify(refusal), {
        status: 429,
        headers: { "content-type": "application/json", "retry-after": retryAfter },
      });
    }
    return new Response(JSON.stringify(ANSWER), { headers: { "content-type": "application/json" } });
  };
  return { fetch: fetchStub, calls };
}

async function secondCallAfterMs(retryAfter: string): Promise<number> {
  const server = refusingOnce(retryAfter);
  const model = createOpenAICompatible({ name: "proxy", baseURL: "http://proxy.test/v1", fetch: server.fetch })("m");
  const answer = generateText({ model, prompt: "Hi", maxRetries: 1 });
  await vi.advanceTimersByTimeAsync(120_000);
  expect((await answer).text).toBe("hello");
  expect(server.calls).toHaveLength(2);
  return server.calls[1]! - server.calls[0]!;
}

describe("the AI SDK and the proxy's longest Retry-After", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("waits the whole of it before retrying", async () => {
    expect(await secondCallAfterMs(String(LONGEST_HONOURED_RETRY_AFTER_S))).toBe(LONGEST_HONOURED_RETRY_AFTER_S * 1000);
  });

  it("would not wait a Retry-After of 60, the proxy's cap before: it retries after its own 2 s", async () => {
    expect(await secondCallAfterMs("60")).toBeLessThan(5_000);
  });
});
