// OpenAI's paths the proxy does not serve: a 404 that says why, through the official client as
// its users call them, and nothing else's answer changed by it.
import OpenAI, { APIError, AzureOpenAI, NotFoundError } from "openai";
import { describe, expect, it } from "vitest";
import { createApp } from "./app.ts";
import { unservedReason } from "./unserved-paths.ts";

const KEY = "sk-unserved-0123456789";
const app = createApp({
  env: {
    PROXY_API_KEYS: KEY,
    MODELS: JSON.stringify({
      llama: "bedrock/llama/arn:aws:bedrock:us-east-1:123456789012:imported-model/abc123def456",
    }),
    AWS_ACCESS_KEY_ID: "AKIAZZUNSERVEDAKID01",
    AWS_SECRET_ACCESS_KEY: "zzUnservedSecretAccessKey0000000000000",
  },
  log: () => undefined,
});
const client = new OpenAI({
  apiKey: KEY,
  baseURL: "http://proxy.test/v1",
  maxRetries: 0,
  fetch: async (url, init) => app.request(String(url), init),
});

/** The 404 the client raised for `call`. */
async function notFound(call: () => Promise<unknown>): Promise<NotFoundError> {
  const error = await call().then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(NotFoundError);
  const notFoundError = error as NotFoundError;
  expect(notFoundError.code).toBe("unknown_url");
  return notFoundError;
}

describe("a stored object's path, asked of a stateless proxy", () => {
  it("responses: retrieve, delete, cancel and input items each say nothing is stored, and what to do instead", async () => {
    for (const call of [
      () => client.responses.retrieve("resp_abc"),
      () => client.responses.delete("resp_abc"),
      () => client.responses.cancel("resp_abc"),
      () => client.responses.inputItems.list("resp_abc"),
    ]) {
      const { message } = await notFound(call);
      expect(message).toMatch(
        /^404 No route for (GET|DELETE|POST) \/v1\/responses\/resp_abc(\/cancel|\/input_items)?: /,
      );
      expect(message).toContain(
        "responses are not stored here. The proxy is stateless (it keeps nothing it answers), so nothing can be retrieved",
      );
      expect(message).toContain("send the whole conversation as input.");
    }
    // An id that reads "v1" is still an id.
    expect((await notFound(() => client.responses.retrieve("v1"))).message).toContain("responses are not stored here");
  });

  it("chat completions: retrieve and its messages say the same, while POST /v1/chat/completions is served", async () => {
    for (const call of [
      () => client.chat.completions.retrieve("chatcmpl-abc"),
      () => client.chat.completions.messages.list("chatcmpl-abc"),
      () => client.chat.completions.delete("chatcmpl-abc"),
    ]) {
      const { message } = await notFound(call);
      expect(message).toContain("chat completions are not stored here. The proxy is stateless");
    }
    // The endpoint itself answers its own way: here, that the model is not served.
    const served = await client.chat.completions
      .create({ model: "nowhere", messages: [{ role: "user", content: "hi" }] })
      .catch((error: unknown) => error);
    expect(served).toBeInstanceOf(NotFoundError);
    expect((served as NotFoundError).code).toBe("model_not_found");
  });

  it("listing stored chat completions: the 405 of GET /v1/chat/completions says so too", async () => {
    const error = await client.chat.completions.list().then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as APIError).status).toBe(405);
    expect((error as APIError).message).toBe(
      "405 GET is not allowed on /v1/chat/completions: use POST. Stored chat completions cannot be listed. The proxy is stateless (it keeps nothing it answers), so nothing can be retrieved, listed, updated or deleted by id.",
    );
    // Another method on it, or GET on another served path, is told only what to use.
    const put = await app.request("/v1/chat/completions", {
      method: "PUT",
      headers: { authorization: `Bearer ${KEY}` },
    });
    expect(await put.json()).toMatchObject({
      error: { message: "PUT is not allowed on /v1/chat/completions: use POST." },
    });
    const embeddings = await app.request("/v1/embeddings", { headers: { authorization: `Bearer ${KEY}` } });
    expect(await embeddings.json()).toMatchObject({
      error: { message: "GET is not allowed on /v1/embeddings: use POST." },
    });
  });

  it("conversations, counting input tokens and compacting say why they are not offered", async () => {
    expect((await notFound(() => client.conversations.retrieve("conv_abc"))).message).toContain(
      "conversations are not stored here. The proxy is stateless",
    );
    expect((await notFound(() => client.responses.inputTokens.count({ input: "hi" }))).message).toBe(
      "404 No route for POST /v1/responses/input_tokens: counting a request's input tokens is not offered here; a response's usage.input_tokens counts those of a request sent.",
    );
    expect((await notFound(() => client.responses.compact({ model: "llama", input: "hi" }))).message).toBe(
      "404 No route for POST /v1/responses/compact: compacting a conversation is not offered here; send the conversation as input.",
    );
  });
});

