// The official AWS SDK against the served emulator: proof that it speaks Bedrock Runtime
// (routes, SigV4 with the SDK's own signed headers, restJson1 errors, event streams), not just
// our own dialect. Also: a client that goes away reaches the stream's cancel().

import {
  BedrockRuntimeClient,
  ConverseCommand,
  type ConverseCommandInput,
  ConverseStreamCommand,
  type ConverseStreamOutput,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
  type BedrockRuntimeClientConfig,
} from "@aws-sdk/client-bedrock-runtime";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { errorOf } from "../test/helpers/errors.ts";
import { eventually } from "../test/helpers/eventually.ts";
import { REASONING_TEXT } from "./answers.ts";
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

/** The SDK error `promise` rejects with: its exception name, HTTP status and message. */
async function rejection(
  promise: Promise<unknown>,
): Promise<{ name: string; status: number | undefined; message: string }> {
  const error = await errorOf(() => promise, Error);
  const metadata: unknown = "$metadata" in error ? error.$metadata : undefined;
  const status =
    typeof metadata === "object" && metadata !== null && "httpStatusCode" in metadata
      ? Number(metadata.httpStatusCode)
      : undefined;
  return { name: error.name, status, message: error.message };
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
  ] as const)("surfaces %s as %s (%i)", async (option, name, status) => {
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
      name: "ValidationException",
      status: 400,
      message: expect.stringMatching(/^The provided model identifier is invalid\./),
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

  it("surfaces the model's own failures and a quota used up as AWS's model has them: names, statuses, members (awsfidelity46 #5)", async () => {
    const body = { prompt: "Hi" };
    const stream = (modelId: string) =>
      client().send(new InvokeModelWithResponseStreamCommand({ modelId, body: JSON.stringify(body) }));
    for (const send of [(id: string) => invoke(client(), id, body), stream]) {
      expect(await errorOf(() => send(emulatorModelId("llama", ["modeltimeout"])), Error)).toMatchObject({
        name: "ModelTimeoutException",
        $metadata: { httpStatusCode: 408 },
      });
      const modelId = emulatorModelId("llama", ["modelerror"]);
      expect(await errorOf(() => send(modelId), Error)).toMatchObject({
        name: "ModelErrorException",
        $metadata: { httpStatusCode: 424 },
        originalStatusCode: 500,
        resourceName: modelId,
      });
      expect(await errorOf(() => send(emulatorModelId("llama", ["quota"])), Error)).toMatchObject({
        name: "ServiceQuotaExceededException",
        $metadata: { httpStatusCode: 400 },
      });
    }
    // Before the stream begins, as an HTTP answer: the model's status and words in their members.
    expect(await errorOf(() => stream(emulatorModelId("llama", ["streamerror", "ctx"])), Error)).toMatchObject({
      name: "ModelStreamErrorException",
      $metadata: { httpStatusCode: 424 },
      originalStatusCode: 400,
      originalMessage: expect.stringMatching(/^This model's maximum context length is 8192 tokens\./),
    });
    // AWS's model lists ModelStreamErrorException for the streamed operation only, and
    // ServiceQuotaExceededException for the InvokeModel operations only: such an id is not served elsewhere.
    expect(await rejection(invoke(client(), emulatorModelId("llama", ["streamerror"]), body))).toMatchObject({
      name: "ValidationException",
      status: 400,
      message: expect.stringMatching(/^The provided model identifier is invalid\./),
    });
  });

  it("a mid-stream modelStreamErrorException carries the model's status and words (awsfidelity46 #2)", async () => {
    for (const [options, originalStatusCode, originalMessage] of [
      [[], 500, /failed/],
      [["ctx"], 400, /^This model's maximum context length is 8192 tokens\./],
    ] as const) {
      const modelId = emulatorModelId("r1", ["midstream-modelStreamErrorException1", ...options]);
      const output = await client().send(
        new InvokeModelWithResponseStreamCommand({ modelId, body: JSON.stringify({ prompt: "Hi" }) }),
      );
      const error = await errorOf(async () => {
        for await (const _ of output.body ?? []);
      }, Error);
      expect(error).toMatchObject({ name: "ModelStreamErrorException", originalStatusCode });
      expect("originalMessage" in error && String(error.originalMessage)).toMatch(originalMessage);
    }
  });

  it("fails the SDK stream on a corrupt CRC and on a dropped connection", async () => {
    for (const option of ["badcrc3", "drop3"] as const) {
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
    await eventually(() => served.emulator.stats.cancelledStreams > 0, 1000, "the stream to be cancelled");
    expect(served.emulator.stats).toMatchObject({ cancelledStreams: 1, activeStreams: 0, completedStreams: 0 });
  });
});

describe("the official SDK's Converse and ConverseStream", () => {
  const NOVA = "us.amazon.nova-pro-v1:0";
  const hello: Pick<ConverseCommandInput, "messages"> = {
    messages: [{ role: "user", content: [{ text: "Hello SDK" }] }],
  };
  const toolConfig = {
    tools: [
      {
        toolSpec: {
          name: "get_weather",
          inputSchema: { json: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } },
        },
      },
    ],
  };

  async function streamEvents(modelId: string, input: Pick<ConverseCommandInput, "messages" | "toolConfig"> = hello) {
    const output = await client().send(new ConverseStreamCommand({ modelId, ...input }));
    const events: ConverseStreamOutput[] = [];
    for await (const event of output.stream ?? []) events.push(event);
    return events;
  }

  it("converses: text, usage, metrics", async () => {
    const output = await client().send(new ConverseCommand({ modelId: NOVA, ...hello }));
    expect(output.output?.message).toEqual({
      role: "assistant",
      content: [
        { text: "Hello from the Bedrock emulator (us.amazon.nova-pro-v1:0). Your last message had 9 characters." },
      ],
    });
    expect(output.stopReason).toBe("end_turn");
    expect(output.usage).toMatchObject({ inputTokens: expect.any(Number), outputTokens: expect.any(Number) });
    expect(output.metrics?.latencyMs).toEqual(expect.any(Number));
  });

  it("says which service tier served, in Converse's answer and ConverseStream's metadata, as the SDK reads them", async () => {
    const serviceTier = { type: "flex" as const };
    const output = await client().send(new ConverseCommand({ modelId: NOVA, ...hello, serviceTier }));
    expect(output.serviceTier).toEqual(serviceTier);
    const streamed = await client().send(new ConverseStreamCommand({ modelId: NOVA, ...hello, serviceTier }));
    const events: ConverseStreamOutput[] = [];
    for await (const event of streamed.stream ?? []) events.push(event);
    expect(events.find((event) => event.metadata)?.metadata?.serviceTier).toEqual(serviceTier);
  });

  it("converses with reasoning and a tool use, and streams the same", async () => {
    const modelId = `${NOVA}+think+tool`;
    const output = await client().send(new ConverseCommand({ modelId, ...hello, toolConfig }));
    const [reasoning, use] = output.output?.message?.content ?? [];
    expect(reasoning?.reasoningContent?.reasoningText?.text).toBe(REASONING_TEXT);
    expect(use?.toolUse).toMatchObject({ name: "get_weather", input: { city: "Paris" } });
    expect(output.stopReason).toBe("tool_use");

    const events = await streamEvents(modelId, { ...hello, toolConfig });
    expect(events[0]?.messageStart?.role).toBe("assistant");
    const thought = events.flatMap((event) => event.contentBlockDelta?.delta?.reasoningContent?.text ?? []).join("");
    expect(thought).toBe(REASONING_TEXT);
    const start = events.find((event) => event.contentBlockStart)?.contentBlockStart;
    expect(start).toMatchObject({
      contentBlockIndex: 1,
      start: { toolUse: { name: "get_weather", toolUseId: use?.toolUse?.toolUseId } },
    });
    const fragments = events.flatMap((event) => event.contentBlockDelta?.delta?.toolUse?.input ?? []);
    expect(fragments.length).toBeGreaterThan(1);
    expect(JSON.parse(fragments.join(""))).toEqual({ city: "Paris" });
    expect(events.find((event) => event.messageStop)?.messageStop?.stopReason).toBe("tool_use");
    expect(events.at(-1)?.metadata?.usage).toEqual(output.usage);
  });

  it.each([
    ["end_turn", NOVA],
    ["max_tokens", `${NOVA}+length`],
    ["stop_sequence", `${NOVA}+stopseq`],
    ["tool_use", `${NOVA}+tool`],
    ["guardrail_intervened", `${NOVA}+guardrail`],
    ["content_filtered", `${NOVA}+filtered`],
  ])("reaches %s, plain and streamed", async (reason, modelId) => {
    const plain = await client().send(new ConverseCommand({ modelId, ...hello, toolConfig }));
    expect(plain.stopReason).toBe(reason);
    const events = await streamEvents(modelId, { ...hello, toolConfig });
    expect(events.find((event) => event.messageStop)?.messageStop?.stopReason).toBe(reason);
  });

  it("takes images as bytes", async () => {
    const png = Uint8Array.from(
      atob("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="),
      (c) => c.charCodeAt(0),
    );
    const output = await client().send(
      new ConverseCommand({
        modelId: NOVA,
        messages: [
          { role: "user", content: [{ text: "What is this?" }, { image: { format: "png", source: { bytes: png } } }] },
        ],
      }),
    );
    expect(output.stopReason).toBe("end_turn");
    const sent = served.emulator.stats.lastBody(NOVA) as {
      messages: { content: { image?: { source: { bytes: string } } }[] }[];
    };
    expect(sent.messages[0]?.content[1]?.image?.source.bytes).toBe(btoa(String.fromCharCode(...png)));
  });

  it.each([
    "throttlingException",
    "modelStreamErrorException",
    "internalServerException",
    "serviceUnavailableException",
    "validationException",
  ])("surfaces a mid-stream %s as that exception", async (type) => {
    const output = await client().send(new ConverseStreamCommand({ modelId: `${NOVA}+midstream-${type}3`, ...hello }));
    let events = 0;
    const error = await rejection(
      (async () => {
        for await (const _ of output.stream ?? []) events++;
      })(),
    );
    expect(events).toBe(3);
    expect(error.name).toBe(type.charAt(0).toUpperCase() + type.slice(1));
  });

  it("surfaces the model's timeout and failure with AWS's names, statuses and members, plain and streamed (awsfidelity46 #5)", async () => {
    for (const send of [
      (modelId: string) => client().send(new ConverseCommand({ modelId, ...hello })),
      (modelId: string) => client().send(new ConverseStreamCommand({ modelId, ...hello })),
    ]) {
      expect(await errorOf(() => send(`${NOVA}+modeltimeout`), Error)).toMatchObject({
        name: "ModelTimeoutException",
        $metadata: { httpStatusCode: 408 },
      });
      expect(await errorOf(() => send(`${NOVA}+modelerror`), Error)).toMatchObject({
        name: "ModelErrorException",
        $metadata: { httpStatusCode: 424 },
        originalStatusCode: 500,
        resourceName: `${NOVA}+modelerror`,
      });
      // Neither Converse operation lists ServiceQuotaExceededException or ModelStreamErrorException.
      for (const option of ["quota", "streamerror"]) {
        expect(await rejection(send(`${NOVA}+${option}`))).toMatchObject({
          name: "ResourceNotFoundException",
          status: 404,
        });
      }
    }
  });

  it("does not send a modelTimeoutException in ConverseStream, whose stream has no such member: the id is not served there (awsfidelity46 #3)", async () => {
    for (const modelId of [
      `${NOVA}+midstream-modelTimeoutException1`,
      emulatorModelId("llama", ["midstream-modelTimeoutException1"]),
    ]) {
      expect(await rejection(client().send(new ConverseStreamCommand({ modelId, ...hello })))).toMatchObject({
        name: "ResourceNotFoundException",
        status: 404,
      });
    }
    // InvokeModelWithResponseStream's stream has it.
    const output = await client().send(
      new InvokeModelWithResponseStreamCommand({
        modelId: emulatorModelId("llama", ["midstream-modelTimeoutException1"]),
        body: JSON.stringify({ prompt: "Hi" }),
      }),
    );
    const error = await errorOf(async () => {
      for await (const _ of output.body ?? []);
    }, Error);
    expect(error.name).toBe("ModelTimeoutException");
  });

  it("surfaces call faults, unknown models and bad conversations with AWS's names", async () => {
    expect(
      await rejection(client().send(new ConverseCommand({ modelId: `${NOVA}+throttle`, ...hello }))),
    ).toMatchObject({
      name: "ThrottlingException",
      status: 429,
    });
    expect(
      await rejection(client().send(new ConverseCommand({ modelId: "acme.nothing-v1:0", ...hello }))),
    ).toMatchObject({
      name: "ResourceNotFoundException",
      status: 404,
    });
    const assistantFirst = { messages: [{ role: "assistant" as const, content: [{ text: "Hi" }] }] };
    expect(
      await rejection(client().send(new ConverseStreamCommand({ modelId: NOVA, ...assistantFirst }))),
    ).toMatchObject({
      name: "ValidationException",
      status: 400,
      message:
        "A conversation must start with a user message. Try again with a conversation that starts with a user message.",
    });
  });
});
