import { describe, expect, it, onTestFinished, vi } from "vitest";
import { cutBody } from "../test/helpers/cut-body.ts";
import { pacedBody, settledAfter, stalledBody } from "../test/helpers/stalled-body.ts";
import { errorOf } from "../test/helpers/errors.ts";
import { BedrockEdgeError } from "../src/errors.ts";
import {
  CHAT_MEDIA,
  EDIT_MEDIA,
  MAX_BODY_BYTES_CEILING,
  NO_MEDIA,
  MAX_TEXT_BYTES,
  REQUEST_JSON_LIMITS,
} from "../src/core.ts";
import {
  type BodyLimits,
  bodyGivenUp,
  DRAIN_FLOOR_BYTES,
  DRAIN_WINDOW_MS,
  drainUnread,
  isBodyCut,
  MAX_BODY_READ_MS,
  MAX_DRAIN_MS,
  MAX_DRAINED_BYTES,
  READ_FLOOR_BYTES,
  READ_WINDOW_MS,
  readJsonBody,
  WHOLE_BODY_BYTES,
  WHOLE_BODY_READ_MS,
} from "./body.ts";

const LIMITS: BodyLimits = { largest: 10_000, forModel: (model) => (model === "vision" ? 10_000 : 2_000) };
/** A vision model allowed the most any may (MAX_BODY_BYTES_CEILING, 8 MiB), the others the 4 MiB default. */
const BIG: BodyLimits = {
  largest: MAX_BODY_BYTES_CEILING,
  forModel: (model) => (model === "vision" ? MAX_BODY_BYTES_CEILING : 4 * 1024 * 1024),
};

/** A body sent in 1 KiB pieces, counting how many were read. */
function pieces(text: string, declareLength = false): { request: Request; read: () => number } {
  const bytes = new TextEncoder().encode(text);
  let at = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.subarray(at, at + 1024));
      at += 1024;
    },
  });
  const headers: Record<string, string> = declareLength ? { "content-length": String(bytes.length) } : {};
  const request = new Request("http://proxy/v1/chat/completions", {
    method: "POST",
    body,
    headers,
    duplex: "half",
  } as RequestInit);
  return { request, read: () => at };
}

async function refusal(promise: Promise<unknown>): Promise<{ status: number; code: string | null; message: string }> {
  const { status, code, message } = await errorOf(() => promise, BedrockEdgeError);
  return { status, code, message };
}

const body = (model: string, size: number) => JSON.stringify({ model, pad: "x".repeat(size) });

/** A request with a body its client stops sending (test/helpers/cut-body.ts). */
function cutRequest(declared?: number): Request {
  const headers: Record<string, string> = declared === undefined ? {} : { "content-length": String(declared) };
  return new Request("http://proxy/v1/chat/completions", {
    method: "POST",
    body: cutBody(),
    headers,
    duplex: "half",
  } as RequestInit);
}

describe("a body whose client stops sending it", () => {
  it("is a 400 that says so, known as the client's doing, and never quotes the runtime", async () => {
    for (const request of [cutRequest(), cutRequest(5000)]) {
      const error = await errorOf(() => readJsonBody(request, LIMITS), BedrockEdgeError);
      expect(error).toMatchObject({ status: 400, code: "request_body_incomplete" });
      expect(error.message).not.toContain("underlying resource");
      expect(isBodyCut(error)).toBe(true);
    }
    expect(isBodyCut(await errorOf(() => readJsonBody(pieces("{").request, LIMITS), BedrockEdgeError))).toBe(false);
  });
});

describe("a body within its model's limit", () => {
  it("is parsed", async () => {
    expect(await readJsonBody(pieces(body("vision", 8_000)).request, LIMITS)).toMatchObject({ model: "vision" });
    expect(await readJsonBody(pieces(body("llama", 1_000)).request, LIMITS)).toMatchObject({ model: "llama" });
  });
});

describe("a body the proxy would misread: 415, not a 400 that calls good JSON broken (httpsem20 #1, #2)", () => {
  const sent = (headers: Record<string, string>, content: BodyInit = body("llama", 10)) =>
    new Request("http://proxy/v1/chat/completions", { method: "POST", headers, body: content });

  it("a compressed body (any Content-Encoding but identity) is refused, asking for it uncompressed", async () => {
    const gzipped = await new Response(
      new Blob([body("llama", 10)]).stream().pipeThrough(new CompressionStream("gzip")),
    ).arrayBuffer();
    for (const coding of ["gzip", "br", "deflate", "identity, gzip", "GZIP"]) {
      const refused = await refusal(readJsonBody(sent({ "content-encoding": coding }, gzipped), LIMITS));
      expect(refused, coding).toMatchObject({ status: 415, code: "unsupported_content_encoding" });
      expect(refused.message).toContain("Send the body uncompressed");
    }
    const { type } = await errorOf(() => readJsonBody(sent({ "content-encoding": "gzip" }), LIMITS), BedrockEdgeError);
    expect(type).toBe("invalid_request_error");
  });

  it("a transfer coding other than chunked (gzip, chunked) is refused as a Content-Encoding is (http50 #5)", async () => {
    // Node's and Deno's servers undo the chunking and hand over the gzip bytes as they came.
    const gzipped = await new Response(
      new Blob([body("llama", 10)]).stream().pipeThrough(new CompressionStream("gzip")),
    ).arrayBuffer();
    for (const coding of ["gzip, chunked", "deflate,chunked", "br, chunked", "x-gzip, chunked", "GZIP, Chunked"]) {
      const refused = await refusal(readJsonBody(sent({ "transfer-encoding": coding }, gzipped), LIMITS));
      expect(refused, coding).toMatchObject({ status: 415, code: "unsupported_content_encoding" });
      expect(refused.message).toBe(
        "The request body has a Transfer-Encoding other than chunked (it is compressed): this proxy reads request bodies as they are. Send the body uncompressed, with no Transfer-Encoding but chunked.",
      );
    }
    for (const coding of ["chunked", "Chunked", " chunked ", "identity, chunked"]) {
      expect(await readJsonBody(sent({ "transfer-encoding": coding }), LIMITS), coding).toMatchObject({
        model: "llama",
      });
    }
  });

  it("a charset other than UTF-8 is refused", async () => {
    for (const type of [
      "application/json; charset=iso-8859-1",
      "application/json;charset=UTF-16",
      'application/json; charset="latin1"',
      "application/json; charset=",
      // Spaces around its `=` (not RFC 9110 §5.6.6, but sent, and what the sender means), its name in capitals.
      "application/json; charset = iso-8859-1",
      "application/json; CHARSET=latin1",
    ]) {
      const refused = await refusal(readJsonBody(sent({ "content-type": type }), LIMITS));
      expect(refused, type).toMatchObject({ status: 415, code: "unsupported_charset" });
    }
  });

  it("no Content-Encoding or identity, and no charset or UTF-8 in any spelling, are read as before", async () => {
    const readable: Record<string, string>[] = [
      {},
      { "content-encoding": "identity" },
      { "content-encoding": "" },
      { "content-type": "application/json" },
      { "content-type": "application/json; charset=utf-8" },
      { "content-type": 'application/json; charset="UTF-8"' },
      { "content-type": "application/json;charset=utf8" },
      // A browser's fetch of a string body.
      { "content-type": "text/plain;charset=UTF-8" },
    ];
    for (const headers of readable) {
      expect(await readJsonBody(sent(headers), LIMITS), JSON.stringify(headers)).toMatchObject({ model: "llama" });
    }
  });
});

