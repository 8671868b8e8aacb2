// The library end to end against the emulator: every route plain and streamed, usage, tools,
// images, templates, faults and aborts. Requests are really signed and really verified.
import { describe, expect, it } from "vitest";
import { REASONING_TEXT } from "../emulator/answers.ts";
import { EMULATOR_API_KEY, EMULATOR_CREDENTIALS, EMULATOR_SESSION_CREDENTIALS } from "../emulator/credentials.ts";
import { chunkFrame } from "../emulator/frames.ts";
import { createEmulator } from "../emulator/handler.ts";
import { emulatorModelId } from "../emulator/model-id.ts";
import {
  type BedrockOptions,
  BedrockEdgeError,
  createBedrock,
  type ChatCompletionChunk,
  type ChatCompletionCreateParams,
  type ChatMessage,
} from "../src/index.ts";
import { renderQwen3Prompt } from "../src/routes/prompts/qwen.ts";
import { emulated, model, ROUTE_FORMATS, type RouteName } from "./helpers/emulated.ts";
import { errorOf } from "./helpers/errors.ts";
import { recordOutput } from "./helpers/output-log.ts";

const hello = { role: "user" as const, content: "Hello, wörld 👋" };
const tools: ChatCompletionCreateParams["tools"] = [
  {
    type: "function",
    function: {
      name: "get_weather",
      description: "Weather for a city",
      parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
    },
  },
];

async function collect(stream: AsyncIterable<ChatCompletionChunk>) {
  const chunks: ChatCompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  let content = "";
  let reasoning = "";
  const calls: Array<{ name?: string; arguments?: string }> = [];
  let finish: string | null = null;
  for (const chunk of chunks) {
    for (const choice of chunk.choices) {
      content += choice.delta.content ?? "";
      reasoning += choice.delta.reasoning_content ?? "";
      for (const call of choice.delta.tool_calls ?? []) calls.push({ ...call.function });
      finish = choice.finish_reason ?? finish;
    }
  }
  return { chunks, content, reasoning, calls, finish, usage: chunks.at(-1)?.usage };
}

/** A fetch that answers every call with these frames of Bedrock's stream, whole, then its end. */
function framesFetch(...frames: Uint8Array[]): typeof fetch {
  const body = new Uint8Array(frames.reduce((length, frame) => length + frame.byteLength, 0));
  let at = 0;
  for (const frame of frames) {
    body.set(frame, at);
    at += frame.byteLength;
  }
  return async () => new Response(body.slice(), { headers: { "content-type": "application/vnd.amazon.eventstream" } });
}

/** The error `promise` rejects with, recorded for the run's secret scan. */
async function failure(promise: Promise<unknown>): Promise<BedrockEdgeError> {
  const error = await errorOf(() => promise, BedrockEdgeError);
  recordOutput(`${JSON.stringify(error.toJSON())} ${error.stack ?? ""}`);
  return error;
}

// The imported-model routes; converse (other ids, other options) has test/converse.test.ts.
const routes = (Object.keys(ROUTE_FORMATS) as RouteName[]).filter((route) => route !== "converse");

