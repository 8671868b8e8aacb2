import { describe, expect, it } from "vitest";
import { EMULATOR_CREDENTIALS } from "../../emulator/credentials.ts";
import { createEmulator } from "../../emulator/handler.ts";
import { emulatorModelId } from "../../emulator/model-id.ts";
import { CHAT_MEDIA, NO_MEDIA, parseModels, RESPONSES_MEDIA } from "../../src/core.ts";
import { createApp, type LogLine } from "../app.ts";
import { MAX_MODEL_NAME } from "../http.ts";
import { mediaPlacesOf } from "./json-body.ts";

// A vision model with a body limit of its own, far above MAX_BODY_BYTES, and a key kept from it.
const MAX_BODY_BYTES = 10_000;
const VISION_LIMIT = 100_000;

function proxy() {
  const emulator = createEmulator();
  const app = createApp({
    env: {
      MODELS: JSON.stringify({
        llama: `bedrock/llama/${emulatorModelId("llama")}`,
        vision: { model: `bedrock/llama/${emulatorModelId("llama")}`, max_body_bytes: VISION_LIMIT },
      }),
      MAX_BODY_BYTES: String(MAX_BODY_BYTES),
      API_KEYS: JSON.stringify({
        narrow: { key: "sk-narrow-0123456789", models: ["llama"] },
        wide: { key: "sk-wide-0123456789" },
      }),
      AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
      BEDROCK_ENDPOINT: "http://bedrock.emulator",
    },
    fetch: (input, init) => emulator.fetch(new Request(input, init)),
    log: () => undefined,
  });
  return async (key: string, model: string, padding: number) => {
    const response = await app.request("/v1/chat/completions", {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }], pad: "x".repeat(padding) }),
    });
    const { error } = (await response.json()) as { error: { code: string; message: string; param: string | null } };
    // The model's name is the only thing the two answers may differ by.
    const message = model === "" ? error.message : error.message.replaceAll(model, "<model>");
    return { status: response.status, code: error.code, param: error.param, message };
  };
}

describe("a key's refusal for a model it may not call", () => {
  it("is the refusal for a name that does not exist, at every body size", async () => {
    const call = proxy();
    // Within MAX_BODY_BYTES; over it but within the model's own limit; over every limit.
    for (const padding of [1_000, 50_000, 200_000]) {
      const hidden = await call("sk-narrow-0123456789", "vision", padding);
      const missing = await call("sk-narrow-0123456789", "no-such-model", padding);
      expect(hidden, `a ${padding}-byte pad`).toEqual(missing);
      expect(hidden.status).toBe(padding < MAX_BODY_BYTES ? 404 : 413);
      expect(hidden.message).not.toContain(String(VISION_LIMIT));
    }
  });

  it("a key that may call the model still gets its own limit", async () => {
    const call = proxy();
    expect((await call("sk-wide-0123456789", "vision", 50_000)).status).not.toBe(413);
    const over = await call("sk-wide-0123456789", "vision", 200_000);
    expect(over).toMatchObject({ status: 413, code: "request_too_large" });
    expect(over.message).toContain(`${VISION_LIMIT} bytes`);
  });
});

describe("a body without a model's name", () => {
  it('an empty name is a 400 naming the model field, not a 404 for a model called ""', async () => {
    const call = proxy();
    const empty = await call("sk-wide-0123456789", "", 10);
    expect(empty).toMatchObject({ status: 400, param: "model" });
    expect(empty.message).toContain("model must be the name of one of this proxy's models");
  });
});

describe("a model name longer than any model's (inputcost34 #4)", () => {
  const ARN = "arn:aws:bedrock:us-east-1:123456789012:imported-model/abc123def456";

  it("is as long as a configured name may be", () => {
    const longest = "m".repeat(MAX_MODEL_NAME);
    expect(Object.keys(parseModels({ [longest]: `bedrock/llama/${ARN}` }))).toEqual([longest]);
    expect(() => parseModels({ [`${longest}m`]: `bedrock/llama/${ARN}` })).toThrow(/must be 1-128 letters/);
  });

  it("is a 404 that, with the log line, gives its length and no part of it: nothing to redact", async () => {
    const logs: LogLine[] = [];
    const app = createApp({
      env: {
        MODELS: JSON.stringify({ llama: `bedrock/llama/${emulatorModelId("llama")}` }),
        PROXY_API_KEYS: "sk-model-swap-0001",
        AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
        BEDROCK_ENDPOINT: "http://bedrock.emulator",
      },
      log: (line) => logs.push(line),
    });
    const ask = async (model: string) => {
      const answer = await app.request("/v1/chat/completions", {
        method: "POST",
        headers: { authorization: "Bearer sk-model-swap-0001", "content-type": "application/json" },
        body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] }),
      });
      return {
        status: answer.status,
        message: ((await answer.json()) as { error: { message: string } }).error.message,
      };
    };
    // Within the 200 characters a 404 quotes and a log line keeps, and a secret after the first 128.
    const long = `${"x".repeat(MAX_MODEL_NAME)}sk-model-swap-0001`;
    expect(await ask(long)).toEqual({
      status: 404,
      message: `The model "(a name of ${long.length} characters)" does not exist here; GET /v1/models lists the configured names.`,
    });
    // A name of the body's size.
    const huge = "%41".repeat(1_000_000);
    expect((await ask(huge)).status).toBe(404);
    // One as long as a model's may be is still redacted, and quoted in the 404 as sent.
    const longest = `${"x".repeat(MAX_MODEL_NAME - 18)}sk-model-swap-0001`;
    expect(await ask(longest)).toMatchObject({ status: 404, message: expect.stringContaining(`"${longest}"`) });
    expect(logs.map((line) => line.model)).toEqual([
      `(a name of ${long.length} characters)`,
      `(a name of ${huge.length} characters)`,
      `${"x".repeat(MAX_MODEL_NAME - 18)}[redacted]`,
    ]);
  });
});

describe("where a JSON body's media is counted (codereview48b #1)", () => {
  it("chat's and the Responses API's content parts; no other endpoint's body holds media", () => {
    expect(mediaPlacesOf("/v1/chat/completions")).toBe(CHAT_MEDIA);
    expect(mediaPlacesOf("/v1/chat/completions/")).toBe(CHAT_MEDIA);
    expect(mediaPlacesOf("/v1/responses")).toBe(RESPONSES_MEDIA);
    for (const path of ["/v1/completions", "/v1/embeddings", "/v1/images/generations", "/v1/images/variations"]) {
      expect(mediaPlacesOf(path), path).toBe(NO_MEDIA);
    }
  });
});
