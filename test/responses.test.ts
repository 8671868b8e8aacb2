// bedrock.responses.create() end to end against the emulator, on every route: plain and
// streamed, reasoning, function tools and their results, forced calls, limits, faults and
// aborts. Every Response, every stream event, and the chat answers and chunks they come from,
// are validated against OpenAI's official OpenAPI schemas.
import type OpenAI from "openai";
import { addOutputText } from "openai/lib/ResponsesParser";
import { describe, expect, it } from "vitest";
import {
  BedrockEdgeError,
  type ChatCompletionChunk,
  type Response,
  type ResponseCreateParams,
  type ResponseStreamEvent,
} from "../src/index.ts";
import { main as example } from "../examples/responses.ts";
import { assertConforms } from "./conformance/openapi.ts";
import { emulated, model, ROUTE_FORMATS, type RouteName } from "./helpers/emulated.ts";
import { recordOutput } from "./helpers/output-log.ts";
import { echoSaying, TEXT_AROUND_A_CALL, RESPONSES_WEATHER_TOOL as weather } from "./helpers/tool-calls.ts";

const routes = Object.keys(ROUTE_FORMATS) as RouteName[];

async function events(stream: AsyncIterable<ResponseStreamEvent>): Promise<ResponseStreamEvent[]> {
  const out: ResponseStreamEvent[] = [];
  for await (const event of stream) {
    assertConforms("ResponseStreamEvent", event);
    out.push(event);
  }
  recordOutput(JSON.stringify(out));
  return out;
}

function finalOf(all: ResponseStreamEvent[]): Response {
  const last = all.at(-1);
  if (!last || !("response" in last)) throw new Error(`the stream ended with ${last?.type}`);
  return last.response;
}

function textOf(response: Response): string {
  return response.output
    .flatMap((item) => (item.type === "message" ? item.content.map((part) => part.text) : []))
    .join("");
}

function reasoningOf(response: Response): string {
  return response.output
    .flatMap((item) =>
      item.type === "reasoning" ? [...(item.content ?? []), ...item.summary].map((part) => part.text) : [],
    )
    .join("");
}

/** output_text as the openai SDK computes it on the client (its own addOutputText), from `output` alone. */
function sdkOutputText(response: Response): string {
  const copy: OpenAI.Responses.Response = { ...response, output_text: "" };
  addOutputText(copy);
  return copy.output_text;
}

/** A Response with what differs between two calls of the same answer (ids, times) blanked. */
function comparable(response: Response) {
  return {
    ...response,
    id: "",
    created_at: 0,
    completed_at: 0,
    output: response.output.map((item) => ({
      ...item,
      id: "",
      ...(item.type === "function_call" ? { call_id: "" } : {}),
    })),
  };
}

