import { describe, expect, it } from "vitest";
import type { ChatCompletionStream } from "../completion-stream.ts";
import { BedrockEdgeError } from "../errors.ts";
import type { ChatCompletion, ChatCompletionChunk, ChunkDelta, FinishReason, Usage } from "../openai/types.ts";
import { failedResponseEvents, responseEvents, responseFromCompletion } from "./from-chat.ts";
import type { ResponseMeta } from "./output.ts";
import { parseResponsesRequest } from "./request.ts";
import type { Response, ResponseStreamEvent } from "./types.ts";

const meta: ResponseMeta = { id: "resp_test", created_at: 1_700_000_000, model: "demo" };
const usage: Usage = { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 };
const request = (fields: Record<string, unknown> = {}) =>
  parseResponsesRequest({ model: "demo", input: "hi", ...fields });

function chunk(delta: ChunkDelta, finish: FinishReason | null = null): ChatCompletionChunk {
  return {
    id: "chatcmpl-1",
    object: "chat.completion.chunk",
    created: 1,
    model: "demo",
    choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
  };
}

const usageChunk: ChatCompletionChunk = {
  id: "chatcmpl-1",
  object: "chat.completion.chunk",
  created: 1,
  model: "demo",
  choices: [],
  usage,
};

/** A chat stream of `chunks` that then fails with `error`, if given; counts aborts. */
function chatStream(chunks: ChatCompletionChunk[], error?: unknown) {
  const state = { aborts: 0, returned: false };
  const stream: ChatCompletionStream = {
    async *[Symbol.asyncIterator]() {
      try {
        for (const value of chunks) yield value;
        if (error !== undefined) throw error;
      } finally {
        state.returned = true;
      }
    },
    abort() {
      state.aborts++;
    },
  };
  return { stream, state };
}

async function collect(events: AsyncIterable<ResponseStreamEvent>): Promise<ResponseStreamEvent[]> {
  const out: ResponseStreamEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

const finalResponse = (events: ResponseStreamEvent[]): Response => {
  const last = events.at(-1);
  if (!last || !("response" in last)) throw new Error("no final response");
  return last.response;
};

/** The same answer, as a chat.completion and as chunks cut into pieces. */
const answer = {
  reasoning: "Two cities, two calls.",
  content: "Checking.",
  calls: [
    { id: "call_a", name: "get_weather", arguments: '{"city":"Paris"}' },
    { id: "call_b", name: "get_weather", arguments: '{"city":"Rome"}' },
  ],
};

function asCompletion(finish: FinishReason): ChatCompletion {
  return {
    id: "chatcmpl-1",
    object: "chat.completion",
    created: 1,
    model: "demo",
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content: answer.content,
          refusal: null,
          reasoning_content: answer.reasoning,
          tool_calls: answer.calls.map((call) => ({
            id: call.id,
            type: "function",
            function: { name: call.name, arguments: call.arguments },
          })),
        },
        finish_reason: finish,
        logprobs: null,
      },
    ],
    usage,
  };
}

function asChunks(finish: FinishReason): ChatCompletionChunk[] {
  return [
    chunk({ role: "assistant", content: "" }),
    chunk({ reasoning_content: "Two cities, " }),
    chunk({ reasoning_content: "two calls." }),
    chunk({ content: "Check" }),
    chunk({ content: "ing." }),
    ...answer.calls.flatMap((call, index) => [
      chunk({ tool_calls: [{ index, id: call.id, type: "function", function: { name: call.name, arguments: "" } }] }),
      chunk({ tool_calls: [{ index, function: { arguments: call.arguments.slice(0, 5) } }] }),
      chunk({ tool_calls: [{ index, function: { arguments: call.arguments.slice(5) } }] }),
    ]),
    chunk({}, finish),
    usageChunk,
  ];
}

