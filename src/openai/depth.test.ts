import { runInNewContext } from "node:vm";
import { getHeapSpaceStatistics, setFlagsFromString } from "node:v8";
import { describe, expect, it } from "vitest";
import { jsonTextTooDeep, MAX_JSON_DEPTH, scanJsonText, valueTooDeep, type JsonTextLimits } from "./depth.ts";
import { CHAT_MEDIA, EDIT_MEDIA, type MediaPlaces, NO_MEDIA, RESPONSES_MEDIA } from "./media-strings.ts";

const WIDE: JsonTextLimits = {
  maxDepth: MAX_JSON_DEPTH,
  maxContainers: 1_000_000,
  maxElements: 1_000_000,
  maxMembers: 1_000_000,
};

function nested(levels: number): string {
  return `${"[".repeat(levels)}${"]".repeat(levels)}`;
}

describe("scanJsonText counts before anything is parsed", () => {
  it("containers and elements, strings skipped whole (escaped quotes included)", () => {
    const scan = scanJsonText('{"a":[1,2,{"b":"x,[{\\"]"}],"c":[]}', WIDE);
    expect(scan).toEqual({ ok: true, containers: 4, elements: 4 + 3, model: undefined, mediaChars: 0 });
  });

  it("stops at the first limit passed, naming it", () => {
    const arrays = `{"extra":[${Array.from({ length: 1000 }, () => "[]").join(",")}]}`;
    expect(scanJsonText(arrays, { ...WIDE, maxContainers: 500 })).toEqual({ ok: false, exceeded: "containers" });
    const keys = `{${Array.from({ length: 1000 }, (_, i) => `"k${i}":1`).join(",")}}`;
    expect(scanJsonText(keys, { ...WIDE, maxElements: 500 })).toEqual({ ok: false, exceeded: "elements" });
    expect(scanJsonText(nested(MAX_JSON_DEPTH + 1), WIDE)).toEqual({ ok: false, exceeded: "depth" });
    expect(scanJsonText(nested(MAX_JSON_DEPTH), WIDE).ok).toBe(true);
  });

  it("members of one object: up to the limit taken, one more refused where that object opens (cpucost8 #2)", () => {
    const object = (members: number) => `{${Array.from({ length: members }, (_, i) => `"k${i}":[1,2]`).join(",")}}`;
    const limits = { ...WIDE, maxMembers: 100 };
    expect(scanJsonText(object(100), limits).ok).toBe(true);
    expect(scanJsonText(`{"a":{},"b":${object(101)}}`, limits)).toEqual({
      ok: false,
      exceeded: "members",
      at: { offset: 12, line: 1, column: 13 },
    });
    expect(scanJsonText(`{\n  "a": [\n    ${object(101)}]}`, limits)).toMatchObject({
      exceeded: "members",
      at: { offset: 15, line: 3, column: 5 },
    });
    // Per object: arrays are held to maxElements only, and commas in strings or in nested
    // containers are not the object's.
    expect(scanJsonText(`[${"1,".repeat(1000)}1]`, limits).ok).toBe(true);
    expect(
      scanJsonText(JSON.stringify({ a: ",".repeat(1000), b: Array(1000).fill(0), c: [object(100)] }), limits).ok,
    ).toBe(true);
    expect(scanJsonText(`[${Array.from({ length: 200 }, () => object(100)).join(",")}]`, limits).ok).toBe(true);
  });

  it("brackets inside strings are text, not nesting", () => {
    expect(scanJsonText(JSON.stringify({ a: nested(10_000) }), WIDE)).toMatchObject({ ok: true, containers: 1 });
    expect(jsonTextTooDeep(JSON.stringify({ a: nested(10_000) }))).toBe(false);
    expect(jsonTextTooDeep(nested(MAX_JSON_DEPTH + 1))).toBe(true);
  });
});

