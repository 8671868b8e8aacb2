import { describe, expect, it } from "vitest";
import { bedrockException } from "../src/bedrock-errors.ts";
import { onFakeClock, passMs } from "../test/helpers/fake-clock.ts";
import type { ChatCompletionChunk } from "../src/openai/types.ts";
import { sourceOf } from "./delivery.ts";
import type { LogLine, Outcome, RequestLog } from "./log.ts";
import { type ChunkStream, dataEvents, type SseCall, type SseFormat, sseAnswer } from "./sse.ts";

function recordingLog(): RequestLog & { outcomes: Outcome[] } {
  const outcomes: Outcome[] = [];
  const line: LogLine = { time: "", request_id: "req_test", method: "POST", path: "/", status: 0, ms: 0 };
  return {
    line,
    outcomes,
    record: (outcome) => void outcomes.push(outcome),
    addFailedAttempts: () => undefined,
    uncounted: { answer: true, calls: [], attempts: 0 },
    sent: () => undefined,
    tryFailed: () => undefined,
    failedOver: () => undefined,
    callSent: () => undefined,
    firstToken: () => undefined,
    done: Promise.resolve(),
  };
}

function chunk(content: string, usage?: ChatCompletionChunk["usage"]): ChatCompletionChunk {
  return {
    id: "c",
    object: "chat.completion.chunk",
    created: 1,
    model: "m",
    choices: usage ? [] : [{ index: 0, delta: { content }, finish_reason: null }],
    ...(usage ? { usage } : {}),
  };
}

function streamOf<T>(items: T[], failure?: unknown): ChunkStream<T> & { aborted: boolean } {
  const stream = {
    aborted: false,
    abort() {
      stream.aborted = true;
    },
    async *[Symbol.asyncIterator]() {
      for (const item of items) yield item;
      if (failure) throw failure;
    },
  };
  return stream;
}

const chatFormat = (wantsUsage: boolean): SseFormat<ChatCompletionChunk> =>
  dataEvents<ChatCompletionChunk>({
    usage: (c) => c.usage ?? undefined,
    text: (c, add) => {
      for (const { delta } of c.choices) if (delta.content) add(delta.content);
    },
    wantsUsage,
  });

const never = new Promise<void>(() => undefined);

/** Rejects a little later, as the library does once the model's wait budget runs out. */
function failsLater(error: unknown): Promise<never> {
  return new Promise((_, reject) => setTimeout(() => reject(error), 20));
}

/** The answer to a chat stream: an awake model, usage not sent, keep-alives a second apart, unless `call` says otherwise. */
function answer(
  opened: SseCall<ChatCompletionChunk>["opened"],
  call: Partial<SseCall<ChatCompletionChunk>> = {},
): Promise<Response> {
  return sseAnswer({
    opened,
    waking: never,
    format: chatFormat(false),
    keepAliveMs: 1000,
    log: recordingLog(),
    ...call,
  });
}

describe("a stream's finish reasons (observe5 #3)", () => {
  const ending = (...choices: [number, string | null][]): ChatCompletionChunk => ({
    id: "c",
    object: "chat.completion.chunk",
    created: 1,
    model: "m",
    choices: choices.map(([index, finish_reason]) => ({
      index,
      delta: {},
      finish_reason: finish_reason as ChatCompletionChunk["choices"][number]["finish_reason"],
    })),
  });
  const format = dataEvents<ChatCompletionChunk>({
    usage: () => undefined,
    text: () => undefined,
    finishes: (c) => c.choices,
    wantsUsage: false,
  });
  const logged = async (chunks: ChatCompletionChunk[]) => {
    const log = recordingLog();
    await (await answer(Promise.resolve(streamOf(chunks)), { format, log })).text();
    return log.line.finish_reasons;
  };

  it("go to their choice's index, whatever order the choices end in", async () => {
    expect(await logged([ending([2, "length"]), ending([0, null], [1, "stop"]), ending([0, "tool_calls"])])).toEqual([
      "tool_calls",
      "stop",
      "length",
    ]);
  });

  it("leave a choice that never ended null, and place no index far past any request's choices", async () => {
    expect(await logged([ending([1, "stop"]), ending([0, null])])).toEqual([null, "stop"]);
    expect(await logged([ending([0, "stop"], [1e9, "stop"], [-1, "stop"], [0.5, "length"])])).toEqual(["stop"]);
  });

  it("keep all of legacy Completions' most choices, 128 prompts × n 128 (codereview13 #3)", async () => {
    const reasons = await logged([ending([16_383, "length"], [16_384, "stop"])]);
    expect(reasons).toHaveLength(16_384);
    expect(reasons?.at(-1)).toBe("length");
  });
});

