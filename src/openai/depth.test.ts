import { runInNewContext } from "node:vm";
import { getHeapSpaceStatistics, setFlagsFromString } from "node:v8";
import { describe, expect, it } from "vitest";
import { jsonTextTooDeep, MAX_JSON_DEPTH, scanJsonText, valueTooDeep, type JsonTextLimits } from "./depth.ts";

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
  const mediaOf = (value: unknown) => {
    const scan = scanJsonText(JSON.stringify(value), WIDE);
    return scan.ok ? scan.mediaChars : -1;
  };
  const png = `data:image/png;base64,${"iVBORw0KGgo+/=".repeat(10)}`;

  it("counts the strings where OpenAI's request shapes put images, files and audio, data URL head and all", () => {
    const chat = {
      model: "m",
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "what is it?" },
            { type: "image_url", image_url: { url: png, detail: "low" } },
            { type: "file", file: { file_data: "data:application/pdf;base64,JVBERi0x", filename: "a.pdf" } },
            { type: "input_audio", input_audio: { data: "UklGRg==", format: "wav" } },
          ],
        },
      ],
    };
    expect(mediaOf(chat)).toBe(png.length + "data:application/pdf;base64,JVBERi0x".length + 8);
    const responses = { input: [{ role: "user", content: [{ type: "input_image", image_url: png }] }] };
    expect(mediaOf(responses)).toBe(png.length);
    const edit = { images: [{ image_url: png }], mask: { image_url: png } };
    expect(mediaOf(edit)).toBe(2 * png.length);
    // Base64 as some encoders write it (PHP: "\/"), and in MIME lines.
    expect(scanJsonText(`{"image_url":"data:image/png;base64,ab\\/c\\nde"}`, WIDE)).toMatchObject({ mediaChars: 31 });
  });

  it("counts as text a string there that is no base64, an https URL, the same keys elsewhere, and escaped keys", () => {
    const text = "a".repeat(50);
    expect(mediaOf({ image_url: { url: "https://example.com/a.png" } })).toBe(0);
    expect(mediaOf({ image_url: `data:image/png;base64,${text} <think>` })).toBe(0);
    expect(mediaOf({ file_data: `${text}"quoted"` })).toBe(0);
    expect(scanJsonText(`{"file_data":"${text}\\u0041"}`, WIDE)).toMatchObject({ mediaChars: 0 });
    // `url` and `data` count only inside image_url and input_audio.
    expect(mediaOf({ url: text, data: text, tools: [{ image_url: [text] }] })).toBe(0);
    expect(mediaOf({ image_url: { detail: { url: text } } })).toBe(0);
    expect(scanJsonText(`{"image_\\u0075rl":"${text}"}`, WIDE)).toMatchObject({ mediaChars: 0 });
    // A data URL whose head never ends is text.
    expect(mediaOf({ image_url: `data:${"x".repeat(300)},${text}` })).toBe(0);
  });

  it("a key after a media value starts afresh, and a number value leaves no colon behind", () => {
    expect(mediaOf({ image_url: { url: 5, x: "aaaa" }, y: { url: "aaaa" } })).toBe(0);
    expect(mediaOf({ a: [{ image_url: "aaaa" }, { image_url: "bbbb" }], b: "cccc" })).toBe(8);
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
