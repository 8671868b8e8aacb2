// The official AWS SDK against the served emulator: proof that it speaks Bedrock Runtime
// (routes, SigV4 with the SDK's own signed headers, restJson1 errors, event streams), not just
// our own dialect. Also: a client that goes away reaches the stream's cancel().

import {
  BedrockRuntimeClient,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
  type BedrockRuntimeClientConfig,
} from "@aws-sdk/client-bedrock-runtime";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { EMULATOR_API_KEY, EMULATOR_CREDENTIALS, EMULATOR_SESSION_CREDENTIALS } from "./credentials.ts";
import { emulatorModelId, STREAM_EXCEPTION_TYPES, type ModelFormat } from "./model-id.ts";
import { serveEmulator, type ServedEmulator } from "./node.ts";
import { chunksOf, readEvents, signedRequest } from "./testing.ts";

let served: ServedEmulator;

beforeAll(async () => {
  served = await serveEmulator();
});

afterAll(async () => {
  await served.close();
});

beforeEach(() => {
  served.emulator.stats.reset();
});

function client(config: Partial<BedrockRuntimeClientConfig> = {}): BedrockRuntimeClient {
  return new BedrockRuntimeClient({
    region: "us-east-1",
    endpoint: served.url,
    credentials: EMULATOR_CREDENTIALS,
    maxAttempts: 1,
    ...config,
  });
}

function bodyFor(format: ModelFormat, modelId: string): Record<string, unknown> {
  return format === "openai"
    ? { model: modelId, messages: [{ role: "user", content: "Hello SDK" }] }
    : { prompt: "Hello SDK", max_gen_len: 512, temperature: 0.2 };
}

async function invoke(sdk: BedrockRuntimeClient, modelId: string, body: unknown): Promise<Record<string, unknown>> {
  const output = await sdk.send(
    new InvokeModelCommand({
      modelId,
      body: JSON.stringify(body),
      contentType: "application/json",
      accept: "application/json",
    }),
  );
  return JSON.parse(output.body.transformToString()) as Record<string, unknown>;
}

async function streamChunks(
  sdk: BedrockRuntimeClient,
  modelId: string,
  body: unknown,
): Promise<Record<string, unknown>[]> {
  const output = await sdk.send(
    new InvokeModelWithResponseStreamCommand({ modelId, body: JSON.stringify(body), contentType: "application/json" }),
  );
  const chunks: Record<string, unknown>[] = [];
  for await (const event of output.body ?? []) {
    if (event.chunk?.bytes)
      chunks.push(JSON.parse(new TextDecoder().decode(event.chunk.bytes)) as Record<string, unknown>);
  }
  return chunks;
}

async function rejection(
  promise: Promise<unknown>,
): Promise<{ name: string; status: number | undefined; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) {
      const metadata: unknown = "$metadata" in error ? error.$metadata : undefined;
      const status =
        typeof metadata === "object" && metadata !== null && "httpStatusCode" in metadata
          ? Number(metadata.httpStatusCode)
          : undefined;
      return { name: error.name, status, message: error.message };
    }
    throw error;
  }
  throw new Error("expected a rejection");
}

const FORMATS: ModelFormat[] = ["r1", "llama", "qwen3", "qwen2", "openai"];