describe("a stream that has begun", () => {
  it("goes out chunk by chunk, then [DONE]; its usage is logged and sent only when asked for", async () => {
    const usage = { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 };
    for (const wantsUsage of [false, true]) {
      const log = recordingLog();
      const response = await answer(Promise.resolve(streamOf([chunk("Hi"), chunk(" there"), chunk("", usage)])), {
        format: chatFormat(wantsUsage),
        log,
      });
      expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
      const events = (await response.text()).split("\n\n").filter(Boolean);
      expect(events).toHaveLength(wantsUsage ? 4 : 3);
      expect(events.at(-1)).toBe("data: [DONE]");
      expect(log.outcomes).toEqual([{ usage }]);
    }
  });

  it("says the library's usage: null in every chunk only to a client that asked for usage", async () => {
    for (const wantsUsage of [false, true]) {
      // The proxy always asks the library for usage, so every chunk but the usage chunk says usage: null.
      const chunks = [
        { ...chunk("Hi"), usage: null },
        { ...chunk(" there"), usage: null },
      ];
      const response = await answer(Promise.resolve(streamOf(chunks)), { format: chatFormat(wantsUsage) });
      const data = (await response.text()).split("\n\n").filter((event) => event.startsWith("data: {"));
      expect(data).toHaveLength(2);
      for (const event of data) {
        if (wantsUsage) expect(event).toContain('"usage":null');
        else expect(event).not.toContain('"usage"');
      }
    }
  });

  it("counts what it relays without usage: its chunks, and the characters of their text as they go (relayedtext32)", async () => {
    const log = recordingLog();
    const usage = { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 };
    const pieces = ["Hello", " wor", "ld", "ö", "😀", "", "", ""];
    await (
      await answer(Promise.resolve(streamOf([...pieces.map((piece) => chunk(piece)), chunk("", usage)])), { log })
    ).text();
    // 11 ASCII characters, counted together (3 tokens, where a ceiling per chunk would make 4), and
    // "ö" and the emoji (two code units) a token each; the usage chunk is no chunk of the answer.
    expect(log.relayed).toEqual({ chunks: 8, text: { ascii: 11, other: 2 } });
  });

  it("writes the chunks that are ready together in one piece, encoded once", async () => {
    // Three reads upstream: two chunks, then three, then one (takeBuffered gives the rest of a read).
    const reads = [[chunk("a"), chunk("b")], [chunk("c"), chunk("d"), chunk("e")], [chunk("f")]];
    let read = -1;
    let position = 0;
    const stream: ChunkStream<ChatCompletionChunk> = {
      abort() {},
      takeBuffered() {
        const rest = reads[read]!.slice(position);
        position = reads[read]!.length;
        return rest;
      },
      [Symbol.asyncIterator]: () => ({
        async next() {
          if (read < 0 || position >= reads[read]!.length) {
            read++;
            position = 0;
          }
          const batch = reads[read];
          if (!batch) return { done: true, value: undefined };
          return { done: false, value: batch[position++]! };
        },
      }),
    };
    const response = await answer(Promise.resolve(stream));
    const reader = response.body!.getReader();
    const writes: string[][] = [];
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      const text = new TextDecoder().decode(r.value);
      writes.push(
        text
          .split("\n\n")
          .filter(Boolean)
          .map((event) => (event.startsWith("data: {") ? JSON.parse(event.slice(6)).choices[0].delta.content : event)),
      );
    }
    expect(writes).toEqual([["a", "b"], ["c", "d", "e"], ["f"], ["data: [DONE]"]]);
  });

  it("without takeBuffered, writes chunk by chunk", async () => {
    const response = await answer(Promise.resolve(streamOf([chunk("a"), chunk("b")])));
    const reader = response.body!.getReader();
    let writes = 0;
    while (!(await reader.read()).done) writes++;
    expect(writes).toBe(3);
  });

  it("is kept alive behind comments while Bedrock is silent, and has none while chunks flow (runtimes47 #2)", async () => {
    /** Chunks, each after its pause. */
    const paced = (pauses: number[]): ChunkStream<ChatCompletionChunk> => ({
      abort() {},
      async *[Symbol.asyncIterator]() {
        for (const [i, pause] of pauses.entries()) {
          await new Promise((resolve) => setTimeout(resolve, pause));
          yield chunk(`w${i} `);
        }
      },
    });
    // On a fake clock (setTimeout and performance.now together): on a loaded machine a real 5 ms
    // pause can outlast the 40 ms keep-alive.
    onFakeClock();
    const text = async (pauses: number[], keepAliveMs: number) => {
      const reading = answer(Promise.resolve(paced(pauses)), { keepAliveMs }).then((response) => response.text());
      await passMs(300);
      return reading;
    };
    const flowing = await text([0, 5, 5, 5, 5, 5], 40);
    expect(flowing).not.toMatch(/^:/m);
    expect(flowing.endsWith("data: [DONE]\n\n")).toBe(true);
    const pausing = await text([0, 5, 130, 5], 30);
    const events = pausing.split("\n\n").filter(Boolean);
    const comments = events.filter((event) => event.startsWith(":"));
    // 130 ms of silence, a comment each 30 ms of it.
    expect(comments).toHaveLength(4);
    expect(new Set(comments)).toEqual(new Set([": still waiting for the model"]));
    // All between the second chunk and the third, where Bedrock was silent; the rest as it was.
    expect(events.slice(2, 2 + comments.length)).toEqual(comments);
    expect(events.filter((event) => !event.startsWith(":")).join("\n\n")).toBe(
      (await text([0, 0, 0, 0], 1000)).trimEnd(),
    );
  });

  it("a failure before it began keeps its own status: sseAnswer rejects with it", async () => {
    const throttled = bedrockException("ThrottlingException", "slow down", 429);
    await expect(answer(Promise.reject(throttled))).rejects.toBe(throttled);
  });
});