describe.each(routes)("route %s", (route) => {
  const thinks = route === "deepseek_r1" || route === "qwen3";
  const { bedrock } = emulated();
  const params = {
    model: model(route),
    instructions: "Be brief.",
    input: "Hello there",
  } satisfies ResponseCreateParams;

  it("a plain Response conforms and says what the chat answer says", async () => {
    const response = await bedrock.responses.create(params);
    recordOutput(JSON.stringify(response));
    assertConforms("Response", response);
    const chat = await bedrock.chat.completions.create({
      model: params.model,
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hello there" },
      ],
    });
    // access_programs: openai 7 types it as required; null is the standard program.
    expect(response).toMatchObject({ object: "response", status: "completed", model: params.model });
    expect(response.access_programs).toBeNull();
    expect(textOf(response)).toBe(chat.choices[0]?.message.content);
    expect(reasoningOf(response)).toBe(chat.choices[0]?.message.reasoning_content ?? "");
    if (thinks) expect(response.output[0]?.type).toBe("reasoning");
    expect(response.usage).toMatchObject({
      input_tokens: chat.usage?.prompt_tokens,
      output_tokens: chat.usage?.completion_tokens,
      total_tokens: chat.usage?.total_tokens,
    });
  });

  it("every stream event conforms, in order, numbered, and ends with the plain call's Response", async () => {
    const all = await events(await bedrock.responses.create({ ...params, stream: true }));
    expect(all.map((event) => event.sequence_number)).toEqual(all.map((_, index) => index));
    expect(all.slice(0, 2).map((event) => event.type)).toEqual(["response.created", "response.in_progress"]);
    expect(all.at(-1)?.type).toBe("response.completed");
    const nested = all.flatMap((event) => ("response" in event ? [event.response] : []));
    expect(nested.map((response) => response.access_programs)).toEqual([null, null, null]);
    const streamed = finalOf(all);
    const deltas = all.flatMap((event) => (event.type === "response.output_text.delta" ? [event.delta] : []));
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join("")).toBe(textOf(streamed));
    const plain = await bedrock.responses.create(params);
    expect(comparable(streamed)).toEqual(comparable(plain));
  });

  it("carries output_text as the openai SDK computes it, plain and on every Response a stream carries", async () => {
    const plain = await bedrock.responses.create(params);
    expect(plain.output_text).not.toBe("");
    expect(plain.output_text).toBe(sdkOutputText(plain));
    const all = await events(await bedrock.responses.create({ ...params, stream: true }));
    const nested = all.flatMap((event) => ("response" in event ? [event.response] : []));
    expect(nested.map((response) => response.output_text)).toEqual(nested.map(sdkOutputText));
    expect(nested.map((response) => response.output_text)).toEqual(["", "", plain.output_text]);
  });

  it("asked for a summary, the reasoning streams as summary events", async () => {
    const all = await events(
      await bedrock.responses.create({ ...params, reasoning: { summary: "auto" }, stream: true }),
    );
    const summary = all.flatMap((event) =>
      event.type === "response.reasoning_summary_text.delta" ? [event.delta] : [],
    );
    expect(summary.join("")).toBe(reasoningOf(finalOf(all)));
    expect(summary.length > 0).toBe(thinks);
    expect(all.some((event) => event.type === "response.reasoning_text.delta")).toBe(false);
  });

  it("a cut answer is incomplete: max_output_tokens", async () => {
    const cut = { ...params, model: model(route, "length"), max_output_tokens: 16 };
    const response = await bedrock.responses.create(cut);
    assertConforms("Response", response);
    expect(response).toMatchObject({ status: "incomplete", incomplete_details: { reason: "max_output_tokens" } });
    const all = await events(await bedrock.responses.create({ ...cut, stream: true }));
    expect(all.at(-1)?.type).toBe("response.incomplete");
  });

  it("chat answers and every chunk conform too", async () => {
    const request = { model: params.model, messages: [{ role: "user" as const, content: "Hello" }] };
    const completion = await bedrock.chat.completions.create(request);
    assertConforms("CreateChatCompletionResponse", completion);
    const chunks: ChatCompletionChunk[] = [];
    const stream = await bedrock.chat.completions.create({
      ...request,
      stream: true,
      stream_options: { include_usage: true },
    });
    for await (const chunk of stream) {
      assertConforms("CreateChatCompletionStreamResponse", chunk);
      chunks.push(chunk);
    }
    expect(chunks.at(-1)?.usage).toBeTruthy();
  });
});

describe.each(routes)("function tools on route %s", (route) => {
  const { bedrock } = emulated();
  const question = { role: "user" as const, content: "Weather in Paris?" };

  it("a call, then its result sent back: the answer", async () => {
    const first = await bedrock.responses.create({ model: model(route, "tool"), input: [question], tools: [weather] });
    assertConforms("Response", first);
    const call = first.output.find((item) => item.type === "function_call");
    expect(call).toMatchObject({ type: "function_call", name: "get_weather", status: "completed" });
    if (call?.type !== "function_call") throw new Error("no call");
    expect(JSON.parse(call.arguments)).toEqual({ city: "Paris" });
    expect(first.tools).toEqual([weather]);

    // The whole conversation goes back, as a stateless server needs it: the output items as they came.
    const second = await bedrock.responses.create({
      model: model(route, "tool"),
      input: [
        question,
        ...first.output,
        { type: "function_call_output", call_id: call.call_id, output: "sunny, 21 °C" },
      ],
      tools: [weather],
    });
    assertConforms("Response", second);
    expect(second.output.some((item) => item.type === "function_call")).toBe(false);
    expect(textOf(second)).toMatch(/the tool answered/);
  });

  it("streamed: the call's events, with the arguments", async () => {
    const all = await events(
      await bedrock.responses.create({
        model: model(route, "tool"),
        input: [question],
        tools: [weather],
        stream: true,
      }),
    );
    const added = all.find(
      (event) => event.type === "response.output_item.added" && event.item.type === "function_call",
    );
    expect(added).toMatchObject({ item: { name: "get_weather", arguments: "", status: "in_progress" } });
    const done = all.find((event) => event.type === "response.function_call_arguments.done");
    if (done?.type !== "response.function_call_arguments.done") throw new Error("no arguments.done");
    expect(JSON.parse(done.arguments)).toEqual({ city: "Paris" });
    const deltas = all.flatMap((event) =>
      event.type === "response.function_call_arguments.delta" ? [event.delta] : [],
    );
    expect(deltas.join("")).toBe(done.arguments);
  });
});