describe.each(routes)("route %s", (route) => {
  const thinks = route === "deepseek_r1" || route === "qwen3";

  it("answers a plain completion in OpenAI's shape", async () => {
    const { bedrock } = emulated();
    const completion = await bedrock.chat.completions.create({ model: model(route), messages: [hello] });
    expect(completion).toMatchObject({
      object: "chat.completion",
      model: model(route),
      choices: [{ index: 0, finish_reason: "stop", logprobs: null }],
    });
    expect(completion.id).toMatch(/^chatcmpl-/);
    expect(completion.created).toBeGreaterThan(1_700_000_000);
    const message = completion.choices[0]!.message;
    expect(message.role).toBe("assistant");
    // The emulator answered in this route's own format.
    expect(message.content).toMatch(
      new RegExp(
        `^Hello from the Bedrock emulator \\(${ROUTE_FORMATS[route]}\\)\\. Your (prompt|last message) had \\d+ characters\\.$`,
      ),
    );
    if (thinks) expect(message.reasoning_content).toBe(REASONING_TEXT);
    else expect(message.reasoning_content).toBeUndefined();
    expect(completion.usage!.total_tokens).toBe(completion.usage!.prompt_tokens + completion.usage!.completion_tokens);
    expect(completion.usage!.completion_tokens).toBeGreaterThan(0);
  });

  it("streams the same answer, chunk by chunk, with the usage chunk when asked", async () => {
    const { bedrock } = emulated();
    const plain = await bedrock.chat.completions.create({ model: model(route), messages: [hello] });
    const stream = await bedrock.chat.completions.create({
      model: model(route),
      messages: [hello],
      stream: true,
      stream_options: { include_usage: true },
    });
    const result = await collect(stream);
    expect(result.content).toBe(plain.choices[0]!.message.content);
    expect(result.reasoning).toBe(plain.choices[0]!.message.reasoning_content ?? "");
    expect(result.finish).toBe("stop");
    expect(result.chunks[0]!.choices[0]!.delta).toEqual({ role: "assistant", content: "" });
    expect(result.chunks.length).toBeGreaterThan(5);
    for (const chunk of result.chunks) {
      expect(chunk.object).toBe("chat.completion.chunk");
      expect(chunk.id).toBe(result.chunks[0]!.id);
    }
    expect(result.chunks.at(-1)!.choices).toEqual([]);
    expect(result.usage).toEqual(plain.usage);
    // OpenAI's shape: usage asked for, every chunk before the usage chunk says usage: null.
    expect(result.chunks.slice(0, -1).every((chunk) => chunk.usage === null)).toBe(true);
    const unasked = await collect(
      await bedrock.chat.completions.create({ model: model(route), messages: [hello], stream: true }),
    );
    expect(unasked.chunks.some((chunk) => "usage" in chunk)).toBe(false);
  });

  it("invents no usage when Bedrock gives none", async () => {
    const { bedrock } = emulated();
    const plain = await bedrock.chat.completions.create({ model: model(route, "nousage"), messages: [hello] });
    expect(plain.usage).toBeUndefined();
    const streamed = await collect(
      await bedrock.chat.completions.create({
        model: model(route, "nousage"),
        messages: [hello],
        stream: true,
        stream_options: { include_usage: true },
      }),
    );
    expect(streamed.chunks.some((chunk) => chunk.usage)).toBe(false);
  });

  it("says length when the model was cut off, plain and streamed", async () => {
    const { bedrock } = emulated();
    const plain = await bedrock.chat.completions.create({
      model: model(route, "length"),
      messages: [hello],
      max_tokens: 4,
    });
    expect(plain.choices[0]!.finish_reason).toBe("length");
    const streamed = await collect(
      await bedrock.chat.completions.create({
        model: model(route, "length"),
        messages: [hello],
        max_tokens: 4,
        stream: true,
      }),
    );
    expect(streamed.finish).toBe("length");
  });
});