describe("another of OpenAI's APIs", () => {
  it("is named, with what the proxy serves", async () => {
    const { message } = await notFound(() => client.files.list());
    expect(message).toBe(
      "404 No route for GET /v1/files: OpenAI's Files API is not offered by this proxy, which serves chat completions, legacy completions, responses, embeddings, images and models.",
    );
    expect((await notFound(() => client.moderations.create({ input: "hi" }))).message).toContain(
      "OpenAI's Moderations API is not offered",
    );
    expect((await notFound(() => client.batches.list())).message).toContain("OpenAI's Batch API is not offered");
  });
});

describe("a client of another API shaped like OpenAI's", () => {
  it("Azure OpenAI's paths, as the AzureOpenAI client sends them: told to use an OpenAI client with a /v1 base URL", async () => {
    const azure = new AzureOpenAI({
      endpoint: "http://proxy.test",
      apiKey: KEY,
      apiVersion: "2024-10-21",
      maxRetries: 0,
      fetch: async (url, init) => app.request(String(url), init),
    });
    const AZURE_WORDS =
      "Azure OpenAI's paths are not served here. This proxy answers OpenAI's own: use an OpenAI client (not AzureOpenAI) with a baseURL ending in /v1, and name the model in the request.";
    const chat = await notFound(() => azure.chat.completions.create({ model: "gpt-4o", messages: [] }));
    expect(chat.message).toBe(`404 No route for POST /openai/deployments/gpt-4o/chat/completions: ${AZURE_WORDS}`);
    const responses = await notFound(() => azure.responses.create({ model: "gpt-4o", input: "hi" }));
    expect(responses.message).toBe(`404 No route for POST /openai/responses: ${AZURE_WORDS}`);
    // Azure's v1 API, and an AzureOpenAI client given a /v1 base URL.
    for (const path of ["/openai/v1/chat/completions", "/v1/deployments/gpt-4o/chat/completions"]) {
      const answer = await app.request(path, { method: "POST", headers: { "api-key": KEY }, body: "{}" });
      expect(await answer.json()).toMatchObject({ error: { message: `No route for POST ${path}: ${AZURE_WORDS}` } });
    }
  });

  it("Anthropic's Messages API: told it is OpenAI's API here, and where Claude is called", async () => {
    for (const path of ["/v1/messages", "/v1/messages/count_tokens"]) {
      const answer = await app.request(path, { method: "POST", headers: { "x-api-key": KEY }, body: "{}" });
      expect(answer.status).toBe(404);
      const { error } = (await answer.json()) as { error: { message: string; code: string } };
      expect(error.code).toBe("unknown_url");
      expect(error.message).toContain("Anthropic's Messages API is not offered here. This proxy answers OpenAI's API");
      expect(error.message).toContain(
        "a Claude model configured here (the converse route) is called through POST /v1/chat/completions or /v1/responses, by the name GET /v1/models lists.",
      );
    }
  });
});

describe("the base URL itself", () => {
  it("says what is served there, with or without /v1, key or not", async () => {
    for (const [path, headers] of [
      ["/", {}],
      ["/v1", {}],
      ["/v1/", { authorization: `Bearer ${KEY}` }],
    ] as const) {
      const answer = await app.request(path, { headers });
      expect(answer.status).toBe(404);
      expect(await answer.json()).toMatchObject({
        error: {
          code: "unknown_url",
          message: `No route for GET ${path}: this is an OpenAI-compatible API serving chat completions, legacy completions, responses, embeddings, images and models under /v1 (POST /v1/chat/completions; GET /v1/models lists the models, with a key), and GET /health.`,
        },
      });
    }
  });
});

describe("unservedReason", () => {
  it("reads the path after its first /v1, or the whole path without one", () => {
    expect(unservedReason("/files")).toContain("Files API");
    expect(unservedReason("/proxy/v1/files/file-abc/content")).toContain("Files API");
    expect(unservedReason("/responses/resp_abc")).toContain("responses are not stored here");
    expect(unservedReason("/v1/chat/completions/x/v1")).toContain("chat completions are not stored here");
    // A proxy mounted at /proxy: its own base URL.
    expect(unservedReason("/proxy/v1")).toContain("this is an OpenAI-compatible API");
  });

  it("says nothing of a path that is no API of OpenAI's, or a served one mistyped", () => {
    for (const path of [
      "/favicon.ico",
      "/v1/response",
      "/v1/responses/",
      "/v1/chat/completions/",
      "/v1/chat",
      "/v1/completion",
      "/v1/constructor",
      "/v1/__proto__",
      "/v1/toString",
      "/openai",
      "/openai/whatever",
      `/v1/files/${"a".repeat(1100)}`,
    ]) {
      expect(unservedReason(path), path).toBeUndefined();
    }
  });

  it("repeats nothing of the path it was given", () => {
    const secret = "wJalrXUtnFEMI-K7MDENG-bPxRfiCYzzSECRET07";
    for (const path of [`/v1/responses/${secret}`, `/v1/chat/completions/${secret}`, `/v1/files/${secret}`]) {
      expect(unservedReason(path)).not.toContain("SECRET07");
    }
  });
});
