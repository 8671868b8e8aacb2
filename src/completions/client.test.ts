import { describe, expect, it } from "vitest";
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