describe("text on both sides of a call", () => {
  it("is one message, then the function call, plain and streamed alike (as the chat content is one)", async () => {
    const { bedrock } = emulated({ models: { writer: echoSaying("qwen3") } });
    const said = TEXT_AROUND_A_CALL;
    const params = { model: "writer", input: said, tools: [weather] } satisfies ResponseCreateParams;
    const plain = await bedrock.responses.create(params);
    assertConforms("Response", plain);
    expect(plain.output.map((item) => item.type)).toEqual(["message", "function_call"]);
    expect(textOf(plain)).toBe("Sure, checking.\n\nDone.");
    expect(plain.output_text).toBe("Sure, checking.\n\nDone.");
    const streamed = finalOf(await events(await bedrock.responses.create({ ...params, stream: true })));
    expect(comparable(streamed)).toEqual(comparable(plain));
  });
});

describe("Claude's signed reasoning through the Responses tool loop (converse)", () => {
  const question = { role: "user" as const, content: "Weather in Paris?" };
  const setup = () =>
    emulated({ models: { think: { model: model("converse", "think", "tool"), reasoning_budget: 2048 } } });

  it.each([false, true])(
    "the reasoning item carries it as encrypted_content, and it goes back signed (streamed: %s)",
    async (stream) => {
      const { bedrock, emulator } = setup();
      const first = stream
        ? finalOf(
            await events(
              await bedrock.responses.create({ model: "think", input: [question], tools: [weather], stream }),
            ),
          )
        : await bedrock.responses.create({ model: "think", input: [question], tools: [weather] });
      assertConforms("Response", first);
      const reasoning = first.output.find((item) => item.type === "reasoning");
      expect(reasoning?.encrypted_content).toMatch(/^[A-Za-z0-9_-]+$/);
      const call = first.output.find((item) => item.type === "function_call");
      if (call?.type !== "function_call") throw new Error("no call");

      // Bedrock refuses Claude's tool turn without its signed reasoning (the emulator does too).
      const second = await bedrock.responses.create({
        model: "think",
        input: [question, ...first.output, { type: "function_call_output", call_id: call.call_id, output: "sunny" }],
        tools: [weather],
      });
      expect(textOf(second)).toMatch(/the tool answered/);
      const body = emulator.stats.lastBody(model("converse", "think", "tool").slice("bedrock/converse/".length)) as {
        messages: Array<{ content: Array<Record<string, unknown>> }>;
      };
      expect(body.messages[1]!.content[0]).toEqual({
        reasoningContent: { reasoningText: { text: reasoningOf(first), signature: expect.any(String) } },
      });
      expect(body.messages[1]!.content[1]).toHaveProperty("toolUse");
    },
  );

  it("the route's refusals advise in the Responses API's words (the third review)", async () => {
    const { bedrock } = setup();
    const refusalOf = async (request: Parameters<typeof bedrock.responses.create>[0]) => {
      const error = await bedrock.responses.create(request).then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      if (!(error instanceof BedrockEdgeError)) throw new Error("expected a refusal");
      return error;
    };
    const small = await refusalOf({
      model: "think",
      input: "Hi",
      max_output_tokens: 100,
      reasoning: { effort: "high" },
    });
    expect(small).toMatchObject({ status: 400, param: "max_output_tokens" });
    expect(small.message).toContain('send reasoning.effort "none"');
    expect(small.message).not.toMatch(/reasoning_effort/);
    // What the caller sent is quoted as sent, whatever Chat calls its own fields.
    const named = await refusalOf({
      model: "think",
      input: "Hi",
      tools: [weather],
      tool_choice: { type: "function", name: "max_tokens" },
    });
    expect(named.message).toContain('"max_tokens"');
  });

  it("an encrypted_content this server did not give out is refused by name", async () => {
    const { bedrock } = setup();
    const refusal = await bedrock.responses
      .create({
        model: "think",
        input: [question, { type: "reasoning", summary: [], encrypted_content: "gAAAAAB-not-ours" }],
      })
      .catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(BedrockEdgeError);
    expect(refusal).toMatchObject({ status: 400, param: "input[1].encrypted_content" });
  });
});

