import { describe, expect, it } from "vitest";
import type { ChatCompletionStream } from "../src/client.ts";
import { bedrockException } from "../src/errors.ts";
import { clientErrorBody } from "./http.ts";
import { sseFromStream, sseWhileWaiting } from "./stream.ts";

async function textOf(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text();
}

describe("a cold model that never comes up", () => {
  it("ends in an error event mapped like every other proxy error (a 403 is upstream_auth_failed, ARNs shortened)", async () => {
    const denied = bedrockException(
      "AccessDeniedException",
      "User: arn:aws:sts::123456789012:assumed-role/Caller/s is not authorized to perform: bedrock:InvokeModel",
      403,
    );
    const logged: unknown[] = [];
    const body = sseWhileWaiting({
      created: Promise.reject(denied),
      toSse: () => {
        throw new Error("never called: the model never became ready");
      },
      errorBody: clientErrorBody,
      onError: (error) => logged.push(error),
      onCancel: () => undefined,
      keepAliveMs: 1000,
    });
    const text = await textOf(body);
    expect(text.startsWith(": waiting for the model to become ready\n\n")).toBe(true);
    const event = JSON.parse(text.split("data: ")[1]!) as { error: { code: string; type: string; message: string } };
    expect(event.error).toMatchObject({ code: "upstream_auth_failed", type: "server_error" });
    expect(event.error.message).not.toContain("123456789012");
    expect(logged).toEqual([denied]);
  });

  it("an unexpected failure says nothing internal", async () => {
    const body = sseWhileWaiting({
      created: Promise.reject(new TypeError("secret internals")),
      toSse: (stream: ChatCompletionStream) => new Response(String(stream)).body!,
      errorBody: clientErrorBody,
      onError: () => undefined,
      onCancel: () => undefined,
      keepAliveMs: 1000,
    });
    const text = await textOf(body);
    expect(text).not.toContain("secret internals");
    expect(text).toContain('"code":"internal_error"');
  });
});

describe("a failure after the first byte", () => {
  it("goes out through the same mapping: ARNs shortened", async () => {
    const failure = bedrockException(
      "ModelStreamErrorException",
      "The model arn:aws:bedrock:us-east-1:123456789012:imported-model/x failed",
      424,
    );
    const stream: ChatCompletionStream = {
      abort: () => undefined,
      async *[Symbol.asyncIterator]() {
        yield {
          id: "c",
          object: "chat.completion.chunk" as const,
          created: 1,
          model: "m",
          choices: [{ index: 0, delta: { content: "Hi" }, finish_reason: null }],
        };
        throw failure;
      },
    };
    const seen: unknown[] = [];
    const text = await textOf(
      sseFromStream(stream, {
        wantsUsage: false,
        onEnd: () => undefined,
        onError: (error) => seen.push(error),
        onCancel: () => undefined,
        errorBody: clientErrorBody,
      }),
    );
    const events = text.split("\n\n").filter(Boolean);
    expect(events).toHaveLength(2);
    expect(events[1]).toContain('"code":"model_stream_error"');
    expect(events[1]).toContain("arn:…");
    expect(events[1]).not.toContain("123456789012");
    expect(seen).toEqual([failure]);
  });
});