describe("the official SDK", () => {
  it.each(FORMATS)("invokes %s and reads the answer", async (format) => {
    const modelId = emulatorModelId(format);
    const json = await invoke(client(), modelId, bodyFor(format, modelId));
    if (format === "openai")
      expect(json).toMatchObject({ object: "chat.completion", choices: [{ finish_reason: "stop" }] });
    else
      expect(json).toMatchObject({
        [format === "qwen2" ? "text" : "generation"]: expect.stringContaining("Bedrock emulator"),
        stop_reason: "stop",
      });
    expect(served.emulator.stats.lastBody(modelId)).toEqual(bodyFor(format, modelId));
  });

  it.each(FORMATS)("streams %s and decodes every chunk", async (format) => {
    const modelId = emulatorModelId(format);
    const chunks = await streamChunks(client(), modelId, bodyFor(format, modelId));
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks.at(-1)).toHaveProperty("amazon-bedrock-invocationMetrics");
    expect(served.emulator.stats).toMatchObject({ completedStreams: 1, activeStreams: 0 });
  });

  it("signs with session credentials", async () => {
    const json = await invoke(client({ credentials: EMULATOR_SESSION_CREDENTIALS }), emulatorModelId("llama"), {
      prompt: "Hi",
    });
    expect(json.stop_reason).toBe("stop");
    const chunks = await streamChunks(client({ credentials: EMULATOR_SESSION_CREDENTIALS }), emulatorModelId("qwen3"), {
      prompt: "Hi",
    });
    expect(chunks.length).toBeGreaterThan(0);
  });

  it("authenticates with a Bedrock API key (httpBearerAuth)", async () => {
    const sdk = client({
      token: { token: EMULATOR_API_KEY },
      authSchemePreference: ["httpBearerAuth"],
      credentials: { accessKeyId: "AKIANOTUSEDEXAMPLE00", secretAccessKey: "n".repeat(40) },
    });
    expect((await invoke(sdk, emulatorModelId("llama"), { prompt: "Hi" })).stop_reason).toBe("stop");
  });

  it.each([
    ["throttle", "ThrottlingException", 429],
    ["notready", "ModelNotReadyException", 429],
    ["err500", "InternalServerException", 500],
    ["err503", "ServiceUnavailableException", 503],
    ["ctx", "ValidationException", 400],
  ])("surfaces %s as %s (%i)", async (option, name, status) => {
    const modelId = emulatorModelId("llama", [option]);
    expect(await rejection(invoke(client(), modelId, { prompt: "Hi" }))).toMatchObject({ name, status });
    expect(await rejection(streamChunks(client(), modelId, { prompt: "Hi" }))).toMatchObject({ name, status });
  });

  it("surfaces auth failures with AWS's names", async () => {
    const unknownKey = client({
      credentials: { accessKeyId: "AKIAUNKNOWNEXAMPLE99", secretAccessKey: "s".repeat(40) },
    });
    expect(await rejection(invoke(unknownKey, emulatorModelId("llama"), { prompt: "Hi" }))).toMatchObject({
      name: "UnrecognizedClientException",
      status: 403,
    });
    const wrongSecret = client({ credentials: { ...EMULATOR_CREDENTIALS, secretAccessKey: "s".repeat(40) } });
    expect(await rejection(invoke(wrongSecret, emulatorModelId("llama"), { prompt: "Hi" }))).toMatchObject({
      name: "InvalidSignatureException",
      status: 403,
    });
    const noToken = client({ credentials: { ...EMULATOR_SESSION_CREDENTIALS, sessionToken: "wrong" } });
    expect(await rejection(invoke(noToken, emulatorModelId("llama"), { prompt: "Hi" }))).toMatchObject({
      name: "UnrecognizedClientException",
      status: 403,
    });
  });

  it("surfaces unknown models and bad bodies", async () => {
    const missing = "arn:aws:bedrock:us-east-1:123456789012:imported-model/unknown";
    expect(await rejection(invoke(client(), missing, { prompt: "Hi" }))).toMatchObject({
      name: "ResourceNotFoundException",
      status: 404,
    });
    expect(await rejection(invoke(client(), emulatorModelId("llama"), { prompt: 42 }))).toMatchObject({
      name: "ValidationException",
      status: 400,
    });
  });

  it.each(STREAM_EXCEPTION_TYPES)("surfaces a mid-stream %s as that exception", async (type) => {
    const modelId = emulatorModelId("r1", [`midstream-${type}2`]);
    const output = await client().send(
      new InvokeModelWithResponseStreamCommand({ modelId, body: JSON.stringify({ prompt: "Hi" }) }),
    );
    let chunks = 0;
    const error = await rejection(
      (async () => {
        for await (const event of output.body ?? []) if (event.chunk) chunks++;
      })(),
    );
    expect(chunks).toBe(2);
    expect(error.name).toBe(type.charAt(0).toUpperCase() + type.slice(1));
  });

  it("fails the SDK stream on a corrupt CRC and on a dropped connection", async () => {
    for (const option of ["badcrc3", "drop3"]) {
      const output = await client().send(
        new InvokeModelWithResponseStreamCommand({
          modelId: emulatorModelId("llama", [option]),
          body: JSON.stringify({ prompt: "Hi" }),
        }),
      );
      let chunks = 0;
      await rejection(
        (async () => {
          for await (const event of output.body ?? []) if (event.chunk) chunks++;
        })(),
      );
      expect(chunks, option).toBe(2 + (option === "drop3" ? 1 : 0));
    }
  });
});

describe("over HTTP with aws4fetch", () => {
  it("verifies requests signed by aws4fetch, streamed answers included", async () => {
    const response = await fetch(
      await signedRequest(served.url, emulatorModelId("qwen3"), { prompt: "Hi" }, { stream: true }),
    );
    expect(response.status).toBe(200);
    expect(chunksOf(await readEvents(response.body)).length).toBeGreaterThan(3);
  });

  it("cuts the HTTP/1.1 connection on drop<K>, after K whole frames", async () => {
    const response = await fetch(
      await signedRequest(served.url, emulatorModelId("llama", ["drop3"]), { prompt: "Hi" }, { stream: true }),
    );
    const reader = response.body?.getReader();
    let bytes = 0;
    const failure = await rejection(
      (async () => {
        for (let result = await reader?.read(); result && !result.done; result = await reader?.read())
          bytes += result.value.length;
      })(),
    );
    expect(failure.message).toMatch(/terminated|reset|closed/i);
    expect(bytes).toBeGreaterThan(0);
    expect(served.emulator.stats.droppedStreams).toBe(1);
  });

  it("sees a client that aborts mid-stream as a cancelled stream", async () => {
    const controller = new AbortController();
    const request = await signedRequest(
      served.url,
      emulatorModelId("llama", ["slow20", "long200"]),
      { prompt: "Hi" },
      { stream: true },
    );
    const response = await fetch(request, { signal: controller.signal });
    const reader = response.body?.getReader();
    await reader?.read();
    expect(served.emulator.stats.activeStreams).toBe(1);
    controller.abort();
    const deadline = Date.now() + 1000;
    while (served.emulator.stats.cancelledStreams === 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect(served.emulator.stats).toMatchObject({ cancelledStreams: 1, activeStreams: 0, completedStreams: 0 });
  });
});
