// Bedrock's service tiers through the proxy, as the official `openai` client asks for them: a
// request's service_tier reaches Converse as serviceTier within the tiers the model's entry allows,
// and the tier Bedrock says served comes back as the answer's service_tier, plain and streamed, on
// Chat Completions and the Responses API. And an entry's latency setting, Bedrock's
// latency-optimized inference.
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { EMULATOR_CREDENTIALS } from "../emulator/credentials.ts";
import { eventFrame, exceptionFrame } from "../emulator/frames.ts";
import { createApp } from "../worker/app.ts";
import type { LogLine } from "../worker/log.ts";
import { concat } from "./helpers/bytes.ts";
import { inProcessProxy } from "./helpers/in-process-proxy.ts";

const NOVA = "amazon.nova-pro-v1:0";
const IMPORTED = "arn:aws:bedrock:us-east-1:123456789012:imported-model/llama";
// The emulator's imported models: a Llama template's and one of Bedrock's OpenAI format.
const QWEN = "arn:aws:bedrock:us-east-1:123456789012:imported-model/openai";
const hello = [{ role: "user" as const, content: "Hello" }];

function proxy() {
  return inProcessProxy({
    nova: `bedrock/converse/${NOVA}`,
    "nova-fast": { model: `bedrock/converse/${NOVA}`, service_tier: "flex", service_tiers: ["default", "priority"] },
    imported: `bedrock/converse/${IMPORTED}`,
    llama: `bedrock/llama/${IMPORTED}`,
    qwen: `bedrock/openai/${QWEN}`,
  });
}