describe("prompts reach Bedrock byte for byte", () => {
  it("qwen3: the rendered template, with thinking switched off", async () => {
    const { bedrock, emulator } = emulated();
    const request: ChatCompletionCreateParams = {
      model: model("qwen3", "echo"),
      messages: [{ role: "system", content: "Be brief." }, hello],
      chat_template_kwargs: { enable_thinking: false },
    };
    await bedrock.chat.completions.create(request);
    const expected = renderQwen3Prompt({
      messages: request.messages as ChatMessage[],
      kwargs: { enable_thinking: false },
    });
    expect(expected.endsWith("<|im_start|>assistant\n<think>\n\n</think>\n\n")).toBe(true);
    expect(
      (emulator.stats.lastBody(model("qwen3", "echo").split("/").slice(2).join("/")) as { prompt: string }).prompt,
    ).toBe(expected);
  });

  it("a per-model Jinja chat_template, compiled once", async () => {
    const { bedrock } = emulated({
      models: {
        tiny: {
          model: model("llama", "echo"),
          chat_template:
            "{{ bos_token }}{% for m in messages %}[{{ m.role }}] {{ m.content }}\n{% endfor %}{% if add_generation_prompt %}[assistant]{% endif %}",
          bos_token: "<s>",
        },
      },
    });
    const first = await bedrock.chat.completions.create({ model: "tiny", messages: [hello] });
    expect(first.choices[0]!.message.content).toBe("<s>[user] Hello, wörld 👋\n[assistant]");
    const second = await bedrock.chat.completions.create({
      model: "tiny",
      messages: [{ role: "user", content: "again" }],
    });
    expect(second.choices[0]!.message.content).toBe("<s>[user] again\n[assistant]");
  });

  it("a per-model built-in template other than the route's", async () => {
    const { bedrock } = emulated({ models: { tuned: { model: model("llama", "echo"), template: "qwen2" } } });
    const completion = await bedrock.chat.completions.create({ model: "tuned", messages: [hello] });
    expect(completion.choices[0]!.message.content).toContain("<|im_start|>system\nYou are Qwen");
  });
});

describe("tools and images", () => {
  it("qwen3 tool calls come back as tool_calls, plain and streamed", async () => {
    const { bedrock } = emulated();
    const request = {
      model: model("qwen3", "tool"),
      messages: [{ role: "user" as const, content: "Weather in Paris?" }],
      tools,
    };
    const plain = await bedrock.chat.completions.create(request);
    expect(plain.choices[0]!.finish_reason).toBe("tool_calls");
    expect(plain.choices[0]!.message.tool_calls).toEqual([
      {
        id: expect.stringMatching(/^call_/),
        type: "function",
        function: { name: "get_weather", arguments: '{"city": "Paris"}' },
      },
    ]);
    const streamed = await collect(await bedrock.chat.completions.create({ ...request, stream: true }));
    expect(streamed.calls).toEqual([{ name: "get_weather", arguments: '{"city": "Paris"}' }]);
    expect(streamed.finish).toBe("tool_calls");
  });

  it("a tool result turn goes back into the prompt and gets a text answer", async () => {
    const { bedrock } = emulated();
    const completion = await bedrock.chat.completions.create({
      model: model("qwen3", "tool"),
      tools,
      messages: [
        { role: "user", content: "Weather in Paris?" },
        {
          role: "assistant",
          content: null,
          tool_calls: [
            { id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
          ],
        },
        { role: "tool", tool_call_id: "call_1", content: '{"sky":"sunny"}' },
      ],
    });
    expect(completion.choices[0]!.finish_reason).toBe("stop");
    expect(completion.choices[0]!.message.content).toMatch(/sunny/);
  });

  it("openai route tool calls and several images pass through", async () => {
    const { bedrock, emulator } = emulated();
    const image = "data:image/png;base64,iVBORw0KGgo=";
    const completion = await bedrock.chat.completions.create({
      model: model("openai", "tool"),
      tools,
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "Compare" },
            { type: "image_url", image_url: { url: image } },
            { type: "image_url", image_url: { url: image } },
          ],
        },
      ],
    });
    expect(completion.choices[0]!.message.tool_calls?.[0]?.function.name).toBe("get_weather");
    const sent = emulator.stats.lastBody(model("openai", "tool").split("/").slice(2).join("/")) as {
      messages: Array<{ content: unknown[] }>;
      model: string;
    };
    expect(sent.messages[0]!.content).toHaveLength(3);
    expect(sent.model).toBe(model("openai", "tool").split("/").slice(2).join("/"));
  });

  it("qwen3 images go in `images`, with the vision placeholder in the prompt", async () => {
    const { bedrock, emulator } = emulated();
    await bedrock.chat.completions.create({
      model: model("qwen3"),
      messages: [
        {
          role: "user",
          content: [
            { type: "image_url", image_url: { url: "data:image/jpeg;base64,/9j/4AAQ" } },
            { type: "text", text: "What is it?" },
          ],
        },
      ],
    });
    const sent = emulator.stats.lastBody(model("qwen3").split("/").slice(2).join("/")) as {
      prompt: string;
      images: string[];
    };
    expect(sent.images).toEqual(["/9j/4AAQ"]);
    expect(sent.prompt).toContain("<|vision_start|><|image_pad|><|vision_end|>What is it?");
  });

  it("image URLs that are not data URLs, and images on text-only routes, are refused before sending", async () => {
    const { bedrock, emulator } = emulated();
    const remote = {
      role: "user" as const,
      content: [{ type: "image_url" as const, image_url: { url: "https://example.com/cat.png" } }],
    };
    expect((await failure(bedrock.chat.completions.create({ model: model("qwen3"), messages: [remote] }))).status).toBe(
      400,
    );
    const inline = {
      role: "user" as const,
      content: [{ type: "image_url" as const, image_url: { url: "data:image/png;base64,AA==" } }],
    };
    expect((await failure(bedrock.chat.completions.create({ model: model("llama"), messages: [inline] }))).param).toBe(
      "messages[0].content",
    );
    expect(emulator.stats.requests).toHaveLength(0);
  });
});