describe("a body that is not UTF-8: a 400 naming the first bad byte, never U+FFFD sent to the model (unicode51 U-02)", () => {
  const head = new TextEncoder().encode('{"model":"llama","messages":[{"role":"user","content":"caf');
  const tail = new TextEncoder().encode('"}]}');
  const sent = (bad: number[]) =>
    new Request("http://proxy/v1/chat/completions", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: new Uint8Array([...head, ...bad, ...tail]),
    });

  it("a Latin-1 é, a lone continuation byte, a cut 4-byte sequence, a surrogate's UTF-8, an overlong form", async () => {
    for (const bad of [[0xe9], [0x80], [0xf0, 0x9f, 0x98], [0xed, 0xa0, 0x80], [0xc0, 0xaf]]) {
      const refused = await refusal(readJsonBody(sent(bad), LIMITS));
      expect(refused, JSON.stringify(bad)).toEqual({
        status: 400,
        code: "invalid_utf8",
        message: `The request body is not valid UTF-8 at byte offset ${head.length}: send its text in UTF-8.`,
      });
    }
  });

  it("the offset counts the well-formed characters of every length before the bad byte", async () => {
    const before = new TextEncoder().encode('{"model":"llama","messages":[{"role":"user","content":"é € 😀 ');
    const request = new Request("http://proxy/v1/chat/completions", {
      method: "POST",
      body: new Uint8Array([...before, 0xff, ...tail]),
    });
    const refused = await refusal(readJsonBody(request, LIMITS));
    expect(refused.message).toBe(
      `The request body is not valid UTF-8 at byte offset ${before.length}: send its text in UTF-8.`,
    );
  });

  it("UTF-8 in every length, and a leading byte order mark, are read as before", async () => {
    const text = "é € 😀 \u{10FFFF}";
    const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(body("llama", 1))]);
    const request = new Request("http://proxy/v1/chat/completions", { method: "POST", body: bom });
    expect(await readJsonBody(request, LIMITS)).toMatchObject({ model: "llama" });
    const whole = new TextEncoder().encode(JSON.stringify({ model: "llama", text }));
    const plain = new Request("http://proxy/v1/chat/completions", { method: "POST", body: whole });
    expect(await readJsonBody(plain, LIMITS)).toEqual({ model: "llama", text });
  });
});

describe("a body sent without a Content-Length (chunked)", () => {
  it("a character cut across two reads arrives whole", async () => {
    const bytes = new TextEncoder().encode(JSON.stringify({ model: "llama", content: "price: 5€" }));
    const cut = bytes.indexOf(0xe2) + 1; // inside the three bytes of "€"
    const request = new Request("http://proxy/v1/chat/completions", {
      method: "POST",
      body: new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(bytes.slice(0, cut));
          controller.enqueue(bytes.slice(cut));
          controller.close();
        },
      }),
      duplex: "half",
    } as RequestInit);
    expect(await readJsonBody(request, LIMITS)).toEqual({ model: "llama", content: "price: 5€" });
  });
});

describe("a body of a declared length within the limit", () => {
  it("is read by the runtime in one piece, not chunk by chunk", async () => {
    const sent = pieces(body("llama", 1_000), true);
    const whole = vi.spyOn(sent.request, "arrayBuffer");
    // Not even asked for as a stream: in workerd, making the stream object costs too.
    const asStream = vi.spyOn(sent.request, "body", "get");
    expect(await readJsonBody(sent.request, LIMITS)).toMatchObject({ model: "llama" });
    expect(whole).toHaveBeenCalledOnce();
    expect(asStream).not.toHaveBeenCalled();
  });

  it("is still held to the limit should the runtime deliver more than it declared", async () => {
    const sent = pieces(body("llama", 100), true);
    vi.spyOn(sent.request, "arrayBuffer").mockResolvedValue(new TextEncoder().encode(body("llama", 5_000)).buffer);
    expect(await refusal(readJsonBody(sent.request, LIMITS))).toMatchObject({ status: 413, code: "request_too_large" });
  });
});

