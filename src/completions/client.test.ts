import { describe, expect, it } from "vitest";
import { chunkFrame } from "../../emulator/frames.ts";
import { errorOf } from "../../test/helpers/errors.ts";
import { createTransport } from "../aws/transport-options.ts";
import { BedrockEdgeError } from "../errors.ts";
import { routes } from "../routes/all.ts";
import type { Route } from "../routes/types.ts";
import { createCompletions } from "./client.ts";

describe("a route that takes conversations only", () => {
  it("refuses a raw prompt with a 400 that says why, before anything is sent", async () => {
    // A route of its own kind without a raw-prompt format, as the Converse API is.
    const { rawPrompt: _raw, ...conversationsOnly } = routes.openai;
    const route: Route = { ...conversationsOnly, name: "converse" };
    let sent = 0;
    const transport = createTransport({
      endpoint: "http://bedrock.test",
      apiKey: "test-key",
      fetch: async () => {
        sent++;
        return new Response("{}");
      },
    });
    const completions = createCompletions({
      resolve: async () => ({
        route,
        settings: {},
        serve: (attempt) =>
          attempt({
            modelId: "amazon.nova-pro-v1:0",
            region: "us-east-1",
            transport,
            failFast: false,
            sending: () => undefined,
          }),
      }),
    });
    const error = await errorOf(() => completions.create({ model: "nova", prompt: "Hi" }), BedrockEdgeError);
    expect(error).toMatchObject({ status: 400, param: "model", code: "unsupported_route" });
    expect(error.message).toBe(
      "The converse route takes conversations, not raw prompts: call this model through chat completions.",
    );
    expect(sent).toBe(0);
  });
});

describe("a legacy Completions stream", () => {
  it("cut before its stop reason is a 502 incomplete_stream, never a short answer passed off as whole", async () => {
    // llama's event stream as a dropped connection leaves it: two tokens, no stop_reason.
    const frames = [
      chunkFrame({ generation: "Once", stop_reason: null }, 0),
      chunkFrame({ generation: " upon", stop_reason: null }, 1),
    ];
    const body = new Uint8Array(frames[0]!.byteLength + frames[1]!.byteLength);
    body.set(frames[0]!);
    body.set(frames[1]!, frames[0]!.byteLength);
    const transport = createTransport({
      endpoint: "http://bedrock.test",
      apiKey: "test-key",
      fetch: async () => new Response(body, { headers: { "content-type": "application/vnd.amazon.eventstream" } }),
    });
    const completions = createCompletions({
      resolve: async () => ({
        route: routes.llama,
        settings: {},
        serve: (attempt) =>
          attempt({
            modelId: "arn:aws:bedrock:us-east-1:123456789012:imported-model/abc123def456",
            region: "us-east-1",
            transport,
            failFast: false,
            sending: () => undefined,
          }),
      }),
    });
    const stream = await completions.create({ model: "llama", prompt: "Tell me", stream: true });
    const texts: string[] = [];
    const error = await errorOf(async () => {
      for await (const chunk of stream) texts.push(chunk.choices[0]?.text ?? "");
    }, BedrockEdgeError);
    expect({ status: error.status, code: error.code }).toEqual({ status: 502, code: "incomplete_stream" });
    expect(texts.join("")).toBe("Once upon");
  });
});