describe("errors", () => {
  it("a bad request never leaves the process", async () => {
    const { bedrock, emulator } = emulated();
    expect(
      (
        await failure(
          bedrock.chat.completions.create({ model: model("llama"), messages: [] } as ChatCompletionCreateParams),
        )
      ).param,
    ).toBe("messages");
    expect((await failure(bedrock.chat.completions.create({ model: "bedrock/gpt/x", messages: [hello] }))).param).toBe(
      "model",
    );
    expect(
      (await failure(bedrock.chat.completions.create({ model: model("llama"), messages: [hello], n: 3 }))).param,
    ).toBe("n");
    expect(emulator.stats.requests).toHaveLength(0);
  });

  it("context-length errors keep their status and say so", async () => {
    const { bedrock } = emulated();
    const error = await failure(bedrock.chat.completions.create({ model: model("llama", "ctx"), messages: [hello] }));
    expect({ status: error.status, code: error.code, name: error.bedrockError }).toEqual({
      status: 400,
      code: "context_length_exceeded",
      name: "ValidationException",
    });
  });

  it("throttling is retried, then given up with 429", async () => {
    const { bedrock, emulator } = emulated({ maxRetries: 2 });
    await bedrock.chat.completions.create({ model: model("llama", "throttle1"), messages: [hello] });
    expect(emulator.stats.calls(model("llama", "throttle1").split("/").slice(2).join("/"))).toBe(2);
    const error = await failure(
      bedrock.chat.completions.create({ model: model("llama", "throttle"), messages: [hello] }),
    );
    expect(error.status).toBe(429);
    expect(emulator.stats.calls(model("llama", "throttle").split("/").slice(2).join("/"))).toBe(3);
  });

  it("a cold model is waited for", async () => {
    const { bedrock } = emulated({ maxRetries: 0 });
    const retries: string[] = [];
    const stream = await bedrock.chat.completions.create(
      { model: model("qwen2", "notready3"), messages: [hello], stream: true },
      { onRetry: (event) => retries.push(event.error.bedrockError ?? "") },
    );
    expect((await collect(stream)).finish).toBe("stop");
    expect(retries).toEqual(["ModelNotReadyException", "ModelNotReadyException", "ModelNotReadyException"]);
  });

  it("a mid-stream exception arrives after the text before it, as its own error", async () => {
    const { bedrock } = emulated();
    const stream = await bedrock.chat.completions.create({
      model: model("llama", "midstream-modelStreamErrorException4"),
      messages: [hello],
      stream: true,
    });
    const seen: string[] = [];
    const error = await failure(
      (async () => {
        for await (const chunk of stream) seen.push(chunk.choices[0]?.delta.content ?? "");
      })(),
    );
    expect(seen.join("").length).toBeGreaterThan(0);
    expect({ status: error.status, name: error.bedrockError }).toEqual({
      status: 424,
      name: "ModelStreamErrorException",
    });
  });

  it("an exception in the very first frame rejects create() with its status, retried when retryable", async () => {
    const { bedrock, emulator } = emulated({ maxRetries: 2 });
    const throttled = model("llama", "midstream-throttlingException0");
    const error = await failure(bedrock.chat.completions.create({ model: throttled, messages: [hello], stream: true }));
    expect({ status: error.status, name: error.bedrockError }).toEqual({ status: 429, name: "ThrottlingException" });
    // Nothing had been passed on: retried like an HTTP 429.
    expect(emulator.stats.calls(throttled.split("/").slice(2).join("/"))).toBe(3);
    const broken = model("llama", "midstream-modelStreamErrorException0");
    expect(
      (await failure(bedrock.chat.completions.create({ model: broken, messages: [hello], stream: true }))).status,
    ).toBe(424);
    expect(emulator.stats.calls(broken.split("/").slice(2).join("/"))).toBe(1);
    await expect.poll(() => emulator.stats.activeStreams).toBe(0);
  });

  it("a corrupt frame and a dropped connection are 502s, never a silent end", async () => {
    const { bedrock } = emulated();
    for (const option of ["badcrc3", "drop3"] as const) {
      const stream = await bedrock.chat.completions.create({
        model: model("qwen2", option),
        messages: [hello],
        stream: true,
      });
      const error = await failure(collect(stream));
      expect(error.status, option).toBe(502);
    }
  });

  it("a stream that ends cleanly before the model's stop reason is a 502 incomplete_stream after its text, never a whole answer", async () => {
    const fetch = framesFetch(
      chunkFrame({ generation: "Once", stop_reason: null }, 0),
      chunkFrame({ generation: " upon", stop_reason: null }, 1),
    );
    const { bedrock } = emulated({ fetch });
    const stream = await bedrock.chat.completions.create({ model: model("llama"), messages: [hello], stream: true });
    const texts: string[] = [];
    const error = await failure(
      (async () => {
        for await (const chunk of stream) texts.push(chunk.choices[0]?.delta.content ?? "");
      })(),
    );
    expect(texts.join("")).toBe("Once upon");
    expect(error).toMatchObject({ status: 502, code: "incomplete_stream" });
  });

  it("wrong credentials are a 401 that leaks nothing", async () => {
    const secretAccessKey = "definitely/not+the+emulator+secret+key0000";
    const { bedrock } = emulated({ credentials: { accessKeyId: EMULATOR_CREDENTIALS.accessKeyId, secretAccessKey } });
    const error = await failure(bedrock.chat.completions.create({ model: model("llama"), messages: [hello] }));
    expect(error.status).toBe(401);
    expect(JSON.stringify(error.toJSON()) + String(error.stack)).not.toContain(secretAccessKey);
  });
});