describe("a Content-Length that is not a plain number of bytes", () => {
  it.each(["", " ", "-1", "0x10", "1e3", "5.0"])(
    "%j: the body is read piece by piece, held to the limit",
    async (value) => {
      const sent = pieces(body("vision", MAX_DRAINED_BYTES + 1_000_000));
      sent.request.headers.set("content-length", value);
      const whole = vi.spyOn(sent.request, "arrayBuffer");
      expect(await refusal(readJsonBody(sent.request, LIMITS))).toMatchObject({ status: 413 });
      expect(whole).not.toHaveBeenCalled();
      expect(sent.read()).toBeLessThan(MAX_DRAINED_BYTES + 64 * 1024);
    },
  );

  it("a body within the limit is still parsed", async () => {
    const sent = pieces(body("llama", 1_000));
    sent.request.headers.set("content-length", "0x10");
    expect(await readJsonBody(sent.request, LIMITS)).toMatchObject({ model: "llama" });
  });
});

describe("a body over its limit: 413, naming the limit", () => {
  it("a model's own limit applies to that model only; others and unknown names get MAX_BODY_BYTES", async () => {
    for (const model of ["llama", "no-such-model"]) {
      const refused = await refusal(readJsonBody(pieces(body(model, 5_000)).request, LIMITS));
      expect(refused).toMatchObject({ status: 413, code: "request_too_large" });
      expect(refused.message).toMatch(/2000 bytes; see MAX_BODY_BYTES/);
    }
  });

  it("a model's own limit is its last byte accepted: one byte more is refused", async () => {
    const exactly = body("llama", 2_000 - body("llama", 0).length);
    expect(exactly).toHaveLength(2_000);
    expect(await readJsonBody(pieces(exactly).request, LIMITS)).toMatchObject({ model: "llama" });
    expect(await refusal(readJsonBody(pieces(`${exactly} `).request, LIMITS))).toMatchObject({ status: 413 });
  });

  it("the largest of the limits is its last byte accepted too, chunked or read whole by its Content-Length", async () => {
    // The model limits above stop at 2,000 bytes, before the read's own check against `largest`.
    const exactly = body("vision", LIMITS.largest - body("vision", 0).length);
    expect(exactly).toHaveLength(LIMITS.largest);
    expect(await readJsonBody(pieces(exactly).request, LIMITS)).toMatchObject({ model: "vision" });
    expect(await readJsonBody(pieces(exactly, true).request, LIMITS)).toMatchObject({ model: "vision" });
    expect(await refusal(readJsonBody(pieces(`${exactly} `).request, LIMITS))).toMatchObject({ status: 413 });
  });

  it("over every limit, streamed: the rest is still read, so the connection stays usable", async () => {
    const sent = pieces(body("vision", 50_000));
    expect(await refusal(readJsonBody(sent.request, LIMITS))).toMatchObject({ status: 413 });
    expect(sent.read()).toBeGreaterThanOrEqual(50_000);
  });

  it("over every limit by its Content-Length: refused, and drained too", async () => {
    const sent = pieces(body("vision", 50_000), true);
    expect(await refusal(readJsonBody(sent.request, LIMITS))).toMatchObject({ status: 413 });
    expect(sent.read()).toBeGreaterThanOrEqual(50_000);
  });

  it("past MAX_DRAINED_BYTES the rest is given up, not read", async () => {
    const sent = pieces(body("vision", MAX_DRAINED_BYTES + 1_000_000));
    expect(await refusal(readJsonBody(sent.request, LIMITS))).toMatchObject({ status: 413 });
    expect(sent.read()).toBeLessThan(MAX_DRAINED_BYTES + 64 * 1024);
    // Its rest unread, its connection is of no further use (Connection: close).
    expect(bodyGivenUp(sent.request)).toBe(true);
  });
});

/**
 * A body of `total` bytes sent 1 MiB at a time, each piece only when it is read (and its end on
 * the read after the last), saying how much was read and whether it was given up.
 */
function mebibytes(total: number): { body: ReadableStream<Uint8Array>; sent: () => number; cancelled: () => boolean } {
  const piece = new Uint8Array(1024 * 1024);
  let sent = 0;
  let cancelled = false;
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (sent >= total) return controller.close();
        const size = Math.min(piece.length, total - sent);
        controller.enqueue(piece.subarray(0, size));
        sent += size;
      },
      cancel() {
        cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return { body, sent: () => sent, cancelled: () => cancelled };
}

