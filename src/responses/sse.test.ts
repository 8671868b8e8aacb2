import { describe, expect, it } from "vitest";
import type { ResponseEventStream } from "./from-chat.ts";
import { encodeResponseSse, responseSseEvent } from "./sse.ts";
import type { ResponseStreamEvent } from "./types.ts";

const delta = (sequence: number, text: string): ResponseStreamEvent => ({
  type: "response.output_text.delta",
  item_id: "msg_1",
  output_index: 0,
  content_index: 0,
  delta: text,
  logprobs: [],
  sequence_number: sequence,
});

function source(events: ResponseStreamEvent[], failure?: unknown) {
  const state = { aborted: 0 };
  const stream: ResponseEventStream = {
    async *[Symbol.asyncIterator]() {
      yield* events;
      if (failure !== undefined) throw failure;
    },
    abort: () => {
      state.aborted++;
    },
  };
  return { stream, state };
}

describe("Responses events as SSE", () => {
  it("escape what Python's splitlines takes for a line's end (U+0085, U+2028, U+2029), as OpenAI's streams do", () => {
    const event = responseSseEvent(delta(0, "a\u2028b\u2029c\u0085d"));
    expect(event).toContain('"delta":"a\\u2028b\\u2029c\\u0085d"');
    expect(event).not.toMatch(/[\u0085\u2028\u2029]/);
  });

  it("each event named by its type, its JSON as data; no [DONE]", async () => {
    const seen: string[] = [];
    const { stream } = source([delta(0, "Hel"), delta(1, "lo")]);
    const text = await new Response(encodeResponseSse(stream, { onEvent: (event) => seen.push(event.type) })).text();
    expect(text).toBe(
      `event: response.output_text.delta\ndata: ${JSON.stringify(delta(0, "Hel"))}\n\n` +
        `event: response.output_text.delta\ndata: ${JSON.stringify(delta(1, "lo"))}\n\n`,
    );
    expect(seen).toEqual(["response.output_text.delta", "response.output_text.delta"]);
  });

  it("an unexpected failure is a last error event, numbered next, telling nothing internal", async () => {
    const { stream } = source([delta(0, "Hel")], new TypeError("secret internals"));
    const text = await new Response(encodeResponseSse(stream)).text();
    const last = text.trim().split("\n\n").at(-1)!;
    expect(last.split("\n")[0]).toBe("event: error");
    expect(JSON.parse(last.split("\n")[1]!.slice("data: ".length))).toEqual({
      type: "error",
      code: null,
      message: "The stream failed unexpectedly.",
      param: null,
      sequence_number: 1,
    });
  });

  it("cancelling aborts the source", async () => {
    const { stream, state } = source([delta(0, "a"), delta(1, "b")]);
    let cancelled = 0;
    const body = encodeResponseSse(stream, { onCancel: () => cancelled++ });
    const reader = body.getReader();
    await reader.read();
    await reader.cancel();
    expect(state.aborted).toBe(1);
    expect(cancelled).toBe(1);
  });
});