describe.each(routes)("forced tool calls on route %s", (route) => {
  // The emulated model here calls no tool on its own (no `tool` option): a call is the route forcing it.
  const { bedrock } = emulated();
  const input = "Weather in Paris?";
  const choices = [
    ["required", "required"],
    ["a named function", { type: "function", name: "get_weather" }],
  ] as const;

  it.each(choices)("tool_choice %s: the call, plain and streamed", async (_name, tool_choice) => {
    const plain = await bedrock.responses.create({ model: model(route), input, tools: [weather], tool_choice });
    assertConforms("Response", plain);
    expect(plain.tool_choice).toEqual(tool_choice);
    const call = plain.output.find((item) => item.type === "function_call");
    if (call?.type !== "function_call") throw new Error(`no call in ${JSON.stringify(plain.output)}`);
    expect(call.name).toBe("get_weather");
    expect(JSON.parse(call.arguments)).toEqual({ city: expect.any(String) });

    const all = await events(
      await bedrock.responses.create({ model: model(route), input, tools: [weather], tool_choice, stream: true }),
    );
    const done = all.find((event) => event.type === "response.function_call_arguments.done");
    if (done?.type !== "response.function_call_arguments.done") throw new Error("no arguments.done");
    expect(done.name).toBe("get_weather");
    expect(JSON.parse(done.arguments)).toEqual({ city: expect.any(String) });
    expect(all.at(-1)?.type).toBe("response.completed");
  });

  it("a function whose parameters are no object schema is a 400 naming tools[0].parameters.type, before any call (specfuzz46 F1)", async () => {
    const { bedrock: client, emulator } = emulated();
    const tools = [{ ...weather, parameters: { type: "string" } }];
    for (const [, tool_choice] of choices) {
      for (const stream of [false, true]) {
        const error = await client.responses.create({ model: model(route), input, tools, tool_choice, stream }).then(
          () => undefined,
          (e: unknown) => e as BedrockEdgeError,
        );
        expect(error, `stream: ${stream}`).toMatchObject({ status: 400, param: "tools[0].parameters.type" });
        expect(error?.message).toMatch(/^tools\[0\]\.parameters\.type must be "object"/);
      }
    }
    expect(emulator.stats.requests).toHaveLength(0);
  });

  it("without tool_choice the same model answers in text", async () => {
    const plain = await bedrock.responses.create({ model: model(route), input, tools: [weather] });
    expect(plain.output.some((item) => item.type === "function_call")).toBe(false);
    expect(textOf(plain)).toMatch(/Hello from the Bedrock emulator/);
  });
});

describe("a chat_template's refusal", () => {
  it("names the first input item refused so by its input index, not its chat message's (codereview34 #3)", async () => {
    const refusing =
      "{% for m in messages %}{% if 'forbidden' in m.content %}{{ raise_exception('refused') }}{% endif %}" +
      "<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}<|im_start|>assistant\n";
    const { bedrock } = emulated({ models: { own: { model: model("qwen2", "echo"), chat_template: refusing } } });
    const error = await bedrock.responses
      .create({
        model: "own",
        // instructions are the chat's messages[0]: the third item is messages[3].
        instructions: "sys",
        input: [
          { role: "user", content: "a" },
          { role: "assistant", content: "b" },
          { role: "user", content: "forbidden c" },
        ],
      })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status: 400, param: "input" });
    expect((error as Error).message).toContain("the input up to input[2] are refused so already");
  });
});