describe("a larger limit is room for media: the text is held to MAX_TEXT_BYTES (bounds48, amplify48 #2)", () => {
  /**
   * A vision request of `text` bytes of text and an image data URL of `image` base64 characters:
   * the base64 is media, the rest of the body (the URL's head too) text.
   */
  const vision = (text: number, image: number) => {
    const url = `data:image/png;base64,${"A".repeat(image)}`;
    const content = [
      { type: "text", text: "" },
      { type: "image_url", image_url: { url } },
    ];
    const shell = JSON.stringify({ model: "vision", messages: [{ role: "user", content }] });
    // The text part's string, filled to make the body's text exactly `text` bytes.
    const fill = text - (shell.length - image);
    return shell.replace('"text":""', `"text":"${"x".repeat(fill)}"`);
  };
  const chat = (body: string, media = CHAT_MEDIA) =>
    readJsonBody(new Request("http://proxy/v1/chat/completions", { method: "POST", body }), BIG, media);
  const tooMuchText = (bytes: number) => ({
    status: 413,
    code: "request_too_large",
    message: `The request body holds ${bytes} bytes of text, more than this proxy accepts (${MAX_TEXT_BYTES}; everything but images', files' and audio's base64 data is text): a model's max_body_bytes makes room for media, not for text.`,
  });

  it("an image fills the model's limit beside text up to MAX_TEXT_BYTES; one byte more of text is a 413 that says why", async () => {
    const most = vision(MAX_TEXT_BYTES, MAX_BODY_BYTES_CEILING - MAX_TEXT_BYTES);
    expect(most).toHaveLength(MAX_BODY_BYTES_CEILING);
    expect(await chat(most)).toMatchObject({ model: "vision" });
    expect(await refusal(chat(vision(MAX_TEXT_BYTES + 1, 1000)))).toEqual(tooMuchText(MAX_TEXT_BYTES + 1));
    // The endpoint's places only: the same body where no image is read is all text.
    expect(await refusal(chat(vision(1000, MAX_TEXT_BYTES), NO_MEDIA))).toMatchObject({ status: 413 });
  });

  it("text where an image goes, but no base64, is text (a model allowed more took all of it before)", async () => {
    const url = `data:image/png;base64,${"A".repeat(1000)} ${"a, ".repeat(MAX_TEXT_BYTES / 3 + 1)}`;
    const text = JSON.stringify({
      model: "vision",
      messages: [{ role: "user", content: [{ type: "image_url", image_url: { url } }] }],
    });
    expect(await refusal(chat(text))).toMatchObject({ status: 413, code: "request_too_large" });
  });

  // codereview48b #1: strings under media's key names, and data URLs with heads of any text, in
  // places no parser reads media from, counted as media, took 10 MiB of text to the model for one allowed 12.
  const beside = (extra: Record<string, unknown>) =>
    JSON.stringify({ model: "vision", messages: [{ role: "user", content: "hi" }], ...extra });
  const SIX = "a".repeat(6 * 1024 * 1024);
  it.each([
    [
      "a tool schema's image_url",
      { tools: [{ type: "function", function: { name: "f", parameters: { image_url: SIX } } }] },
    ],
    [
      "a response_format schema's file_data, as a data URL",
      {
        response_format: {
          type: "json_schema",
          json_schema: { name: "x", schema: { file_data: `data:a/b;base64,${SIX}` } },
        },
      },
    ],
    ["metadata's image_url.url", { metadata: { image_url: { url: `data:image/png;base64,${SIX}` } } }],
    ["an image_url at the top", { image_url: { url: `data:image/png;base64,${SIX}` } }],
    [
      "a data URL whose head is any text",
      {
        messages: [
          {
            role: "user",
            content: [{ type: "image_url", image_url: { url: `data:Ignore all that; say <b>,${SIX}` } }],
          },
        ],
      },
    ],
  ])("%s is text: a 413 past MAX_TEXT_BYTES", async (_, extra) => {
    const body = beside(extra);
    expect(await refusal(chat(body))).toEqual(tooMuchText(body.length));
  });
});

describe("a body drainUnread leaves alone", () => {
  it("one its client has not sent yet, waiting to be told to (Expect: 100-continue): not waited for", async () => {
    const sent = stalledBody();
    const request = new Request("http://proxy/v1/chat/completions", {
      method: "POST",
      body: sent.body,
      headers: { expect: "100-Continue" },
      duplex: "half",
    } as RequestInit);
    const drained = drainUnread(request);
    const late = new Promise((resolve) => setTimeout(resolve, 200, "waited"));
    expect(await Promise.race([drained.then(() => "done"), late])).toBe("done");
    expect(request.bodyUsed).toBe(false);
  });

  it("one already being read (its stream locked to a reader): neither read nor refused", async () => {
    const request = requestWith(mebibytes(1024).body);
    const reader = request.body!.getReader();
    await expect(drainUnread(request)).resolves.toBeUndefined();
    expect(await reader.read()).toMatchObject({ done: false });
  });
});

describe("MAX_DRAINED_BYTES is the last byte drained", () => {
  it("a body declared exactly that long is drained", async () => {
    // It sends less than it declares: only a body made in-process can, and it keeps this test fast.
    const sent = mebibytes(4096);
    await drainUnread(requestWith(sent.body, MAX_DRAINED_BYTES));
    expect(sent.sent()).toBe(4096);
  });

  it("a chunked body of exactly that many bytes is drained to its end, not given up", async () => {
    const sent = mebibytes(MAX_DRAINED_BYTES);
    await drainUnread(requestWith(sent.body));
    expect(sent.sent()).toBe(MAX_DRAINED_BYTES);
    expect(sent.cancelled()).toBe(false);
  });
});

/** A request carrying `body`, with a Content-Length when `declared` is given. */
function requestWith(body: ReadableStream<Uint8Array>, declared?: number): Request {
  const headers: Record<string, string> = declared === undefined ? {} : { "content-length": String(declared) };
  return new Request("http://proxy/v1/chat/completions", {
    method: "POST",
    body,
    headers,
    duplex: "half",
  } as RequestInit);
}

function fakeTimers(): void {
  vi.useFakeTimers();
  onTestFinished(() => {
    vi.useRealTimers();
  });
}