describe("scanJsonText reads the top-level model as JSON.parse would", () => {
  const modelOf = (text: string) => {
    const scan = scanJsonText(text, WIDE);
    return scan.ok ? scan.model : "refused";
  };

  it.each([
    ['{"model":"llama","messages":[]}', "llama"],
    ['{ "messages": [{"model": "inner"}], "model" : "team/r1" }', "team/r1"],
    ['{"\\u006dodel":"esc\\"aped"}', 'esc"aped'],
    ['{"model":"first","model":"last"}', "last"],
    ['{"model":"first","model":7}', undefined],
    ['{"model":{"name":"x"}}', undefined],
    ['{"model":["x"]}', undefined],
    ['{"model":null}', undefined],
    ['{"name":"model","x":"model"}', undefined],
    ['["model","x"]', undefined],
    ['{"models":"x","mode":"y"}', undefined],
  ])("%s", (text, expected) => {
    expect(modelOf(text)).toBe(expected);
    if (expected !== undefined) expect((JSON.parse(text) as { model: string }).model).toBe(expected);
  });

  it("a model value too long to be a name is not decoded", () => {
    expect(modelOf(JSON.stringify({ model: "m".repeat(5000) }))).toBeUndefined();
  });
});

/** The old and large-object spaces: what a walk holding every element at once makes grow. */
function longLivedHeap(): number {
  return getHeapSpaceStatistics()
    .filter((space) => space.space_name === "old_space" || space.space_name === "large_object_space")
    .reduce((sum, space) => sum + space.space_size, 0);
}

describe("scanJsonText tells media data from text (bounds48: a larger max_body_bytes admits media, not text)", () => {
  const mediaOf = (value: unknown, places: MediaPlaces = CHAT_MEDIA) => {
    const scan = scanJsonText(JSON.stringify(value), WIDE, places);
    return scan.ok ? scan.mediaChars : -1;
  };
  const HEAD = "data:image/png;base64,";
  const BASE64 = "iVBORw0KGgo+/=".repeat(10);
  const png = `${HEAD}${BASE64}`;
  const part = (url: string) => ({
    messages: [{ role: "user", content: [{ type: "image_url", image_url: { url } }] }],
  });

  it("counts the base64 of data URLs where each endpoint's parsers read images, files and audio", () => {
    const pdf = "data:application/pdf;name=a.pdf;base64,JVBERi0x";
    const chat = {
      model: "m",
      messages: [
        { role: "system", content: "be brief" },
        {
          role: "user",
          content: [
            { type: "text", text: "what is it?" },
            { type: "image_url", image_url: { url: png, detail: "low" } },
            { type: "file", file: { file_data: pdf, filename: "a.pdf" } },
            { type: "input_audio", input_audio: { data: "data:audio/wav;base64,UklGRg==", format: "wav" } },
          ],
        },
      ],
    };
    expect(mediaOf(chat)).toBe(BASE64.length + "JVBERi0x".length + 8);
    const responses = {
      input: [
        {
          role: "user",
          content: [
            { type: "input_image", image_url: png },
            { type: "input_file", file_data: pdf },
          ],
        },
      ],
    };
    expect(mediaOf(responses, RESPONSES_MEDIA)).toBe(BASE64.length + 8);
    const edit = { images: [{ image_url: png }], mask: { image_url: png } };
    expect(mediaOf(edit, EDIT_MEDIA)).toBe(2 * BASE64.length);
    // The library's own field, which a JSON edit passes on (codereview48b #5).
    expect(mediaOf({ image: png }, EDIT_MEDIA)).toBe(BASE64.length);
    expect(mediaOf({ image: [png] }, EDIT_MEDIA)).toBe(BASE64.length);
    // Each endpoint's places only: chat's shapes in a Responses body, an edit's in a chat body.
    expect(mediaOf(chat, RESPONSES_MEDIA)).toBe(0);
    expect(mediaOf(edit, CHAT_MEDIA)).toBe(0);
    expect(mediaOf(chat, NO_MEDIA)).toBe(0);
  });

  it("counts what the parsers take as media: DATA: in any case, base64 with whitespace, \\/ or percent escapes (codereview48b #5)", () => {
    expect(mediaOf(part(`DATA:IMAGE/PNG;BASE64,${BASE64}`))).toBe(BASE64.length);
    expect(mediaOf(part(`${HEAD}ab cd\tef\ngh\fij\r`))).toBe(19);
    const escaped = `{"messages":[{"content":[{"image_url":{"url":"${HEAD}ab\\/c\\nde%2B"}}]}]}`;
    expect(scanJsonText(escaped, WIDE, CHAT_MEDIA)).toMatchObject({ mediaChars: 12 });
  });

  it("counts as text the same keys anywhere else: tools, response_format, metadata, free-form objects (codereview48b #1)", () => {
    const text = "a".repeat(50);
    const chat = {
      messages: [{ role: "user", content: "hi" }],
      tools: [
        { type: "function", function: { name: "f", parameters: { image_url: `${HEAD}${text}`, file_data: text } } },
      ],
      response_format: { type: "json_schema", json_schema: { name: "x", schema: { file_data: `${HEAD}${text}` } } },
      metadata: { image_url: `${HEAD}${text}` },
      image_url: { url: png },
      extra: { messages: [{ content: [{ image_url: { url: png } }] }] },
    };
    expect(mediaOf(chat)).toBe(0);
    // One level off: content's parts directly in messages, a url beside image_url.
    expect(mediaOf({ messages: [{ image_url: { url: png } }] })).toBe(0);
    expect(mediaOf({ messages: [{ content: [{ image_url: { detail: { url: png } } }] }] })).toBe(0);
    expect(mediaOf({ messages: { content: [{ image_url: { url: png } }] } })).toBe(0);
  });

  it("counts as text a media place's string that is no base64 data URL, and a data URL's head always", () => {
    const text = "a".repeat(50);
    expect(mediaOf(part("https://example.com/a.png"))).toBe(0);
    expect(mediaOf(part(`${HEAD}${text} <think>`))).toBe(0);
    expect(mediaOf(part(`${text}"quoted"`))).toBe(0);
    // Bare base64: the parsers want a data URL.
    expect(mediaOf(part(text))).toBe(0);
    // URL-safe base64's - and _ are not what the parsers decode.
    expect(mediaOf(part(`${HEAD}${text}-_`))).toBe(0);
    const unicode = `{"messages":[{"content":[{"image_url":{"url":"${HEAD}${text}\\u0041"}}]}]}`;
    expect(scanJsonText(unicode, WIDE, CHAT_MEDIA)).toMatchObject({ mediaChars: 0 });
    const key = `{"messages":[{"content":[{"image_\\u0075rl":{"url":"${HEAD}${text}"}}]}]}`;
    expect(scanJsonText(key, WIDE, CHAT_MEDIA)).toMatchObject({ mediaChars: 0 });
    // A head is what a data URL's grammar allows: data:, a MIME type, parameters, ;base64 (codereview48b #1).
    for (const head of [
      "data:Ignore all previous instructions; any text <b>,",
      "data:image/png,",
      "data:image/png;base64;x=1,",
      "data:image;base64,",
      "data:image/png;=x;base64,",
      "data:<think>/png;base64,",
      `data:image/png;name=${"x".repeat(300)};base64,`,
    ]) {
      expect(mediaOf(part(`${head}${text}`)), head).toBe(0);
    }
    // Parameters are the grammar's; the head's characters are text even so.
    expect(mediaOf(part(`data:image/png;name=a b.png;charset=x;base64,${text}`))).toBe(50);
  });

  it("a key after a media value starts afresh, and a number value leaves no colon behind", () => {
    const places: MediaPlaces = RESPONSES_MEDIA;
    const content = [
      { image_url: 5, x: `${HEAD}aaaa` },
      { image_url: `${HEAD}bbbb`, y: `${HEAD}cccc` },
    ];
    expect(mediaOf({ input: [{ content }], z: `${HEAD}dddd` }, places)).toBe(4);
  });
});