describe("faults and aborts", () => {
  it("a failure mid-stream: an error event and response.failed, both conforming, nothing after", async () => {
    const { bedrock } = emulated();
    const all = await events(
      await bedrock.responses.create({
        model: model("llama", "midstream-modelStreamErrorException5"),
        input: "Hello",
        stream: true,
      }),
    );
    expect(all.slice(-2).map((event) => event.type)).toEqual(["error", "response.failed"]);
    expect(all.at(-2)).toMatchObject({ type: "error", code: "model_stream_error" });
    const failed = finalOf(all);
    expect(failed).toMatchObject({ status: "failed", error: { code: "server_error" } });
    expect(textOf(failed).length).toBeGreaterThan(0);
  });

  it("throttled before anything was sent: create() rejects with the 429, as chat's does", async () => {
    const { bedrock } = emulated({ maxRetries: 1 });
    const error = await bedrock.responses
      .create({ model: model("llama", "throttle"), input: "Hello", stream: true })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(BedrockEdgeError);
    expect((error as BedrockEdgeError).status).toBe(429);
  });

  it("refusals send nothing upstream and name the Responses field", async () => {
    const { bedrock, emulator } = emulated();
    const stateful = await bedrock.responses
      .create({ model: model("llama"), input: "Hi", previous_response_id: "resp_1" })
      .then(
        () => undefined,
        (e: unknown) => e as BedrockEdgeError,
      );
    expect(stateful).toMatchObject({ status: 400, param: "previous_response_id" });
    // A check made by the chat layer (images must be data URLs), named as the caller sent it.
    const image = await bedrock.responses
      .create({
        model: model("openai"),
        input: [
          { role: "user", content: "Hi" },
          { role: "user", content: [{ type: "input_image", image_url: "https://example.com/x.png", detail: "auto" }] },
        ],
      })
      .then(
        () => undefined,
        (e: unknown) => e as BedrockEdgeError,
      );
    // Every route names the part in its message and the part's URL as the param: both renamed, the
    // URL to input_image's own field (multimodal7 #4).
    expect(image).toMatchObject({ status: 400, param: "input[1].content[0].image_url" });
    const converseImage = await bedrock.responses
      .create({
        model: model("converse"),
        input: [
          { role: "user", content: [{ type: "input_image", image_url: "https://example.com/x.png", detail: "auto" }] },
        ],
      })
      .then(
        () => undefined,
        (e: unknown) => e as BedrockEdgeError,
      );
    expect(converseImage).toMatchObject({ status: 400, param: "input[0].content[0].image_url" });
    expect((converseImage as BedrockEdgeError).message).toMatch(/^input\[0\]\.content\[0\] has an image/);
    expect((converseImage as BedrockEdgeError).message).not.toContain("messages");
    expect(emulator.stats.requests).toHaveLength(0);
  });

  it("user: null is refused as Chat Completions refuses it, plain and streamed, never echoed as null", async () => {
    const { bedrock, emulator } = emulated();
    // What OpenAI's spec and the openai package type as a string, never null.
    const user = null as unknown as string;
    const refusal = (call: Promise<unknown>) =>
      call.then(
        () => undefined,
        (e: unknown) => e as BedrockEdgeError,
      );
    const chat = await refusal(
      bedrock.chat.completions.create({ model: model("llama"), messages: [{ role: "user", content: "Hi" }], user }),
    );
    expect(chat).toMatchObject({ status: 400, param: "user", message: "user must be a string (got null)." });
    for (const stream of [false, true]) {
      const error = await refusal(bedrock.responses.create({ model: model("llama"), input: "Hi", user, stream }));
      expect(error, `stream: ${stream}`).toMatchObject({ status: 400, param: "user", message: chat!.message });
    }
    expect(emulator.stats.requests).toHaveLength(0);
    const response = await bedrock.responses.create({ model: model("llama"), input: "Hi", user: "u-1" });
    assertConforms("Response", response);
    expect(response.user).toBe("u-1");
  });

  it("the fields passed on to chat are typed as chat types them, and an empty content list is no text (specfuzz46 F2)", async () => {
    const { bedrock, emulator } = emulated();
    for (const [field, value] of [
      ["prompt_cache_key", 5],
      ["safety_identifier", 5],
      ["prompt_cache_retention", "forever"],
      ["metadata", 123],
    ] as const) {
      const error = await bedrock.responses
        .create({ model: model("llama"), input: "Hi", [field]: value } as never)
        .then(
          () => undefined,
          (e: unknown) => e as BedrockEdgeError,
        );
      expect(error, field).toMatchObject({ status: 400, param: field });
    }
    expect(emulator.stats.requests).toHaveLength(0);
    // The Responses API's content lists may be empty (chat's may not): such an item is no text.
    const input = [
      { role: "user" as const, content: [] },
      { role: "assistant" as const, content: [] },
      { role: "user" as const, content: "Hi" },
    ];
    expect((await bedrock.responses.create({ model: model("llama"), input })).status).toBe("completed");
  });

  it("chat-only fields that ask for more than one Response holds are refused by name, before any call", async () => {
    const { bedrock, emulator } = emulated();
    const refusal = (fields: Record<string, unknown>) =>
      bedrock.responses.create({ model: model("openai"), input: "hi", ...fields } as ResponseCreateParams).then(
        () => undefined,
        (e: unknown) => e as BedrockEdgeError,
      );
    // Passed on, n: 4 made four choices (usage billed all four) and logprobs came back with none.
    expect(await refusal({ n: 4, logprobs: true })).toMatchObject({ status: 400, param: "n" });
    expect(await refusal({ logprobs: true })).toMatchObject({ status: 400, param: "logprobs" });
    expect(await refusal({ best_of: 2, stream: true })).toMatchObject({ status: 400, param: "best_of" });
    expect(emulator.stats.requests).toHaveLength(0);
  });

  it("an input of reasoning alone makes no message: refused as the input, not as chat's messages", async () => {
    const { bedrock, emulator } = emulated();
    const error = await bedrock.responses
      .create({
        model: model("openai"),
        input: [{ type: "reasoning", summary: [{ type: "summary_text", text: "r" }] }],
      })
      .then(
        () => undefined,
        (e: unknown) => e as BedrockEdgeError,
      );
    expect(error).toMatchObject({ status: 400, param: "input" });
    expect(error?.message).toMatch(/^input must not be empty/);
    expect(emulator.stats.requests).toHaveLength(0);
  });

  it("abort() and a signal end the stream and cancel the upstream call", async () => {
    const { bedrock, emulator } = emulated();
    const stream = await bedrock.responses.create({ model: model("llama", "slow20"), input: "Hello", stream: true });
    let n = 0;
    await expect(async () => {
      for await (const _event of stream) if (++n === 4) stream.abort();
    }).rejects.toThrow(/abort/i);
    await expect.poll(() => emulator.stats.cancelledStreams, { timeout: 1000 }).toBe(1);

    const controller = new AbortController();
    const signalled = await bedrock.responses.create(
      { model: model("llama", "slow20"), input: "Hello", stream: true },
      { signal: controller.signal },
    );
    n = 0;
    await expect(async () => {
      for await (const _event of signalled) if (++n === 4) controller.abort();
    }).rejects.toThrow();
    await expect.poll(() => emulator.stats.cancelledStreams, { timeout: 1000 }).toBe(2);
  });

  it("leaving the loop early cancels the upstream call", async () => {
    const { bedrock, emulator } = emulated();
    const stream = await bedrock.responses.create({ model: model("llama", "slow20"), input: "Hello", stream: true });
    for await (const event of stream) if (event.type === "response.output_text.delta") break;
    await expect.poll(() => emulator.stats.cancelledStreams, { timeout: 1000 }).toBe(1);
  });
});