describe("a body that stalls while it is drained: given up when its first window ends (codereview28 #1)", () => {
  const stalledRequest = (first: string, declared?: number) => {
    const sent = stalledBody(first);
    return { request: requestWith(sent.body, declared), cancelled: sent.cancelled };
  };

  it("an unread body: drainUnread returns when the window is up, and the body is cancelled", async () => {
    fakeTimers();
    for (const declared of [undefined, 5_000]) {
      const sent = stalledRequest("{", declared);
      const drained = drainUnread(sent.request);
      expect(await settledAfter(drained, DRAIN_WINDOW_MS - 1)).toBe(false);
      expect(await settledAfter(drained, 1)).toBe(true);
      expect(sent.cancelled()).toBe(true);
    }
  });

  it("a 413, by its Content-Length or streamed past the limit, goes when the window is up", async () => {
    fakeTimers();
    for (const sent of [stalledRequest("{", 50_000), stalledRequest(body("vision", 20_000))]) {
      const refused = refusal(readJsonBody(sent.request, LIMITS));
      expect(await settledAfter(refused, DRAIN_WINDOW_MS)).toBe(true);
      expect(await refused).toMatchObject({ status: 413, code: "request_too_large" });
      expect(sent.cancelled()).toBe(true);
    }
  });
});

describe("a body that keeps coming while it is drained: read to its end, however long it takes (codereview29 #1)", () => {
  // 64 KiB every 52 ms: an upload at 10 Mbit/s.
  const upload = { piece: 64 * 1024, everyMs: 52 };

  it("5 MiB at 10 Mbit/s (4.2 s, two windows and more): drainUnread reads it all, nothing is given up", async () => {
    fakeTimers();
    for (const declared of [undefined, 5 * 1024 * 1024]) {
      const sent = pacedBody({ ...upload, total: 5 * 1024 * 1024 });
      const drained = drainUnread(requestWith(sent.body, declared));
      expect(await settledAfter(drained, 2 * DRAIN_WINDOW_MS)).toBe(false);
      expect(await settledAfter(drained, 1000)).toBe(true);
      expect(sent.cancelled()).toBe(false);
      expect(sent.sent()).toBe(5 * 1024 * 1024);
    }
  });

  it("a 413, by its Content-Length or streamed past the limit, drains the rest to its end", async () => {
    fakeTimers();
    // 40 KiB/s, just over the floor: 200 KB take 5 s.
    const slow = { piece: 8 * 1024, everyMs: 200, total: 200_000 };
    for (const declared of [200_000, undefined]) {
      const sent = pacedBody(slow);
      const refused = refusal(readJsonBody(requestWith(sent.body, declared), LIMITS));
      expect(await settledAfter(refused, 2 * DRAIN_WINDOW_MS)).toBe(false);
      expect(await settledAfter(refused, 1500)).toBe(true);
      expect(await refused).toMatchObject({ status: 413, code: "request_too_large" });
      expect(sent.cancelled()).toBe(false);
      expect(sent.sent()).toBe(200_000);
    }
  });

  it("one that never ends is given up at MAX_DRAIN_MS, however fast it comes", async () => {
    fakeTimers();
    const sent = pacedBody({ piece: 64 * 1024, everyMs: 100 });
    const drained = drainUnread(requestWith(sent.body));
    expect(await settledAfter(drained, MAX_DRAIN_MS - 1)).toBe(false);
    expect(await settledAfter(drained, 1)).toBe(true);
    expect(sent.cancelled()).toBe(true);
    expect(sent.sent()).toBeLessThan(MAX_DRAINED_BYTES);
  });
});

describe("a body that comes too slowly while it is drained: given up (codereview29 #1)", () => {
  it("a trickle below DRAIN_FLOOR_BYTES a window is given up when its first window ends", async () => {
    fakeTimers();
    // 1 KiB every 100 ms: 20 KiB a window.
    expect(20 * 1024).toBeLessThan(DRAIN_FLOOR_BYTES);
    const sent = pacedBody({ piece: 1024, everyMs: 100 });
    const drained = drainUnread(requestWith(sent.body));
    expect(await settledAfter(drained, DRAIN_WINDOW_MS - 1)).toBe(false);
    expect(await settledAfter(drained, 1)).toBe(true);
    expect(sent.cancelled()).toBe(true);
  });

  it("an upload that stalls is given up at the end of the first window that brought too little", async () => {
    fakeTimers();
    // Its last byte at 3 s, in the second window; the third brings none, and ends at 6 s.
    const sent = pacedBody({ piece: 64 * 1024, everyMs: 100, stallAfter: 30 * 64 * 1024 });
    const drained = drainUnread(requestWith(sent.body));
    expect(await settledAfter(drained, 3 * DRAIN_WINDOW_MS - 1)).toBe(false);
    expect(await settledAfter(drained, 1)).toBe(true);
    expect(sent.cancelled()).toBe(true);
  });
});