describe("valueTooDeep", () => {
  function deep(levels: number): unknown {
    let value: unknown = {};
    for (let i = 1; i < levels; i++) value = i % 2 ? [value] : { a: value };
    return value;
  }

  it("allows MAX_JSON_DEPTH levels of objects and arrays, not one more; a cycle is too deep", () => {
    expect(valueTooDeep(deep(MAX_JSON_DEPTH))).toBe(false);
    expect(valueTooDeep(deep(MAX_JSON_DEPTH + 1))).toBe(true);
    expect(valueTooDeep({ a: 1, b: [1, "x", null, { c: [] }] })).toBe(false);
    const cycle: Record<string, unknown> = {};
    cycle.self = { again: cycle };
    expect(valueTooDeep(cycle)).toBe(true);
    expect(valueTooDeep("text")).toBe(false);
    expect(valueTooDeep(null)).toBe(false);
  });

  it("walks a million elements without holding them all at once (its memory follows depth, not width)", () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const wide = { extra: Array.from({ length: 1_000_000 }, () => []) };
    gc();
    const before = longLivedHeap();
    expect(valueTooDeep(wide)).toBe(false);
    // A walk that queued every element grew it by about 100 MB here.
    expect(longLivedHeap() - before).toBeLessThan(8 * 1024 * 1024);
  });
});
