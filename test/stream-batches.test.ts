// A read of Bedrock's stream often brings several frames: the chunks they make are handed over
// together by takeBuffered(), so that a server writes them in one piece. Nothing is lost,
// repeated or reordered, and takeBuffered never waits for the network.
import { describe, expect, it } from "vitest";
import type { ChatCompletionChunk } from "../src/index.ts";
import { emulated, model } from "./helpers/emulated.ts";

const request = { model: model("llama", "long12"), messages: [{ role: "user" as const, content: "Hi" }] };

/** The emulator's streamed answer, served as the given cut: each piece one read. */
function servedInPieces(cut: (body: Uint8Array) => Array<{ bytes: Uint8Array; delayMs?: number }>) {
  const { emulator } = emulated();
  return emulated({
    fetch: async (input, init) => {
      const answer = await emulator.fetch(new Request(input, init));
      const pieces = cut(new Uint8Array(await answer.arrayBuffer()));
      let next = 0;
      const body = new ReadableStream<Uint8Array>(
        {
          async pull(controller) {
            const piece = pieces[next++];
            if (!piece) return controller.close();
            if (piece.delayMs) await new Promise((resolve) => setTimeout(resolve, piece.delayMs));
            controller.enqueue(piece.bytes);
          },
        },
        { highWaterMark: 0 },
      );
      return new Response(body, { status: answer.status, headers: answer.headers });
    },
  }).bedrock;
}

const texts = (chunks: ChatCompletionChunk[]) => chunks.map((c) => [c.choices[0]?.delta, c.choices[0]?.finish_reason]);

describe("takeBuffered", () => {
  it("hands over every chunk of a read at once; iteration goes on after them", async () => {
    const whole = servedInPieces((bytes) => [{ bytes }]);
    const expected: ChatCompletionChunk[] = [];
    for await (const chunk of await whole.chat.completions.create({ ...request, stream: true })) expected.push(chunk);

    const stream = await servedInPieces((bytes) => [{ bytes }]).chat.completions.create({ ...request, stream: true });
    const iterator = stream[Symbol.asyncIterator]();
    const first = await iterator.next();
    const batch = stream.takeBuffered?.() ?? [];
    expect(batch.length).toBeGreaterThan(10);
    expect(stream.takeBuffered?.()).toEqual([]);
    const rest: ChatCompletionChunk[] = [];
    for (let item = await iterator.next(); !item.done; item = await iterator.next()) rest.push(item.value);
    expect(texts([first.value as ChatCompletionChunk, ...batch, ...rest])).toEqual(texts(expected));
  });

  it("never waits: what the next read will bring is not buffered yet", async () => {
    const bedrock = servedInPieces((bytes) => [
      { bytes: bytes.subarray(0, bytes.byteLength >> 1) },
      { bytes: bytes.subarray(bytes.byteLength >> 1), delayMs: 200 },
    ]);
    const stream = await bedrock.chat.completions.create({ ...request, stream: true });
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    expect(stream.takeBuffered).toBeTypeOf("function");
    // An array, not a promise of one: it cannot wait for a read, whatever the machine's speed.
    const batch = stream.takeBuffered!();
    expect(Array.isArray(batch)).toBe(true);
    // The second half's chunks come only from iteration, after its read.
    const later = await iterator.next();
    expect(later.done).toBe(false);
    expect(batch.some((chunk) => chunk.choices[0]?.finish_reason)).toBe(false);
  });
});