describe("service_tier on the converse route, through the proxy", () => {
  it("flex reaches Converse as serviceTier and comes back as the completion's service_tier", async () => {
    const { emulator, client } = proxy();
    const completion = await client.chat.completions.create({ model: "nova", messages: hello, service_tier: "flex" });
    expect(emulator.stats.lastBody(NOVA)).toMatchObject({ serviceTier: { type: "flex" } });
    expect(completion.service_tier).toBe("flex");
  });

  it("without one, nothing is sent and the answer names no tier (Bedrock said none)", async () => {
    const { emulator, client } = proxy();
    const completion = await client.chat.completions.create({ model: "nova", messages: hello });
    expect(emulator.stats.lastBody(NOVA)).not.toHaveProperty("serviceTier");
    expect(completion).not.toHaveProperty("service_tier");
  });

  it("streamed, the finishing chunk and the usage chunk carry the tier, and the SDK's final completion has it", async () => {
    const { client } = proxy();
    const stream = await client.chat.completions.create({
      model: "nova",
      messages: hello,
      service_tier: "default",
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const finishing = chunks.find((chunk) => chunk.choices[0]?.finish_reason);
    expect(finishing?.service_tier).toBe("default");
    expect(chunks.at(-1)).toMatchObject({ choices: [], service_tier: "default" });
    // The text before Bedrock said which tier served names none: nothing is invented.
    expect(chunks[0]).not.toHaveProperty("service_tier");

    const runner = client.chat.completions.stream({ model: "nova", messages: hello, service_tier: "flex" });
    expect((await runner.finalChatCompletion()).service_tier).toBe("flex");
  });

  it("auto is the entry's service_tier; priority is served where the entry's service_tiers lists it", async () => {
    const { emulator, client } = proxy();
    const auto = await client.chat.completions.create({ model: "nova-fast", messages: hello, service_tier: "auto" });
    expect(emulator.stats.lastBody(NOVA)).toMatchObject({ serviceTier: { type: "flex" } });
    expect(auto.service_tier).toBe("flex");
    const priority = await client.chat.completions.create({
      model: "nova-fast",
      messages: hello,
      service_tier: "priority",
    });
    expect(priority.service_tier).toBe("priority");
  });

  it("priority on a model whose entry does not allow it, and scale without reserved, are 400s naming service_tier", async () => {
    const { emulator, client } = proxy();
    for (const service_tier of ["priority", "scale"] as const) {
      const error = await client.chat.completions.create({ model: "nova", messages: hello, service_tier }).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      expect(error).toMatchObject({ status: 400, param: "service_tier" });
      expect((error as Error).message).toContain("service_tiers setting");
    }
    expect(emulator.stats.lastBody(NOVA)).toBeUndefined();
  });

  it("an imported model is sent no tier: default and auto are served, priority is a 400 naming service_tier", async () => {
    const { emulator, client } = proxy();
    for (const service_tier of ["default", "auto"] as const) {
      await client.chat.completions.create({ model: "imported", messages: hello, service_tier });
      expect(emulator.stats.lastBody(IMPORTED), service_tier).toHaveProperty("messages");
      expect(emulator.stats.lastBody(IMPORTED), service_tier).not.toHaveProperty("serviceTier");
    }
    const sent = emulator.stats.requests.length;
    const error = await client.chat.completions
      .create({ model: "imported", messages: hello, service_tier: "priority" })
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({ status: 400, param: "service_tier", code: "unsupported_parameter" });
    expect((error as Error).message).toContain("an imported model does not have");
    expect(emulator.stats.requests).toHaveLength(sent);
  });

  it("the imported-model routes answer the same: default and auto served, flex a 400 naming service_tier, before anything is sent", async () => {
    const { emulator, client } = proxy();
    for (const model of ["llama", "qwen"]) {
      for (const service_tier of ["default", "auto"] as const) {
        const completion = await client.chat.completions.create({ model, messages: hello, service_tier });
        expect(completion.choices[0]?.message.content, `${model} ${service_tier}`).toBeTruthy();
        // Never invented: Bedrock names no tier for an imported model.
        expect(completion).not.toHaveProperty("service_tier");
      }
      const sent = emulator.stats.requests.length;
      const error = await client.chat.completions.create({ model, messages: hello, service_tier: "flex" }).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error, model).toBeInstanceOf(OpenAI.BadRequestError);
      expect(error).toMatchObject({ status: 400, param: "service_tier", code: "unsupported_parameter" });
      expect((error as Error).message).toContain("an imported model does not have");
      expect(emulator.stats.requests).toHaveLength(sent);
      // The Responses API onto the same model, in the same words.
      const viaResponses = await client.responses.create({ model, input: "Hello", service_tier: "flex" }).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(viaResponses).toMatchObject({ status: 400, param: "service_tier" });
      expect(emulator.stats.requests).toHaveLength(sent);
    }
  });

  it("the Responses API forwards service_tier and says which tier served, plain and streamed", async () => {
    const { emulator, client } = proxy();
    const response = await client.responses.create({ model: "nova", input: "Hello", service_tier: "flex" });
    expect(emulator.stats.lastBody(NOVA)).toMatchObject({ serviceTier: { type: "flex" } });
    expect(response.service_tier).toBe("flex");
    const stream = await client.responses.create({ model: "nova", input: "Hello", service_tier: "flex", stream: true });
    let completed: OpenAI.Responses.Response | undefined;
    for await (const event of stream) if (event.type === "response.completed") completed = event.response;
    expect(completed?.service_tier).toBe("flex");
  });
});

describe("latency-optimized inference on the converse route, through the proxy", () => {
  it("an entry's latency setting reaches Converse as performanceConfig", async () => {
    const { emulator, client } = inProcessProxy({ nova: { model: `bedrock/converse/${NOVA}`, latency: "optimized" } });
    await client.chat.completions.create({ model: "nova", messages: hello });
    expect(emulator.stats.lastBody(NOVA)).toMatchObject({ performanceConfig: { latency: "optimized" } });
  });
});

describe("the proxy's log line records the tier that served (tiers are priced differently)", () => {
  it("for plain and streamed chat and Responses, and not when Bedrock said none", async () => {
    const { client, lines } = proxy();
    await client.chat.completions.create({ model: "nova", messages: hello, service_tier: "flex" });
    expect(lines.at(-1)).toMatchObject({ path: "/v1/chat/completions", stream: false, service_tier: "flex" });
    // A client that did not ask for usage: the finishing chunk says it.
    const stream = await client.chat.completions.create({
      model: "nova",
      messages: hello,
      service_tier: "default",
      stream: true,
    });
    for await (const _ of stream);
    expect(lines.at(-1)).toMatchObject({ stream: true, service_tier: "default" });
    await client.responses.create({ model: "nova", input: "Hello", service_tier: "flex" });
    expect(lines.at(-1)).toMatchObject({ path: "/v1/responses", service_tier: "flex" });
    const events = await client.responses.create({ model: "nova", input: "Hello", service_tier: "flex", stream: true });
    for await (const _ of events);
    expect(lines.at(-1)).toMatchObject({ path: "/v1/responses", stream: true, service_tier: "flex" });
    await client.chat.completions.create({ model: "nova", messages: hello });
    expect(lines.at(-1)).not.toHaveProperty("service_tier");
  });
});

// ConverseStream's finish waits for the metadata event that names the tier (codereview39 #1): a
// stream that fails before it comes still gives the client its finish, then the error event, and
// the log line its finish_reasons.
describe("a stream that fails between messageStop and metadata, through the proxy", () => {
  const answer = [
    eventFrame("messageStart", { role: "assistant" }),
    eventFrame("contentBlockDelta", { contentBlockIndex: 0, delta: { text: "Hello" } }),
    eventFrame("contentBlockStop", { contentBlockIndex: 0 }),
    eventFrame("messageStop", { stopReason: "end_turn" }),
  ];

  /**
   * The proxy in front of a Bedrock that sends `answered` (by default `answer`) in one read, then
   * `then`: more reads, or silence. Each call it is sent is counted in `fetched`.
   */
  function failingProxy(then: Uint8Array | "silence", answered: readonly Uint8Array[] = answer) {
    const lines: LogLine[] = [];
    const fetched = { count: 0 };
    const app = createApp({
      env: {
        MODELS: JSON.stringify({ nova: `bedrock/converse/${NOVA}` }),
        PROXY_API_KEYS: "sk-test",
        AWS_REGION: "us-east-1",
        AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
        IDLE_TIMEOUT_MS: "50",
      },
      fetch: async () => {
        fetched.count++;
        const reads = [concat([...answered]), ...(then === "silence" ? [] : [then])];
        const body = new ReadableStream<Uint8Array>({
          pull(controller) {
            const read = reads.shift();
            if (read) return controller.enqueue(read);
            if (then !== "silence") return controller.close();
            return new Promise<void>(() => undefined);
          },
        });
        return new Response(body, { headers: { "content-type": "application/vnd.amazon.eventstream" } });
      },
      log: (line) => lines.push(structuredClone(line)),
    });
    return { app, lines, fetched };
  }

  /** The data events of a streamed chat request to `app`, parsed. */
  async function streamedEvents(app: ReturnType<typeof createApp>, stream_options?: { include_usage: boolean }) {
    const response = await app.request("/v1/chat/completions", {
      method: "POST",
      headers: { authorization: "Bearer sk-test", "content-type": "application/json" },
      body: JSON.stringify({ model: "nova", messages: hello, stream: true, stream_options }),
    });
    const events = (await response.text())
      .split("\n\n")
      .filter((event) => event.startsWith("data: "))
      .map((event) => JSON.parse(event.slice("data: ".length)) as Record<string, unknown>);
    return { response, events };
  }

  it.each([
    ["an exception frame", exceptionFrame("internalServerException", "boom"), 500, "internal_server_error"],
    ["silence past IDLE_TIMEOUT_MS", "silence", 504, "upstream_timeout"],
  ] as const)(
    "%s: the finish chunk, then the error event; the line has finish_reasons",
    async (_, then, status, code) => {
      for (const stream_options of [undefined, { include_usage: true }]) {
        const { app, lines } = failingProxy(then);
        const { events } = await streamedEvents(app, stream_options);
        expect(events.map((event) => (event.choices as { finish_reason: string | null }[] | undefined)?.[0])).toEqual([
          expect.objectContaining({ finish_reason: null }),
          expect.objectContaining({ delta: { content: "Hello" }, finish_reason: null }),
          { index: 0, delta: {}, finish_reason: "stop", logprobs: null },
          undefined,
        ]);
        expect(events[2]).not.toHaveProperty("service_tier");
        expect(events[3]).toMatchObject({ error: { code } });
        expect(lines.at(-1)).toMatchObject({ status, stream: true, finish_reasons: ["stop"] });
      }
    },
  );

  // An empty answer has nothing to send before its finish, which waits for metadata: the stream
  // begins all the same (a 200, the finish, then the error event), and the call is not retried
  // (Bedrock billed the answer; a retry would bill it again).
  const empty = [
    eventFrame("messageStart", { role: "assistant" }),
    eventFrame("contentBlockDelta", { contentBlockIndex: 0, delta: { text: "" } }),
    eventFrame("contentBlockStop", { contentBlockIndex: 0 }),
    eventFrame("messageStop", { stopReason: "end_turn" }),
  ];

  const boom = exceptionFrame("internalServerException", "boom");

  it.each([
    ["an exception frame", empty, boom, 500, "internal_server_error"],
    ["an exception frame in messageStop's read", [...empty, boom], "silence", 500, "internal_server_error"],
    ["silence past IDLE_TIMEOUT_MS", empty, "silence", 504, "upstream_timeout"],
  ] as const)(
    "%s after an empty answer: a 200 stream with its finish chunk, then the error event, sent once",
    async (_, answered, then, status, code) => {
      for (const stream_options of [undefined, { include_usage: true }]) {
        const { app, lines, fetched } = failingProxy(then, answered);
        const { response, events } = await streamedEvents(app, stream_options);
        expect(response.status).toBe(200);
        expect(events.map((event) => (event.choices as { finish_reason: string | null }[] | undefined)?.[0])).toEqual([
          expect.objectContaining({ delta: { role: "assistant", content: "" }, finish_reason: null }),
          { index: 0, delta: {}, finish_reason: "stop", logprobs: null },
          undefined,
        ]);
        expect(events[1]).not.toHaveProperty("service_tier");
        expect(events[2]).toMatchObject({ error: { code } });
        expect(lines.at(-1)).toMatchObject({ status, stream: true, finish_reasons: ["stop"] });
        expect(fetched.count).toBe(1);
      }
    },
  );
});