describe("a failure after the first byte", () => {
  it("goes out through the proxy's mapping (ARNs masked), is logged with its status, and ends without [DONE]", async () => {
    const failure = bedrockException(
      "ModelStreamErrorException",
      "The model arn:aws:bedrock:us-east-1:123456789012:imported-model/x failed",
      424,
    );
    const log = recordingLog();
    const response = await answer(Promise.resolve(streamOf([chunk("Hi")], failure)), { log });
    const events = (await response.text()).split("\n\n").filter(Boolean);
    expect(events).toHaveLength(2);
    expect(events[1]).toContain('"code":"model_stream_error"');
    expect(events[1]).toContain("arn:…");
    expect(events[1]).not.toContain("123456789012");
    expect(log.outcomes).toEqual([{ status: 424, error: failure }]);
  });
});

describe("a cold model", () => {
  it("is waited out behind comments, then its chunks follow", async () => {
    let open: (stream: ChunkStream<ChatCompletionChunk>) => void = () => undefined;
    const opened = new Promise<ChunkStream<ChatCompletionChunk>>((resolve) => (open = resolve));
    const response = await answer(opened, { waking: Promise.resolve(), keepAliveMs: 10 });
    setTimeout(() => open(streamOf([chunk("Hi")])), 60);
    const text = await response.text();
    expect(text.startsWith(": waiting for the model to become ready\n\n")).toBe(true);
    expect(text).toMatch(/^: still waiting for the model$/m);
    expect(text.endsWith('"finish_reason":null}]}\n\ndata: [DONE]\n\n')).toBe(true);
  });

  it("that never comes up ends in an error event mapped like every other proxy error (a 403 is upstream_auth_failed, ARNs masked)", async () => {
    const denied = bedrockException(
      "AccessDeniedException",
      "User: arn:aws:sts::123456789012:assumed-role/Caller/s is not authorized to perform: bedrock:InvokeModel",
      403,
    );
    const log = recordingLog();
    const response = await answer(failsLater(denied), { waking: Promise.resolve(), log });
    const text = await response.text();
    expect(text.startsWith(": waiting for the model to become ready\n\n")).toBe(true);
    const event = JSON.parse(text.split("data: ")[1]!) as { error: { code: string; type: string; message: string } };
    expect(event.error).toMatchObject({ code: "upstream_auth_failed", type: "server_error" });
    expect(event.error.message).not.toContain("123456789012");
    expect(log.outcomes).toEqual([{ status: 502, error: expect.objectContaining({ code: "upstream_auth_failed" }) }]);
  });

  it("an unexpected failure says nothing internal to the client, and the log keeps it whole", async () => {
    const log = recordingLog();
    const internal = new TypeError("secret internals");
    const response = await answer(failsLater(internal), { waking: Promise.resolve(), log });
    const text = await response.text();
    expect(text).not.toContain("secret internals");
    expect(text).toContain('"code":"internal_error"');
    expect(log.outcomes).toEqual([{ status: 500, error: internal }]);
  });
});

