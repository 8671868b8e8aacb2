// The exceptions AWS's model lists beside throttling and 5xx (ModelTimeoutException 408,
// ModelErrorException 424, ServiceQuotaExceededException 400, ModelStreamErrorException 424 as an
// HTTP answer and as a frame), answered by the emulator and read by the library end to end:
// status, code, whether it was retried, and the message with the model's own words
// (awsfidelity46 #1, #2, #5).
import { describe, expect, it } from "vitest";
import { BedrockEdgeError, type RetryEvent } from "../src/index.ts";
import { emulated, model } from "./helpers/emulated.ts";
import { errorOf } from "./helpers/errors.ts";

const USER_HELLO = [{ role: "user" as const, content: "Hello" }];

/** The error a chat call on `modelString` ends with, the retries it made and the calls Bedrock got. */
async function failedChat(modelString: string, stream: boolean) {
  const retries: RetryEvent[] = [];
  const { bedrock, emulator } = emulated({ maxRetries: 2 });
  const options = { onRetry: (event: RetryEvent) => retries.push(event) };
  const error = await errorOf(async () => {
    if (!stream) return bedrock.chat.completions.create({ model: modelString, messages: USER_HELLO }, options);
    const chunks = await bedrock.chat.completions.create(
      { model: modelString, messages: USER_HELLO, stream: true },
      options,
    );
    for await (const _ of chunks);
  }, BedrockEdgeError);
  return { error, retries, calls: emulator.stats.requests.length };
}

describe("AWS's model exceptions through the emulator", () => {
  it.each([
    ["modeltimeout", 408, "model_timeout", "ModelTimeoutException"],
    ["modelerror", 424, "model_error", "ModelErrorException"],
    ["quota", 429, "quota_exceeded", "ServiceQuotaExceededException"],
  ] as const)("%s: %d %s, final (one call, no retry), plain and streamed", async (option, status, code, name) => {
    for (const stream of [false, true]) {
      const { error, retries, calls } = await failedChat(model("llama", option), stream);
      expect(error).toMatchObject({ status, code, bedrockError: name, fromBedrock: true });
      expect(retries).toEqual([]);
      expect(calls).toBe(1);
    }
  });

  it("(the retries are seen: a throttle once is retried once)", async () => {
    const { bedrock, emulator } = emulated({ maxRetries: 2 });
    const retries: RetryEvent[] = [];
    await bedrock.chat.completions.create(
      { model: model("llama", "throttle1"), messages: USER_HELLO },
      { onRetry: (event) => retries.push(event) },
    );
    expect(retries).toHaveLength(1);
    expect(emulator.stats.requests).toHaveLength(2);
  });

  it("the model's timeout and failure on the converse route too (Converse lists both)", async () => {
    for (const stream of [false, true]) {
      const timeout = await failedChat(model("converse", "modeltimeout"), stream);
      expect(timeout.error).toMatchObject({ status: 408, code: "model_timeout" });
      const failed = await failedChat(model("converse", "modelerror"), stream);
      expect(failed.error).toMatchObject({ status: 424, code: "model_error" });
      expect(failed.calls).toBe(1);
    }
  });

  it("ModelErrorException: the message says the model's status and the resource", async () => {
    const { error } = await failedChat(model("llama", "modelerror"), false);
    expect(error.message).toMatch(/^The model failed while processing the request \(injected by the emulator\)\. /);
    expect(error.message).toContain("The model answered 500.");
    expect(error.message).toContain(
      "Resource: arn:aws:bedrock:us-east-1:123456789012:imported-model/llama.modelerror.",
    );
  });

  it("an HTTP ModelStreamErrorException before the stream: a 424 with the model's words, final", async () => {
    const { error, calls } = await failedChat(model("llama", "streamerror"), true);
    expect(error).toMatchObject({ status: 424, code: "model_stream_error", bedrockError: "ModelStreamErrorException" });
    expect(error.message).toContain("The model answered 500: The model server failed (injected by the emulator).");
    expect(calls).toBe(1);
  });

  it("a model's context-length refusal inside a ModelStreamErrorException, as an HTTP answer or the stream's first frame, is a 400 context_length_exceeded naming it", async () => {
    for (const option of ["streamerror", "midstream-modelStreamErrorException"] as const) {
      const { error, calls } = await failedChat(model("llama", option, "ctx"), true);
      expect(error).toMatchObject({
        status: 400,
        code: "context_length_exceeded",
        bedrockError: "ModelStreamErrorException",
      });
      expect(error.message).toContain("The model answered 400: This model's maximum context length is 8192 tokens.");
      expect(calls).toBe(1);
    }
  });

  it("a mid-stream modelStreamErrorException after content carries the model's words too", async () => {
    const { error } = await failedChat(model("llama", "midstream-modelStreamErrorException3"), true);
    expect(error).toMatchObject({ status: 424, code: "model_stream_error", inStream: true });
    expect(error.message).toContain("The model answered 500: The model server failed (injected by the emulator).");
  });
});