describe("usage", () => {
  it("is the model's own counts where it gives them, over Bedrock's invocation metrics", async () => {
    const fetch = framesFetch(
      chunkFrame({ generation: "Hi", stop_reason: null }, 0),
      chunkFrame(
        {
          generation: ".",
          stop_reason: "stop",
          prompt_token_count: 11,
          generation_token_count: 2,
          "amazon-bedrock-invocationMetrics": { inputTokenCount: 99, outputTokenCount: 98 },
        },
        1,
      ),
    );
    const { bedrock } = emulated({ fetch });
    const { usage } = await collect(
      await bedrock.chat.completions.create({
        model: model("llama"),
        messages: [hello],
        stream: true,
        stream_options: { include_usage: true },
      }),
    );
    expect(usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 2, total_tokens: 13 });
  });
});

describe("credentials", () => {
  it("session credentials and a Bedrock API key both work", async () => {
    for (const options of [
      { credentials: EMULATOR_SESSION_CREDENTIALS },
      { credentials: undefined, apiKey: EMULATOR_API_KEY },
    ]) {
      const { bedrock } = emulated(options);
      const completion = await bedrock.chat.completions.create({ model: model("llama"), messages: [hello] });
      expect(completion.choices[0]!.message.content).toMatch(/^Hello from/);
    }
  });

  it("a provider that never answers is ended by the caller's abort and by timeoutMs, plain and streamed", async () => {
    const never = () => new Promise<typeof EMULATOR_CREDENTIALS>(() => undefined);
    const { bedrock, emulator } = emulated({ credentials: never, timeoutMs: 50 });
    for (const stream of [false, true]) {
      const controller = new AbortController();
      const reason = new DOMException("gone", "AbortError");
      setTimeout(() => controller.abort(reason), 20);
      await expect(
        bedrock.chat.completions.create(
          { model: model("llama"), messages: [hello], stream },
          { signal: controller.signal },
        ),
      ).rejects.toBe(reason);
      const error = await failure(
        bedrock.chat.completions.create({ model: model("llama"), messages: [hello], stream }),
      );
      expect([error.status, error.message]).toEqual([
        504,
        "The credentials were still pending after 50 ms (timeoutMs): Bedrock was not called.",
      ]);
    }
    expect(emulator.stats.calls(model("llama").split("/").slice(2).join("/"))).toBe(0);
  });
});