describe("examples/responses.ts", () => {
  it("runs against the emulator: reasoning, a stream, a tool and its result", async () => {
    const lines: string[] = [];
    await example((line) => lines.push(line));
    expect(lines).toEqual([
      expect.stringMatching(/^reasoning: Okay, the user/),
      expect.stringMatching(/^answer: Hello from the Bedrock emulator \(qwen3\)/),
      expect.stringMatching(/^streamed: Hello from the Bedrock emulator \(llama\).* \(\d+ tokens\)$/),
      expect.stringMatching(/^call: get_weather\(\{"city": ?"Paris"\}\)$/),
      expect.stringMatching(/^after the tool: Thanks, the tool answered/),
    ]);
  });
});

describe("a function_call's arguments are held to the body's limits on shape (codereview23 #1)", () => {
  it("an object of more than 10,000 members in them is a 400 naming the input item, and nothing is sent", async () => {
    const { bedrock, emulator } = emulated({ models: { q: { model: model("qwen3", "echo") } } });
    const wide = `{${Array.from({ length: 10_001 }, (_, i) => `"k${i}":${i}`).join(",")}}`;
    const error = await bedrock.responses
      .create({
        model: "q",
        input: [
          { role: "user", content: "hi" },
          { type: "function_call", call_id: "c1", name: "get_weather", arguments: wide },
          { type: "function_call_output", call_id: "c1", output: "sunny" },
        ],
        tools: [weather],
      })
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    expect(error).toBeInstanceOf(BedrockEdgeError);
    expect(error).toMatchObject({
      status: 400,
      param: "input[1].arguments",
      message: "input[1].arguments holds an object of more than 10000 members.",
    });
    expect(emulator.stats.requests).toHaveLength(0);
  });
});