describe("a chat.completion as a Response", () => {
  it("reasoning, message and function calls, in that order, with usage", () => {
    const response = responseFromCompletion(asCompletion("tool_calls"), request(), meta);
    expect(response).toMatchObject({
      id: "resp_test",
      object: "response",
      created_at: 1_700_000_000,
      status: "completed",
      error: null,
      incomplete_details: null,
      model: "demo",
      usage: {
        input_tokens: 11,
        input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
        output_tokens: 7,
        output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: 18,
      },
    });
    expect(response.completed_at).toBeTypeOf("number");
    expect(response.output).toEqual([
      {
        type: "reasoning",
        id: expect.stringMatching(/^rs_/),
        summary: [],
        content: [{ type: "reasoning_text", text: answer.reasoning }],
        status: "completed",
      },
      {
        type: "message",
        id: expect.stringMatching(/^msg_/),
        role: "assistant",
        status: "completed",
        content: [{ type: "output_text", text: "Checking.", annotations: [], logprobs: [] }],
      },
      ...answer.calls.map((call) => ({
        type: "function_call",
        id: expect.stringMatching(/^fc_/),
        call_id: call.id,
        name: call.name,
        arguments: call.arguments,
        status: "completed",
      })),
    ]);
  });

  it("asked for a summary, the reasoning is the summary", () => {
    const response = responseFromCompletion(asCompletion("stop"), request({ reasoning: { summary: "auto" } }), meta);
    expect(response.output[0]).toEqual({
      type: "reasoning",
      id: expect.stringMatching(/^rs_/),
      summary: [{ type: "summary_text", text: answer.reasoning }],
      status: "completed",
    });
    expect(response.reasoning).toEqual({ effort: null, summary: "auto" });
  });

  it("asked for a summary by the deprecated generate_summary, the reasoning is the summary too", () => {
    const asked = request({ reasoning: { generate_summary: "auto" } });
    expect(responseFromCompletion(asCompletion("stop"), asked, meta).output[0]).toEqual({
      type: "reasoning",
      id: expect.stringMatching(/^rs_/),
      summary: [{ type: "summary_text", text: answer.reasoning }],
      status: "completed",
    });
  });

  it("finish_reason length: incomplete, max_output_tokens, the cut item incomplete", () => {
    const completion = asCompletion("length");
    completion.choices[0]!.message = { role: "assistant", content: "Half an ans", refusal: null };
    const response = responseFromCompletion(completion, request({ max_output_tokens: 16 }), meta);
    expect(response.status).toBe("incomplete");
    expect(response.incomplete_details).toEqual({ reason: "max_output_tokens" });
    expect(response.max_output_tokens).toBe(16);
    expect(response).not.toHaveProperty("completed_at");
    expect(response.output).toMatchObject([{ type: "message", status: "incomplete" }]);
  });

  it("content_filter: incomplete, content_filter", () => {
    const response = responseFromCompletion(asCompletion("content_filter"), request(), meta);
    expect(response.incomplete_details).toEqual({ reason: "content_filter" });
  });

  it("usage: the prompt cache's reads and writes as input_tokens_details, 0 for what the chat usage lacks", () => {
    const cached = (details: Usage["prompt_tokens_details"]) =>
      responseFromCompletion(
        { ...asCompletion("stop"), usage: { ...usage, prompt_tokens_details: details } },
        request(),
        meta,
      ).usage?.input_tokens_details;
    expect(cached({ cached_tokens: 4, cache_write_tokens: 3 })).toEqual({ cached_tokens: 4, cache_write_tokens: 3 });
    expect(cached({ cached_tokens: 4 })).toEqual({ cached_tokens: 4, cache_write_tokens: 0 });
  });

  it("an answer that is only reasoning still has a message, empty; no usage is never invented", () => {
    const completion = asCompletion("stop");
    completion.choices[0]!.message = { role: "assistant", content: "", refusal: null, reasoning_content: "Hmm." };
    delete completion.usage;
    const response = responseFromCompletion(completion, request(), meta);
    expect(response.output.map((item) => item.type)).toEqual(["reasoning", "message"]);
    expect(response.output[1]).toMatchObject({ content: [{ type: "output_text", text: "" }] });
    expect(response).not.toHaveProperty("usage");
  });

  it("an answer that is only tool calls is only function_call items: no empty message after them", () => {
    const completion = asCompletion("tool_calls");
    const { tool_calls } = completion.choices[0]!.message;
    completion.choices[0]!.message = { role: "assistant", content: null, refusal: null, tool_calls };
    const response = responseFromCompletion(completion, request(), meta);
    expect(response.output.map((item) => item.type)).toEqual(["function_call", "function_call"]);
  });

  it("echoes the request's settings, as OpenAI does", () => {
    const format = { type: "json_schema", name: "w", schema: { type: "object" }, strict: true };
    const response = responseFromCompletion(
      asCompletion("stop"),
      request({
        instructions: "Be brief.",
        temperature: 0.3,
        top_p: 0.8,
        metadata: { team: "a" },
        parallel_tool_calls: false,
        tools: [{ type: "function", name: "f", description: "F.", parameters: { type: "object" }, strict: true }],
        tool_choice: "required",
        text: { format, verbosity: "low" },
        reasoning: { effort: "high" },
        user: "u-1",
      }),
      meta,
    );
    expect(response).toMatchObject({
      instructions: "Be brief.",
      temperature: 0.3,
      top_p: 0.8,
      metadata: { team: "a" },
      parallel_tool_calls: false,
      tools: [{ type: "function", name: "f", description: "F.", parameters: { type: "object" }, strict: true }],
      tool_choice: "required",
      text: { format, verbosity: "low" },
      reasoning: { effort: "high", summary: null },
      store: false,
      background: false,
      previous_response_id: null,
      truncation: "disabled",
      user: "u-1",
    });
  });
});

