// The messages a log line holds (LOG_PROMPTS) carry no media bytes: a data URL is its media type
// and size, input_audio's data its size, a content part's other long strings their length; text
// and everything else as sent (multimodal7 #2, codereview17 #3).
import { describe, expect, it } from "vitest";
import { seeded } from "../test/helpers/bytes.ts";
import { base64Size, dataUrlMedia, MAX_PART_STRING, withoutMediaBytes } from "./prompt-media.ts";

const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

describe("withoutMediaBytes", () => {
  it("chat: image URLs, input_audio's data and a file's data by their size, the rest as sent", () => {
    const messages = [
      { role: "system", content: "data:image/png;base64,AAAA is text here" },
      {
        role: "user",
        name: "ann",
        content: [
          { type: "text", text: "data:image/png;base64,AAAA" },
          { type: "image_url", image_url: { url: `data:image/png;base64,${PNG}`, detail: "low" } },
          { type: "image_url", image_url: { url: "https://example.com/cat.png" } },
          { type: "input_audio", input_audio: { data: "UklGRg==", format: "wav" } },
          { type: "file", file: { file_data: "data:application/pdf;base64,JVBERi0=", filename: "a.pdf" } },
        ],
      },
      { role: "assistant", content: null, tool_calls: [{ id: "c", function: { name: "f", arguments: "{}" } }] },
    ];
    const before = structuredClone(messages);
    expect(withoutMediaBytes(messages)).toEqual([
      messages[0],
      {
        role: "user",
        name: "ann",
        content: [
          { type: "text", text: "data:image/png;base64,AAAA" },
          { type: "image_url", image_url: { url: "data:image/png;base64,[70 bytes omitted]", detail: "low" } },
          { type: "image_url", image_url: { url: "https://example.com/cat.png" } },
          { type: "input_audio", input_audio: { data: "[4 bytes omitted]", format: "wav" } },
          { type: "file", file: { file_data: "data:application/pdf;base64,[5 bytes omitted]", filename: "a.pdf" } },
        ],
      },
      messages[2],
    ]);
    expect(messages).toEqual(before);
  });

  it("the Responses API: input_image's and input_file's data URLs, in messages and in function_call_output", () => {
    expect(
      withoutMediaBytes([
        { role: "user", content: [{ type: "input_image", image_url: `data:image/jpeg;base64,${PNG}` }] },
        {
          type: "function_call_output",
          call_id: "c",
          output: [{ type: "input_file", file_data: "data:application/pdf;base64,JVBERi0=" }],
        },
        { type: "function_call_output", call_id: "d", output: "text" },
      ]),
    ).toEqual([
      { role: "user", content: [{ type: "input_image", image_url: "data:image/jpeg;base64,[70 bytes omitted]" }] },
      {
        type: "function_call_output",
        call_id: "c",
        output: [{ type: "input_file", file_data: "data:application/pdf;base64,[5 bytes omitted]" }],
      },
      { type: "function_call_output", call_id: "d", output: "text" },
    ]);
  });

  it("whatever a refused request sent: no throw, anything not a message list as it came", () => {
    for (const odd of ["hello", null, 5, {}, [null, 3, "x", { content: "s" }, { content: [null, 1, "t", []] }]]) {
      expect(withoutMediaBytes(odd)).toEqual(odd);
    }
    // A huge media type is cut: the line keeps only what is sure to be short.
    const [message] = withoutMediaBytes([
      { role: "user", content: [{ type: "image_url", image_url: { url: `data:${"x".repeat(5000)};base64,AAAA` } }] },
    ]) as [{ content: [{ image_url: { url: string } }] }];
    expect(message.content[0].image_url.url).toBe(`data:${"x".repeat(100)};base64,[3 bytes omitted]`);
  });
});

/** A long text that reads as a data URL: a prompt's, kept whole. */
const long = () => `data:image/png;base64,${"A".repeat(5000)}`;