describe("aborting", () => {
  it("leaving the loop early cancels the upstream stream", async () => {
    const { bedrock, emulator } = emulated();
    const stream = await bedrock.chat.completions.create({
      model: model("llama", "long500", "slow2"),
      messages: [hello],
      stream: true,
    });
    let n = 0;
    for await (const _chunk of stream) if (++n === 3) break;
    await expect.poll(() => emulator.stats.cancelledStreams, { timeout: 1000 }).toBe(1);
  });

  it("an AbortSignal ends the stream with an AbortError and cancels upstream", async () => {
    const { bedrock, emulator } = emulated();
    const controller = new AbortController();
    const stream = await bedrock.chat.completions.create(
      { model: model("llama", "long500", "slow2"), messages: [hello], stream: true },
      { signal: controller.signal },
    );
    let n = 0;
    const error = await errorOf(async () => {
      for await (const _chunk of stream) if (++n === 3) controller.abort();
    }, Error);
    expect(error.name).toBe("AbortError");
    await expect.poll(() => emulator.stats.cancelledStreams, { timeout: 1000 }).toBe(1);
  });

  it("chunks read in the same piece as earlier ones stop with the abort too (a Chromium run's flake: one more chunk came after it)", async () => {
    // Bedrock's frames arrive in one piece and the stream stays open: every chunk is read at once.
    const upstream = createEmulator();
    const fetch: typeof globalThis.fetch = async (input, init) => {
      const answer = await upstream.fetch(new Request(input, init));
      const bytes = new Uint8Array(await answer.arrayBuffer());
      const body = new ReadableStream<Uint8Array>({ start: (controller) => controller.enqueue(bytes) });
      return new Response(body, { status: answer.status, headers: answer.headers });
    };
    for (const how of ["signal", "abort()"] as const) {
      const { bedrock } = emulated({ fetch });
      const controller = new AbortController();
      const stream = await bedrock.chat.completions.create(
        { model: model("llama", "long20"), messages: [hello], stream: true },
        { signal: controller.signal },
      );
      let n = 0;
      const error = await errorOf(async () => {
        for await (const _chunk of stream) {
          if (++n === 3) how === "signal" ? controller.abort() : stream.abort();
        }
      }, Error);
      expect([how, error.name, n]).toEqual([how, "AbortError", 3]);
    }
  });

  it("a stream is iterated once: a second loop is a TypeError, not the first one's tail", async () => {
    const { bedrock } = emulated();
    const stream = await bedrock.chat.completions.create({ model: model("llama"), messages: [hello], stream: true });
    const first = stream[Symbol.asyncIterator]();
    expect(() => stream[Symbol.asyncIterator]()).toThrow(TypeError);
    await first.return?.();
  });

  it("stream.abort() does the same", async () => {
    const { bedrock, emulator } = emulated();
    const stream = await bedrock.chat.completions.create({
      model: model("llama", "long500", "slow2"),
      messages: [hello],
      stream: true,
    });
    let n = 0;
    const error = await errorOf(async () => {
      for await (const _chunk of stream) if (++n === 3) stream.abort();
    }, Error);
    expect(error.name).toBe("AbortError");
    await expect.poll(() => emulator.stats.cancelledStreams, { timeout: 1000 }).toBe(1);
  });
});