describe("a chat stream as Responses events", () => {
  it("the official events, in order, numbered from 0", async () => {
    const { stream } = chatStream(asChunks("tool_calls"));
    const events = await collect(responseEvents(stream, request(), meta));
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
    expect(events.map((event) => event.type)).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
      "response.reasoning_text.delta",
      "response.reasoning_text.delta",
      "response.reasoning_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.output_item.added",
      "response.content_part.added",
      "response.output_text.delta",
      "response.output_text.delta",
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.output_item.added",
      "response.function_call_arguments.delta",
      "response.function_call_arguments.delta",
      "response.output_item.added",
      "response.function_call_arguments.delta",
      "response.function_call_arguments.delta",
      "response.function_call_arguments.done",
      "response.output_item.done",
      "response.function_call_arguments.done",
      "response.output_item.done",
      "response.completed",
    ]);
  });

  it("ends with the Response a plain call returns", async () => {
    const { stream } = chatStream(asChunks("tool_calls"));
    const events = await collect(responseEvents(stream, request(), meta));
    const plain = responseFromCompletion(asCompletion("tool_calls"), request(), meta);
    const streamed = finalResponse(events);
    // Ids are random per call; everything else is the same.
    const withoutIds = (response: Response) => ({
      ...response,
      completed_at: 0,
      output: response.output.map((item) => ({ ...item, id: "" })),
    });
    expect(withoutIds(streamed)).toEqual(withoutIds(plain));
  });

  it("the item events agree with the items: ids, indexes, texts, arguments", async () => {
    const { stream } = chatStream(asChunks("tool_calls"));
    const events = await collect(responseEvents(stream, request(), meta));
    const response = finalResponse(events);
    const done = events.filter((event) => event.type === "response.output_item.done");
    expect(done.map((event) => event.item)).toEqual(
      [...response.output].sort((a, b) => response.output.indexOf(a) - response.output.indexOf(b)).map((item) => item),
    );
    for (const event of events) {
      if ("item_id" in event) {
        const item = response.output[event.output_index];
        expect(item?.id).toBe(event.item_id);
      }
    }
    const added = events.filter((event) => event.type === "response.output_item.added");
    expect(added.map((event) => event.item.status)).toEqual([
      "in_progress",
      "in_progress",
      "in_progress",
      "in_progress",
    ]);
    // The message is added with no content part yet, as OpenAI's is (mutation51: one empty
    // output_text part went unnoticed).
    expect(added[1]).toMatchObject({ item: { type: "message", status: "in_progress", content: [] } });
    expect(added[2]).toMatchObject({
      item: { type: "function_call", call_id: "call_a", name: "get_weather", arguments: "" },
    });
    const argsDone = events.filter((event) => event.type === "response.function_call_arguments.done");
    expect(argsDone.map((event) => [event.name, event.arguments])).toEqual(
      answer.calls.map((call) => [call.name, call.arguments]),
    );
    const created = events[0];
    expect(created).toMatchObject({ type: "response.created", response: { status: "in_progress", output: [] } });
  });

  it("summary mode streams the reasoning as summary events", async () => {
    const { stream } = chatStream([
      chunk({ reasoning_content: "Hm" }),
      chunk({ reasoning_content: "m." }),
      chunk({ content: "Hi" }, "stop"),
    ]);
    const events = await collect(responseEvents(stream, request({ reasoning: { summary: "detailed" } }), meta));
    expect(events.slice(2, 9).map((event) => event.type)).toEqual([
      "response.output_item.added",
      "response.reasoning_summary_part.added",
      "response.reasoning_summary_text.delta",
      "response.reasoning_summary_text.delta",
      "response.reasoning_summary_text.done",
      "response.reasoning_summary_part.done",
      "response.output_item.done",
    ]);
    expect(events[6]).toMatchObject({ text: "Hmm.", summary_index: 0 });
  });

  it("length: the open item is incomplete and response.incomplete ends the stream", async () => {
    const { stream } = chatStream([chunk({ content: "Half" }), chunk({}, "length"), usageChunk]);
    const events = await collect(responseEvents(stream, request(), meta));
    const last = events.at(-1);
    expect(last?.type).toBe("response.incomplete");
    expect(finalResponse(events)).toMatchObject({
      status: "incomplete",
      incomplete_details: { reason: "max_output_tokens" },
      output: [{ type: "message", status: "incomplete" }],
      usage: { input_tokens: 11, output_tokens: 7 },
    });
  });

  it("a failure after the first event: the error event, then response.failed with what came before", async () => {
    const failure = new BedrockEdgeError({ status: 424, code: "model_stream_error", message: "The model broke." });
    const { stream } = chatStream([chunk({ content: "Part" })], failure);
    const errors: unknown[] = [];
    const events = await collect(responseEvents(stream, request(), meta, { onError: (error) => errors.push(error) }));
    expect(errors).toEqual([failure]);
    expect(events.slice(-2)).toEqual([
      { type: "error", code: "model_stream_error", message: "The model broke.", param: null, sequence_number: 5 },
      {
        type: "response.failed",
        sequence_number: 6,
        response: expect.objectContaining({
          status: "failed",
          error: { code: "server_error", message: "The model broke." },
          output: [expect.objectContaining({ type: "message", status: "incomplete" })],
        }),
      },
    ]);
  });

  it("throttling mid-stream is rate_limit_exceeded; the error body is the caller's to shape", async () => {
    const failure = new BedrockEdgeError({ status: 429, code: "rate_limit_exceeded", message: "arn:aws:x slow down" });
    const { stream } = chatStream([chunk({ content: "Part" })], failure);
    const events = await collect(
      responseEvents(stream, request(), meta, {
        errorBody: () => ({ error: { message: "scrubbed", type: "rate_limit_error", param: null, code: "throttled" } }),
      }),
    );
    expect(events.at(-2)).toMatchObject({ type: "error", code: "throttled", message: "scrubbed" });
    expect(finalResponse(events).error).toEqual({ code: "rate_limit_exceeded", message: "scrubbed" });
  });

  it("a failure before the answer began, in a stream already begun: created and in_progress, then error and failed", () => {
    const failure = new BedrockEdgeError({ status: 429, code: "model_not_ready", message: "Still asleep." });
    const events = failedResponseEvents(request({ instructions: "Be brief." }), meta, failure);
    expect(events.map((event) => [event.type, event.sequence_number])).toEqual([
      ["response.created", 0],
      ["response.in_progress", 1],
      ["error", 2],
      ["response.failed", 3],
    ]);
    expect(events[0]).toMatchObject({
      response: { id: "resp_test", status: "in_progress", instructions: "Be brief." },
    });
    expect(events[2]).toEqual({
      type: "error",
      code: "model_not_ready",
      message: "Still asleep.",
      param: null,
      sequence_number: 2,
    });
    expect(finalResponse(events)).toMatchObject({
      id: "resp_test",
      status: "failed",
      error: { code: "rate_limit_exceeded", message: "Still asleep." },
      output: [],
    });
    const scrubbed = failedResponseEvents(request(), meta, failure, () => ({
      error: { message: "scrubbed", type: "rate_limit_error", param: null, code: "model_not_ready" },
    }));
    expect(scrubbed[2]).toMatchObject({ type: "error", message: "scrubbed" });
  });

  it("every Response an event carries is on the standard access program (access_programs: null), as a plain one", async () => {
    const ended = await Promise.all(
      [asChunks("stop"), [chunk({ content: "Half" }), chunk({}, "length")]].map((chunks) =>
        collect(responseEvents(chatStream(chunks).stream, request(), meta)),
      ),
    );
    const failure = new BedrockEdgeError({ status: 503, code: "service_unavailable", message: "Down." });
    const failed = await collect(
      responseEvents(chatStream([chunk({ content: "Part" })], failure).stream, request(), meta),
    );
    const all = [...ended, failed, failedResponseEvents(request(), meta, failure)].flat();
    const carried = all.flatMap((event) => ("response" in event ? [[event.type, event.response.access_programs]] : []));
    expect(new Set(carried.map(([type]) => type))).toEqual(
      new Set([
        "response.created",
        "response.in_progress",
        "response.completed",
        "response.incomplete",
        "response.failed",
      ]),
    );
    expect(carried.filter(([, programs]) => programs !== null)).toEqual([]);
    expect(responseFromCompletion(asCompletion("stop"), request(), meta).access_programs).toBeNull();
  });

  it("an unexpected error tells nothing internal", async () => {
    const { stream } = chatStream([], new TypeError("secret internals"));
    const events = await collect(responseEvents(stream, request(), meta));
    expect(events.at(-2)).toMatchObject({ type: "error", message: "The stream failed unexpectedly." });
  });

  it("the caller's abort is not a failure: it is thrown, like the chat stream's", async () => {
    const controller = new AbortController();
    const reason = new DOMException("stop", "AbortError");
    const { stream } = chatStream([chunk({ content: "Part" })], reason);
    controller.abort(reason);
    const events: ResponseStreamEvent[] = [];
    await expect(async () => {
      for await (const event of responseEvents(stream, request(), meta, { signal: controller.signal }))
        events.push(event);
    }).rejects.toBe(reason);
    expect(events.some((event) => event.type === "error" || event.type === "response.failed")).toBe(false);
  });

  it("abort() aborts the chat stream; leaving early releases it, even before the first chunk", async () => {
    const first = chatStream(asChunks("stop"));
    const events = responseEvents(first.stream, request(), meta);
    events.abort();
    expect(first.state.aborts).toBe(1);

    const second = chatStream(asChunks("stop"));
    for await (const event of responseEvents(second.stream, request(), meta)) {
      if (event.type === "response.created") break;
    }
    expect(second.state.aborts).toBe(1);

    const third = chatStream(asChunks("stop"));
    for await (const event of responseEvents(third.stream, request(), meta)) {
      if (event.type === "response.output_text.delta") break;
    }
    expect(third.state.returned).toBe(true);
  });

  it("can be iterated once", async () => {
    const { stream } = chatStream([chunk({ content: "x" }, "stop")]);
    const events = responseEvents(stream, request(), meta);
    await collect(events);
    expect(() => events[Symbol.asyncIterator]()).toThrow(/only once/);
  });
});
