// The messages a log line holds (LOG_PROMPTS) carry no media bytes: a data URL is its media type
// and size, input_audio's data its size; text and everything else as sent (multimodal7 #2).
import { describe, expect, it } from "vitest";
import { base64Size, withoutMediaBytes } from "./prompt-media.ts";

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

describe("base64Size", () => {
  it("is the bytes base64 decodes to, whitespace and padding aside, or what an omitted payload's marker says", () => {
    expect(base64Size(PNG)).toBe(70);
    expect(base64Size(`${PNG.slice(0, 64)}\r\n${PNG.slice(64)}\n`)).toBe(70);
    expect(base64Size("")).toBe(0);
    expect(base64Size("[300000 bytes omitted]")).toBe(300_000);
  });
});