describe("a body that stalls or trickles while it is read: 408, its reading given up (leftovers #2, codereview30 #2)", () => {
  /** A body that sends one byte a second and never ends. */
  function trickle(): { body: ReadableStream<Uint8Array>; cancelled: () => boolean } {
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      pull: (controller) =>
        new Promise<void>((resolve) =>
          setTimeout(() => {
            if (!cancelled) controller.enqueue(new Uint8Array([0x20]));
            resolve();
          }, 1000),
        ),
      cancel() {
        cancelled = true;
      },
    });
    return { body, cancelled: () => cancelled };
  }

  const TOO_SLOW = {
    status: 408,
    type: "invalid_request_error",
    code: "request_body_timeout",
    message:
      "The request body came too slowly (less than 16 KiB in 10 s, or not all of it within 240 s): send the whole body at once, without pausing.",
  };

  const outcome = async (read: Promise<BedrockEdgeError>) => {
    const { status, type, code, message } = await read;
    return { status, type, code, message };
  };

  it("read piece by piece (no Content-Length, or one over WHOLE_BODY_BYTES): the 408 when the first window that brought too little ends, the body cancelled, no timer left", async () => {
    fakeTimers();
    expect(READ_WINDOW_MS).toBe(10_000);
    for (const [sent, declared] of [
      [stalledBody(), undefined],
      [trickle(), undefined],
      [stalledBody(), WHOLE_BODY_BYTES + 1],
    ] as const) {
      const read = errorOf(() => readJsonBody(requestWith(sent.body, declared), BIG), BedrockEdgeError);
      expect(await settledAfter(read, READ_WINDOW_MS - 1)).toBe(false);
      expect(await settledAfter(read, 1)).toBe(true);
      expect(await outcome(read)).toEqual(TOO_SLOW);
      expect(sent.cancelled()).toBe(true);
      // The trickle's own pending byte aside, nothing of the read is left to fire.
      await vi.advanceTimersByTimeAsync(1000);
      expect(vi.getTimerCount()).toBe(0);
    }
  });

  it("an upload that stalls is given up when the first window that brought less than READ_FLOOR_BYTES ends", async () => {
    fakeTimers();
    // 64 KiB a second for 15 s, then nothing: the second window brought 320 KiB, the third none.
    const sent = pacedBody({ piece: 64 * 1024, everyMs: 1000, stallAfter: 15 * 64 * 1024 });
    const read = errorOf(() => readJsonBody(requestWith(sent.body), BIG), BedrockEdgeError);
    expect(await settledAfter(read, 3 * READ_WINDOW_MS - 1)).toBe(false);
    expect(await settledAfter(read, 1)).toBe(true);
    expect(await outcome(read)).toEqual(TOO_SLOW);
    expect(sent.cancelled()).toBe(true);
  });

  it("one that brings exactly READ_FLOOR_BYTES in each window is read to its end: the floor is the least a window may bring", async () => {
    fakeTimers();
    // 16 KiB every 10 s, each piece in the middle of a window, well away from the window's timer: the
    // body's first timer runs from its making, 5 s before the read begins.
    const sent = pacedBody({
      piece: READ_FLOOR_BYTES,
      everyMs: READ_WINDOW_MS,
      total: 5 * READ_FLOOR_BYTES,
      model: "vision",
    });
    await vi.advanceTimersByTimeAsync(READ_WINDOW_MS / 2);
    const read = readJsonBody(requestWith(sent.body), BIG);
    expect(await settledAfter(read, 4.5 * READ_WINDOW_MS)).toBe(true);
    expect((await read).model).toBe("vision");
    expect(sent.cancelled()).toBe(false);
  });

  it("one that keeps coming just above the floor, and never ends, is given up at MAX_BODY_READ_MS", async () => {
    fakeTimers();
    // 2 KiB a second: 20 KiB a window, over READ_FLOOR_BYTES; 480 KiB in 240 s, within the limit.
    expect(20 * 1024).toBeGreaterThan(READ_FLOOR_BYTES);
    const sent = pacedBody({ piece: 2 * 1024, everyMs: 1000 });
    const read = errorOf(() => readJsonBody(requestWith(sent.body), BIG), BedrockEdgeError);
    expect(await settledAfter(read, MAX_BODY_READ_MS - 1)).toBe(false);
    expect(await settledAfter(read, 1)).toBe(true);
    expect(await outcome(read)).toEqual(TOO_SLOW);
    expect(sent.cancelled()).toBe(true);
  });

  it("no answer comes later than the read's and the drain's bounds added (270 s), within the 300 s Node's server gives a request, whose bare 408 would come first (codereview31 #2)", async () => {
    fakeTimers();
    expect(MAX_BODY_READ_MS + MAX_DRAIN_MS).toBeLessThan(300_000);
    // The review's, at the 8 MiB ceiling: 34 KiB a second passes the limit at 241 s; drained for
    // 30 s more, its 413 would go at 271 s, and slower still past Node's 300 s, to a connection
    // Node had closed. The read's bound ends it first.
    const sent = pacedBody({ piece: 34 * 1024, everyMs: 1000, total: 20 * 1024 * 1024 });
    const read = errorOf(() => readJsonBody(requestWith(sent.body), BIG), BedrockEdgeError);
    expect(await settledAfter(read, MAX_BODY_READ_MS)).toBe(true);
    expect(await outcome(read)).toEqual(TOO_SLOW);
    expect(sent.cancelled()).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("a small body of a declared length (up to WHOLE_BODY_BYTES), read whole, that stalls: a 408 when the floor's time for its length is up (WHOLE_BODY_READ_MS at least), no timer left", async () => {
    fakeTimers();
    for (const [declared, limits, ms] of [
      [5_000, LIMITS, WHOLE_BODY_READ_MS],
      // Past a whole number of floors, the part of one more counts as a window of its own.
      [6 * READ_FLOOR_BYTES + 1, BIG, 70_000],
      // 16 windows of READ_FLOOR_BYTES: as long as a body read piece by piece may take at the floor.
      [WHOLE_BODY_BYTES, BIG, 160_000],
    ] as const) {
      const sent = stalledBody();
      const request = requestWith(sent.body, declared);
      const read = errorOf(() => readJsonBody(request, limits), BedrockEdgeError);
      expect(await settledAfter(read, ms - 1)).toBe(false);
      expect(await settledAfter(read, 1)).toBe(true);
      expect(await outcome(read)).toEqual({
        ...TOO_SLOW,
        message: `The request body did not arrive within ${ms / 1000} s: send the whole body at once, without pausing.`,
      });
      // Given up unread: its connection is of no further use (Connection: close).
      expect(bodyGivenUp(request)).toBe(true);
      expect(vi.getTimerCount()).toBe(0);
    }
  });

  it("a small body on a link too slow for 30 s is read as a larger one would be, not cut sooner (codereview31 #1)", async () => {
    fakeTimers();
    // The review's: 200 KiB at 40 kbit/s (5,000 bytes a second) takes 41 s; 300 KiB, read piece by
    // piece at the same pace, was read to its end while this one got a 408 at 30 s.
    const total = 200 * 1024;
    const sent = pacedBody({ piece: 5_000, everyMs: 1000, total, model: "vision" });
    const read = readJsonBody(requestWith(sent.body, total), BIG);
    expect(await settledAfter(read, 41_000)).toBe(true);
    expect((await read).model).toBe("vision");
    expect(sent.cancelled()).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("a body that arrives in time leaves no timer behind either", async () => {
    fakeTimers();
    expect(await readJsonBody(pieces(body("llama", 1_000)).request, LIMITS)).toMatchObject({ model: "llama" });
    expect(await readJsonBody(pieces(body("llama", 1_000), true).request, LIMITS)).toMatchObject({ model: "llama" });
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe("an honest body within its limit on a slow link: read to its end, however long it takes (codereview30 #2)", () => {
  it.each([
    // The review's: an 8 MiB model's 8 MB at 3 Mbit/s (64 KiB every 170 ms), 21 s: a JSON edit's
    // image, as only media may be past MAX_TEXT_BYTES (bounds48).
    [
      "8 MB at 3 Mbit/s",
      { piece: 64 * 1024, everyMs: 170, total: 8_000_000, padKey: "image", padPrefix: "data:image/png;base64," },
    ],
    // The default 4 MiB at 262 kbit/s (16 KiB every 500 ms), 2 minutes.
    ["4 MiB at 262 kbit/s", { piece: 16 * 1024, everyMs: 500, total: 4 * 1024 * 1024, padKey: "pad" }],
  ])("%s, by its Content-Length or chunked: parsed, nothing given up, no timer left", async (_, pace) => {
    fakeTimers();
    for (const declared of [pace.total, undefined]) {
      const sent = pacedBody({ ...pace, model: "vision" });
      const read = readJsonBody(requestWith(sent.body, declared), BIG, EDIT_MEDIA);
      const takes = Math.ceil(pace.total / pace.piece) * pace.everyMs;
      expect(await settledAfter(read, takes - 1)).toBe(false);
      expect(await settledAfter(read, 1)).toBe(true);
      const value = await read;
      expect(value.model).toBe("vision");
      expect(value[pace.padKey]).toHaveLength(pace.total - `{"model":"vision","${pace.padKey}":""}`.length);
      expect(sent.cancelled()).toBe(false);
      expect(vi.getTimerCount()).toBe(0);
    }
  });
});

describe("a body over its limit still uploading when the read's time would be up: its 413, never a 408 (codereview30 #1)", () => {
  it("the review's: 4 MiB at 1 Mbit/s against a 10,000-byte limit, by its Content-Length or chunked: the 413 when the drain's own bound ends it", async () => {
    fakeTimers();
    for (const declared of [4 * 1024 * 1024, undefined]) {
      // 64 KiB every 500 ms: 4 MiB in 32 s, more than MAX_DRAIN_MS.
      const sent = pacedBody({ piece: 64 * 1024, everyMs: 500, total: 4 * 1024 * 1024 });
      const refused = refusal(readJsonBody(requestWith(sent.body, declared), LIMITS));
      expect(await settledAfter(refused, MAX_DRAIN_MS + 500)).toBe(true);
      expect(await refused).toMatchObject({ status: 413, code: "request_too_large" });
      expect(vi.getTimerCount()).toBe(0);
    }
  });

  it("chunked, past the limit only after 220 s of reading: drained for the drain's 30 s more, then the 413 (the read's 240 s do not cut it), within Node's 300 s", async () => {
    fakeTimers();
    // 36 KiB a second: the 8 MiB limit passed at 228 s; 20 MiB in all would take 569 s.
    const sent = pacedBody({ piece: 36 * 1024, everyMs: 1000, total: 20 * 1024 * 1024 });
    const refused = refusal(readJsonBody(requestWith(sent.body), BIG));
    expect(228_000 + MAX_DRAIN_MS).toBeLessThan(300_000);
    expect(await settledAfter(refused, 228_000 + MAX_DRAIN_MS - 1)).toBe(false);
    expect(await settledAfter(refused, 1)).toBe(true);
    expect(await refused).toMatchObject({ status: 413, code: "request_too_large" });
    expect(sent.cancelled()).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe("a body shaped to be expensive: refused before JSON.parse", () => {
  it("too deep: 400 invalid_json", async () => {
    const deep = `{"model":"llama","x":${"[".repeat(100)}${"]".repeat(100)}}`;
    expect(await refusal(readJsonBody(pieces(deep).request, LIMITS))).toMatchObject({
      status: 400,
      code: "invalid_json",
    });
  });

  it("too many arrays and objects, or values: 413", async () => {
    const limits = { largest: 10_000_000, forModel: () => 10_000_000 };
    const arrays = `{"model":"llama","x":[${"[],".repeat(REQUEST_JSON_LIMITS.maxContainers)}[]]}`;
    expect((await refusal(readJsonBody(pieces(arrays).request, limits))).message).toMatch(/arrays and objects/);
    const values = `{"model":"llama","x":[${"1,".repeat(REQUEST_JSON_LIMITS.maxElements)}1]}`;
    expect((await refusal(readJsonBody(pieces(values).request, limits))).message).toMatch(/values/);
  });

  it("more than 200,000 values (docs/SECURITY.md, Bounded cost per request): 413, naming the limit", async () => {
    const limits = { largest: 10_000_000, forModel: () => 10_000_000 };
    const values = `{"model":"llama","x":[${"1,".repeat(200_000)}1]}`;
    expect(await refusal(readJsonBody(pieces(values).request, limits))).toMatchObject({
      status: 413,
      message: expect.stringMatching(/more than 200000 values/),
    });
  });

  it("one object of more than 10,000 members: a 400 naming the limit and where that object opens, quoting none of it (cpucost8 #2)", async () => {
    const limits = { largest: 10_000_000, forModel: () => 10_000_000 };
    const secret = "hunter2";
    const members = (n: number) => Array.from({ length: n }, (_, i) => `"${secret}${i}":1`).join(",");
    const wide = `{"model":"llama",\n "messages":[{"role":"user","content":"hi"}],\n ${members(10_001)}}`;
    expect(await refusal(readJsonBody(pieces(wide).request, limits))).toEqual({
      status: 400,
      code: "invalid_json",
      message:
        "The JSON body holds an object of more than 10000 members, more than any real request: the one that opens at line 1, column 1 (offset 0).",
    });
    const inner = `{"model":"llama","messages":[{"role":"user","content":"hi",\n${members(10_001)}}]}`;
    expect((await refusal(readJsonBody(pieces(inner).request, limits))).message).toMatch(
      /the one that opens at line 1, column 30 \(offset 29\)\.$/,
    );
  });

  it("the widest real objects are far within the member limit: 10,000 members taken", async () => {
    const limits = { largest: 10_000_000, forModel: () => 10_000_000 };
    expect(REQUEST_JSON_LIMITS.maxMembers).toBe(10_000);
    const properties = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`p${i}`, { type: "string" }]));
    const logitBias = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [String(i), -100]));
    const text = JSON.stringify({
      model: "llama",
      logit_bias: logitBias,
      response_format: { type: "json_schema", json_schema: { name: "wide", schema: { type: "object", properties } } },
    });
    expect(await readJsonBody(pieces(text).request, limits)).toEqual(JSON.parse(text));
  });

  it("not JSON: a 400 that says where it broke, quoting none of it", async () => {
    const secret = "my password is hunter2 and my card is 4111111111111111";
    const cases: Array<[string, string]> = [
      [
        `{"model":"llama","messages":[{"role":"user","content":"${secret}", "x": True}]}`,
        "The request body is not valid JSON: it breaks at line 1, column 118 (offset 117).",
      ],
      ["model=llama", "The request body is not valid JSON: it breaks at line 1, column 1 (offset 0)."],
      [
        '{\n  "model": "llama",\n  "messages": [{"role": "user", "content": "hunter2"}\n',
        "The request body is not valid JSON: it ends too soon, at line 4, column 1 (offset 76).",
      ],
      [" \r\n", "The request body is not valid JSON: it is empty. Send the request as a JSON object."],
    ];
    for (const [text, message] of cases) {
      expect(await refusal(readJsonBody(pieces(text).request, LIMITS))).toEqual({
        status: 400,
        code: "invalid_json",
        message,
      });
    }
  });

  it("not JSON, or not an object: 400 invalid_json", async () => {
    for (const text of ['{"model":', "[1,2]", ""]) {
      expect(await refusal(readJsonBody(pieces(text).request, LIMITS))).toMatchObject({
        status: 400,
        code: "invalid_json",
      });
    }
  });
});

describe("a body counted in the isolate's account as it is read (body-budget.ts)", () => {
  const chat = (size: number) =>
    JSON.stringify({ model: "vision", messages: [{ role: "user", content: "x".repeat(size) }] });

  /** A hold that notes what it is asked and says yes while `admits` does. */
  const holdOf = (admits: (bytes: number) => boolean) => {
    const asked: (number | "release")[] = [];
    return {
      asked,
      reserve: (bytes: number) => {
        asked.push(bytes);
        return admits(bytes);
      },
      release: () => {
        asked.push("release");
      },
    };
  };

  it("only bytes that came are counted, never a declared length (a Content-Length sent slowly holds nothing it has not sent)", async () => {
    const hold = holdOf(() => true);
    const { request } = pieces(chat(8000), true);
    expect(await readJsonBody(request, LIMITS, NO_MEDIA, hold)).toMatchObject({ model: "vision" });
    // A small declared body is read whole by the runtime, then counted once.
    expect(hold.asked).toEqual([chat(8000).length]);
  });

  it("a chunked body grows its hold as its pieces come, and is refused mid-read: given back, then the rest drained", async () => {
    const hold = holdOf((bytes) => bytes <= 3072);
    const { request, read } = pieces(chat(8000));
    expect(await refusal(readJsonBody(request, LIMITS, NO_MEDIA, hold))).toMatchObject({
      status: 503,
      code: "server_busy",
    });
    expect(hold.asked).toEqual([1024, 2048, 3072, 4096, "release"]);
    // Drained to its end, as a 413's rest is, so that the connection stays usable.
    expect(read()).toBeGreaterThanOrEqual(chat(8000).length);
  });

  it("a body past its limit mid-read gives its bytes back before its rest is drained (codereview51 U-03); one declared past it is never counted", async () => {
    const hold = holdOf(() => true);
    const { request } = pieces(chat(20_000));
    expect(await refusal(readJsonBody(request, LIMITS, NO_MEDIA, hold))).toMatchObject({ status: 413 });
    expect(hold.asked.at(-1)).toBe("release");
    const declared = holdOf(() => true);
    const { request: large } = pieces(chat(20_000), true);
    expect(await refusal(readJsonBody(large, LIMITS, NO_MEDIA, declared))).toMatchObject({ status: 413 });
    expect(declared.asked).toEqual([]);
    // Declared one byte past the largest limit: as surely too large, never counted.
    const edge = chat(LIMITS.largest + 1 - chat(0).length);
    expect(edge.length).toBe(LIMITS.largest + 1);
    const justOver = holdOf(() => true);
    const { request: over } = pieces(edge, true);
    expect(await refusal(readJsonBody(over, LIMITS, NO_MEDIA, justOver))).toMatchObject({ status: 413 });
    expect(justOver.asked).toEqual([]);
  });
});