describe("a client that goes away", () => {
  it("aborts the upstream stream", async () => {
    const stream = streamOf([chunk("a"), chunk("b"), chunk("c")]);
    const response = await answer(Promise.resolve(stream));
    const reader = response.body!.getReader();
    await reader.read();
    await reader.cancel();
    expect(stream.aborted).toBe(true);
  });
});

describe("a client that goes away while a cold model wakes up", () => {
  it("aborts the upstream stream that opens afterwards", async () => {
    let open: (stream: ChunkStream<ChatCompletionChunk>) => void = () => undefined;
    const opened = new Promise<ChunkStream<ChatCompletionChunk>>((resolve) => (open = resolve));
    const response = await answer(opened, { waking: Promise.resolve() });
    const reader = response.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe(": waiting for the model to become ready\n\n");
    const waiting = reader.read();
    await new Promise((resolve) => setTimeout(resolve, 0)); // the relay now waits for the stream to open
    await reader.cancel();
    await waiting;
    const stream = streamOf([chunk("a")]);
    open(stream);
    await new Promise((resolve) => setTimeout(resolve, 0)); // lets the opening settle
    expect(stream.aborted).toBe(true);
  });

  it("aborts it too when the cut comes between reads, no read waiting on the opening", async () => {
    let open: (stream: ChunkStream<ChatCompletionChunk>) => void = () => undefined;
    const opened = new Promise<ChunkStream<ChatCompletionChunk>>((resolve) => (open = resolve));
    const response = await answer(opened, { waking: Promise.resolve() });
    const source = sourceOf(response.body!);
    await source.read();
    await source.cancel?.("the answer stopped being read");
    const stream = streamOf([chunk("a")]);
    open(stream);
    await new Promise((resolve) => setTimeout(resolve, 0)); // lets the opening settle
    expect(stream.aborted).toBe(true);
  });
});

describe("the relay's last words, for a client cut after going unread (codereview14 #2)", () => {
  it("say the answer was cut here, until the answer's own last word went out: then nothing follows it", async () => {
    const format: SseFormat<ChatCompletionChunk> = {
      ...chatFormat(false),
      end: "",
      last: (c) => c.choices[0]?.delta.content === "the end",
    };
    const response = await answer(Promise.resolve(streamOf([chunk("a"), chunk("the end")])), { format });
    const source = sourceOf(response.body!);
    await source.read();
    const before = source.lastWords?.(10_000);
    expect(new TextDecoder().decode(before)).toMatch(
      /^data: \{"error":\{"message":"The proxy cut this answer off here: it went unread for 10 s, .*"code":"answer_not_read"\}\}\n\n$/,
    );
    const again = await answer(Promise.resolve(streamOf([chunk("a"), chunk("the end")])), { format });
    const relay = sourceOf(again.body!);
    await relay.read();
    await relay.read();
    expect(relay.lastWords?.(10_000)).toBeUndefined();
  });
});