describe("withoutMediaBytes: bytes in any shape (codereview17 #3)", () => {
  const bytes = "A".repeat(300_000);
  const svg = `<svg>${"x".repeat(300_000)}</svg>`;
  const user = (...content: unknown[]) => [{ role: "user", content }];
  const reduced = (...content: unknown[]) =>
    (withoutMediaBytes(user(...content)) as [{ content: unknown[] }])[0].content;

  it("every data URL by its type and size: base64 or not, percent-encoded or not, any case", () => {
    expect(
      reduced(
        { type: "image_url", image_url: { url: `data:image/svg+xml,${encodeURIComponent(svg)}` } },
        { type: "image_url", image_url: { url: `data:image/svg+xml;charset=utf-8,${svg}` } },
        { type: "image_url", image_url: { url: `data:image/png;base64,${bytes.replace(/A/g, "%41")}` } },
        { type: "image_url", image_url: { url: `DATA:image/png; BASE64 ,${bytes}`, detail: "low" } },
        { type: "image_url", image_url: { url: "data:,Hi%20there%zz" } },
      ),
    ).toEqual([
      { type: "image_url", image_url: { url: "data:image/svg+xml,[300011 bytes omitted]" } },
      { type: "image_url", image_url: { url: "data:image/svg+xml,[300011 bytes omitted]" } },
      { type: "image_url", image_url: { url: "data:image/png;base64,[225000 bytes omitted]" } },
      { type: "image_url", image_url: { url: "data:image/png;base64,[225000 bytes omitted]", detail: "low" } },
      { type: "image_url", image_url: { url: "data:,[11 bytes omitted]" } },
    ]);
  });

  it("a part's other long strings by their length, at any depth; its text and short strings as sent", () => {
    const long = "data:image/png;base64,AAAA ".repeat(100);
    expect(
      reduced(
        { type: "image", source: { type: "base64", media_type: "image/png", data: bytes } },
        { type: "document", source: { content: [{ type: "blob", data: [bytes] }] }, title: "short" },
        { type: "text", text: long },
        { type: "refusal", refusal: long },
        { type: "input_text", text: long },
        bytes,
      ),
    ).toEqual([
      { type: "image", source: { type: "base64", media_type: "image/png", data: "[300000 characters omitted]" } },
      {
        type: "document",
        source: { content: [{ type: "blob", data: ["[300000 characters omitted]"] }] },
        title: "short",
      },
      { type: "text", text: long },
      { type: "refusal", refusal: long },
      { type: "input_text", text: long },
      "[300000 characters omitted]",
    ]);
    expect(MAX_PART_STRING).toBe(1024);
    expect(reduced({ type: "x", data: "A".repeat(1024) }, { type: "x", data: "A".repeat(1025) })).toEqual([
      { type: "x", data: "A".repeat(1024) },
      { type: "x", data: "[1025 characters omitted]" },
    ]);
  });

  it("a data URL outside the content too (a part sent as an input item, a message object alone); text kept", () => {
    const item = { type: "input_image", image_url: `data:image/png;base64,${bytes}` };
    const reducedItem = { type: "input_image", image_url: "data:image/png;base64,[225000 bytes omitted]" };
    expect(withoutMediaBytes([item, { role: "user", content: long(), name: "ann" }])).toEqual([
      reducedItem,
      { role: "user", content: long(), name: "ann" },
    ]);
    expect(withoutMediaBytes(item)).toEqual(reducedItem);
    // A message's own fields other than data URLs are the prompt: not cut.
    const call = { id: "c", function: { name: "f", arguments: JSON.stringify({ q: "x".repeat(5000) }) } };
    expect(withoutMediaBytes([{ role: "assistant", content: null, tool_calls: [call] }])).toEqual([
      { role: "assistant", content: null, tool_calls: [call] },
    ]);
  });
});

describe("base64Size", () => {
  it("is the bytes base64 decodes to, whitespace and padding aside, or what an omitted payload's marker says", () => {
    expect(base64Size(PNG)).toBe(70);
    expect(base64Size(`${PNG.slice(0, 64)}\r\n${PNG.slice(64)}\n`)).toBe(70);
    expect(base64Size("")).toBe(0);
    expect(base64Size("[300000 bytes omitted]")).toBe(300_000);
  });
});

describe("sizes of percent-encoded bodies: the same as the replace they replaced, counted in one pass (cpucost8 #3)", () => {
  // The sizes as they were computed before (a replace callback per escape, a match array): the reference.
  const ESCAPE = /%[0-9A-Fa-f]{2}/g;
  const decoded = (text: string) =>
    text.replace(ESCAPE, (code) => String.fromCharCode(Number.parseInt(code.slice(1), 16)));
  const referenceBase64Size = (payload: string) =>
    Math.floor((decoded(payload).replace(/[\t\n\f\r =]/g, "").length * 3) / 4);
  const referenceBodySize = (body: string) =>
    new TextEncoder().encode(body).length - 2 * (body.match(ESCAPE)?.length ?? 0);

  // Escapes of either case, of whitespace, padding and `%` itself, `%` cut short or followed by
  // no hex, bytes past 0x7F and text beyond Latin-1.
  const PIECES = [
    "%",
    "%4",
    "%41",
    "%3d",
    "%3D",
    "%20",
    "%0a",
    "%0C",
    "%09",
    "%0d",
    "%25",
    "%FF",
    "%G1",
    "A",
    "+",
    "=",
    " ",
    "\n",
    "\f",
    "é",
    "€",
    "😀",
  ];

  it("base64 bodies and other bodies, mixed, short and long", () => {
    const next = seeded(8);
    for (let round = 0; round < 400; round++) {
      const count = round < 380 ? Math.floor(next() * 40) : 5_000 + Math.floor(next() * 20_000);
      let body = "";
      for (let i = 0; i < count; i++) body += PIECES[Math.floor(next() * PIECES.length)];
      expect(base64Size(body)).toBe(referenceBase64Size(body));
      expect(dataUrlMedia(`data:image/png;base64,${body}`)?.size).toBe(referenceBase64Size(body));
      expect(dataUrlMedia(`data:text/plain,${body}`)?.size).toBe(referenceBodySize(body));
    }
  });

  it("every byte escaped", () => {
    expect(base64Size("%41".repeat(400_000))).toBe(300_000);
    expect(base64Size("%41%41%3D%3d")).toBe(1);
    expect(dataUrlMedia(`data:,${"%41".repeat(400_000)}%4%%2541`)?.size).toBe(400_000 + 6);
  });
});