describe("a <region>/ segment in the model string, on every route", () => {
  // The model's ARN in eu-west-1, as each route's emulator model; the client's region is another.
  const westModel = (route: RouteName) =>
    route === "converse"
      ? ROUTE_FORMATS.converse.replace("us-east-1", "eu-west-1")
      : emulatorModelId(ROUTE_FORMATS[route], [], "eu-west-1");

  /** A client on the default endpoint (the emulator behind it), recording each request's host and scope. */
  function recorded(options: Partial<BedrockOptions> = {}) {
    const emulator = createEmulator();
    const sent: string[] = [];
    const bedrock = createBedrock({
      credentials: EMULATOR_CREDENTIALS,
      fetch: (input, init) => {
        const request = new Request(input, init);
        const scope = /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(request.headers.get("authorization") ?? "")?.[1];
        sent.push(`${new URL(request.url).host} ${scope}`);
        return emulator.fetch(request);
      },
      ...options,
    });
    return { bedrock, sent };
  }

  it.each(Object.keys(ROUTE_FORMATS) as RouteName[])(
    "%s: the call is signed for the segment's region and sent to its endpoint, whatever the region option",
    async (route) => {
      const { bedrock, sent } = recorded({ region: "us-east-1" });
      const model = `bedrock/${route}/eu-west-1/${westModel(route)}`;
      const completion = await bedrock.chat.completions.create({ model, messages: [hello] });
      expect(completion.choices[0]!.message.content).toMatch(/^Hello from the Bedrock emulator/);
      expect(sent).toEqual(["bedrock-runtime.eu-west-1.amazonaws.com eu-west-1"]);
    },
  );

  it.each(Object.keys(ROUTE_FORMATS) as RouteName[])(
    "%s: a models table entry with the segment needs no region option",
    async (route) => {
      const { bedrock, sent } = recorded({ models: { west: `bedrock/${route}/eu-west-1/${westModel(route)}` } });
      const stream = await bedrock.chat.completions.create({ model: "west", messages: [hello], stream: true });
      expect((await collect(stream)).content).toMatch(/^Hello from the Bedrock emulator/);
      expect(sent).toEqual(["bedrock-runtime.eu-west-1.amazonaws.com eu-west-1"]);
    },
  );

  it("a segment that is no region, or that contradicts the ARN, is a 400 naming it, and nothing is sent", async () => {
    const { bedrock, sent } = recorded({ region: "us-east-1" });
    const arn = westModel("llama");
    for (const [model, message] of [
      [`bedrock/llama/eu-west-1x/${arn}`, '"eu-west-1x" is not an AWS region'],
      [`bedrock/llama/us-west-2/${arn}`, "The model's ARN is in eu-west-1 but the region setting says us-west-2"],
    ]) {
      const error = await failure(bedrock.chat.completions.create({ model: model!, messages: [hello] }));
      expect(error, model).toMatchObject({ status: 400, param: "region" });
      expect(error.message, model).toContain(message);
    }
    expect(sent).toEqual([]);
  });
});
