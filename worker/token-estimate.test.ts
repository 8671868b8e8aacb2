import { describe, expect, it } from "vitest";
import { MAX_ANSWERS, MAX_IMAGES, MAX_OUTPUT_TOKENS, MAX_PROMPTS } from "../src/core.ts";
import {
  apiOfPath,
  askedOutputLimit,
  callsOutEstimate,
  countedImageRequest,
  countPastBounds,
  imageOutputTokens,
  pngPixels,
  inputEstimate,
  type ModelApi,
  outputLimitUnset,
  pastModelBounds,
  promptEstimate,
  tokenEstimate,
  unmeteredCallEstimate,
} from "./token-estimate.ts";

// docs/PROXY-REFERENCE.md's numbers, pinned here rather than read from the module: "plus 1,600 tokens for each
// image", and an output limit unset "else 4,096" (the limit an imported model is then sent).
const IMAGE_TOKENS = 1600;
const DEFAULT_OUTPUT_ESTIMATE = 4096;
// The markup allowance: 64 a request, 8 a turn (chat messages, Responses input items and instructions).
const markup = (turns: number) => 64 + 8 * turns;
const HELLO = [{ role: "user", content: "Hello there, how are you?" }];
// "llama" + "user" + "Hello there, how are you?": 34 characters.
const HELLO_PROMPT = Math.ceil(34 / 4);

describe("the API a path serves", () => {
  it("with or without /v1", () => {
    expect(["/v1/chat/completions", "/chat/completions"].map(apiOfPath)).toEqual(["chat", "chat"]);
    expect(["/v1/completions", "/completions"].map(apiOfPath)).toEqual(["completions", "completions"]);
    expect(["/v1/responses", "/responses"].map(apiOfPath)).toEqual(["responses", "responses"]);
    expect(["/v1/embeddings", "/embeddings/"].map(apiOfPath)).toEqual(["embeddings", "embeddings"]);
    expect(["/v1/images/generations", "/images/generations/"].map(apiOfPath)).toEqual(["images", "images"]);
  });

  it("counts an image edit or variation as an image request: its prompt and the images it draws (imgedit41)", () => {
    expect(["/v1/images/edits", "/images/edits/"].map(apiOfPath)).toEqual(["images", "images"]);
    expect(["/v1/images/variations", "/images/variations"].map(apiOfPath)).toEqual(["images", "images"]);
    // A variation has no prompt: its input counts nothing, its n images as generation's do.
    expect(tokenEstimate({ n: 2, size: "1024x1024" }, "images", undefined)).toBe(2 * 1056);
  });
});

describe("an image request's estimate", () => {
  it("is its prompt's estimate as input, and n images of OpenAI's gpt-image-1 counts as output (imgr39 #1)", () => {
    // 20 ASCII characters: 5 tokens; the size, n and model are no input.
    const body = { model: "a-long-model-name-that-is-no-input", prompt: "x".repeat(20), size: "1024x1024", n: 3 };
    expect(inputEstimate(body, "images")).toBe(5);
    // Three standard 1024x1024 images, each OpenAI's 1,056 tokens of a medium one.
    expect(tokenEstimate(body, "images", undefined)).toBe(5 + 3 * 1056);
    expect(outputLimitUnset(body, "images", undefined)).toBe(false);
    expect(askedOutputLimit({ ...body, max_tokens: 5 }, "images")).toBeUndefined();
  });

  it("counts an image by its quality (premium as OpenAI's high) and its pixels, at most its size's and at least 1024x1024 before it is drawn (codereview40 #1)", () => {
    expect(imageOutputTokens({ quality: "high" })).toBe(4160);
    expect(imageOutputTokens({ quality: "hd", size: "1024x1024" })).toBe(4160);
    for (const quality of [undefined, "standard", "low", "medium", "auto"])
      expect(imageOutputTokens({ quality })).toBe(1056);
    // OpenAI's own counts for 1536x1024: 1,584 at medium, 6,240 at high.
    expect(imageOutputTokens({ size: "1536x1024" })).toBe(1584);
    expect(imageOutputTokens({ size: "1536x1024", quality: "high" })).toBe(6240);
    // Before it is drawn, a small size counts a megapixel: Stability draws about one whatever the
    // size says ("1x1" is 1024x1024 there), and the family is not known yet.
    for (const size of ["320x320", "1x1", "auto", "big", null, 12]) expect(imageOutputTokens({ size })).toBe(1056);
    // A size past what any image model draws (the library refuses it) counts no more than the most.
    expect(imageOutputTokens({ size: "99999x99999" })).toBe(4 * 1056);
    expect(imageOutputTokens({ size: "4096x4096", quality: "hd" })).toBe(4 * 4160);
    expect(imageOutputTokens({}, 65535 * 65535)).toBe(4 * 1056);
    // Once drawn, the pixels it has.
    expect(imageOutputTokens({ size: "1x1" }, 1344 * 768)).toBe(Math.ceil((1056 * 1344 * 768) / 1024 ** 2));
    expect(imageOutputTokens({ size: "320x320" }, 320 * 320)).toBe(Math.ceil((1056 * 320 * 320) / 1024 ** 2));
    // Five premium images cost far more than one standard one, whatever the prompt.
    const one = tokenEstimate({ prompt: "a", size: "320x320" }, "images", undefined);
    const large = tokenEstimate({ prompt: "a", size: "1024x1024", n: 5, quality: "high" }, "images", undefined);
    expect(large).toBe(1 + 5 * 4160);
    expect(large).toBeGreaterThan(19 * one);
  });

  it("reads a drawn image's pixels from its PNG header, and nothing from anything else", () => {
    // A PNG's signature, then its IHDR chunk: length 13, "IHDR", width 1344, height 768.
    const header = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52];
    const png = btoa(String.fromCharCode(...header, 0, 0, 5, 64, 0, 0, 3, 0, 8, 0, 0, 0, 0));
    expect(pngPixels(png)).toBe(1344 * 768);
    for (const other of ["", "not base64!", btoa("GIF89a".padEnd(30, "x")), png.slice(0, 20)]) {
      expect(pngPixels(other)).toBeUndefined();
    }
  });
});

/** A PNG's first 33 bytes: its signature and IHDR (8-bit RGBA), all the size needs. */
function pngHead(width: number, height: number): Uint8Array {
  const head = new Uint8Array(33);
  head.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  const view = new DataView(head.buffer);
  view.setUint32(16, width);
  view.setUint32(20, height);
  head.set([8, 6], 24);
  return head;
}

/** A JPEG's start: SOI, APP segments of these lengths, then its frame header (SOF0) of this size. */
function jpegHead(width: number, height: number, ...appBytes: number[]): Uint8Array {
  const apps = appBytes.flatMap((bytes) => [
    0xff,
    0xe1,
    (bytes + 2) >> 8,
    (bytes + 2) & 255,
    ...new Array<number>(bytes).fill(0),
  ]);
  const sof = [
    0xff,
    0xc0,
    0,
    17,
    8,
    height >> 8,
    height & 255,
    width >> 8,
    width & 255,
    3,
    ...new Array<number>(9).fill(1),
  ];
  return new Uint8Array([0xff, 0xd8, ...apps, ...sof]);
}

const file = (bytes: Uint8Array) => new File([bytes as Uint8Array<ArrayBuffer>], "image", { type: "image/png" });

describe("an edit's estimate: its images at its image's size (imgeditr41 #2)", () => {
  const EDITS = "/v1/images/edits";
  /** The request as its images are counted, on the edits path unless another is given. */
  const counted = async (body: Record<string, unknown>, path = EDITS) =>
    (await countedImageRequest(body, path)).counted;
  // OpenAI's 1,056 tokens of a standard 1024x1024 image, in proportion to the pixels.
  const standard = (pixels: number) => Math.ceil((1056 * pixels) / 1024 ** 2);

  it("reads a PNG's or a JPEG's header, sent as a file or a data URL, the first of image[]", async () => {
    const png = await counted({ model: "m", prompt: "a", n: 2, image: file(pngHead(2048, 2032)) });
    expect(png.size).toBe("2048x2032");
    // The prompt "a" and two images of 2048x2032: four times what a megapixel reserved.
    expect(tokenEstimate(png, "images", undefined)).toBe(1 + 2 * standard(2048 * 2032));
    const auto = await counted({ model: "m", size: "auto", image: file(pngHead(1536, 1024)) }, "/images/edits/");
    expect(auto.size).toBe("1536x1024");
    // Its frame header after three APP segments of 64 KiB (Exif, ICC, Photoshop's).
    const jpeg = await counted({ model: "m", image: file(jpegHead(1280, 720, 14, 65_533, 65_533, 65_533)) });
    expect(jpeg.size).toBe("1280x720");
    const dataUrl = `data:image/png;base64,${btoa(String.fromCharCode(...pngHead(1600, 1200)))}`;
    expect((await counted({ model: "m", image: dataUrl })).size).toBe("1600x1200");
    // A side of 4,096 is one a model draws: 4096x512 (2.1 megapixels) is not counted as the largest image.
    expect((await counted({ model: "m", image: file(pngHead(4096, 512)) })).size).toBe("4096x512");
    expect((await counted({ model: "m", image: file(pngHead(512, 4096)) })).size).toBe("512x4096");
    const first = await counted({ model: "m", image: [file(pngHead(1024, 2048)), file(pngHead(320, 320))] });
    expect(first.size).toBe("1024x2048");
    // A small image counts a megapixel, as a generation's small size does.
    const small = await counted({ model: "m", image: file(pngHead(320, 320)) });
    expect(imageOutputTokens(small)).toBe(1056);
  });

  it("counts an image whose size it cannot read, or with a side no model draws, as the largest image", async () => {
    const unread = [
      file(new TextEncoder().encode("GIF89a")),
      file(pngHead(0, 512)),
      // A frame header past the first 256 KiB, after four APP segments of 64 KiB, is not looked for.
      file(jpegHead(512, 512, 65_533, 65_533, 65_533, 65_533)),
      file(pngHead(8192, 256)),
      file(pngHead(256, 8192)),
      file(pngHead(4097, 4097)),
      "data:image/png;base64,!!!!",
      "https://example.com/image.png",
      undefined,
    ];
    for (const image of unread) {
      const request = await counted({ model: "m", image });
      expect(request.size).toBe("2048x2048");
      expect(imageOutputTokens(request)).toBe(4 * 1056);
    }
  });

  it("checks it against its model at the size asked or read, never at the largest image it assumed (codereview45 #2)", async () => {
    const bounds = { answers: 5, pixels: 5 * 1024 * 1024 };
    const past = async (body: Record<string, unknown>) => {
      const { checked } = await countedImageRequest(body, EDITS);
      return { size: checked.size, past: pastModelBounds(checked, "images", undefined, undefined, bounds) };
    };
    // Its frame header past the first 256 KiB: two images of an unread size, counted at 2048x2048
    // (8,388,608 pixels) but checked as asked, a megapixel each at least.
    const unread: Record<string, unknown> = {
      model: "m",
      n: 2,
      image: file(jpegHead(512, 512, 65_533, 65_533, 65_533, 65_533)),
    };
    expect((await countedImageRequest(unread, EDITS)).counted.size).toBe("2048x2048");
    expect(await past(unread)).toEqual({ size: undefined, past: false });
    expect(await past({ ...unread, size: "auto" })).toEqual({ size: "auto", past: false });
    // A count the client asked past its model is still one: n over its most, a size read or asked.
    expect(await past({ ...unread, n: 6 })).toMatchObject({ past: true });
    expect(await past({ model: "m", n: 2, image: file(pngHead(2048, 2048)) })).toEqual({
      size: "2048x2048",
      past: true,
    });
    expect(await past({ ...unread, size: "2048x2048" })).toEqual({ size: "2048x2048", past: true });
  });

  it("leaves a size an edit sets, and a generation or a variation, as sent: they draw at the size asked", async () => {
    const image = file(pngHead(2048, 2032));
    const sized = { model: "m", size: "2048x2032", image };
    expect(await counted(sized)).toBe(sized);
    for (const path of ["/v1/images/generations", "/v1/images/variations", "/v1/chat/completions"]) {
      const body = { model: "m", image };
      expect(await counted(body, path)).toBe(body);
    }
  });
});

describe("an embeddings request's estimate", () => {
  it("is its input texts' estimate alone: no markup, no output, not its model or other fields", () => {
    // 40 ASCII characters in all: 10 tokens.
    const body = {
      model: "a-long-model-name-that-is-no-input",
      input: ["x".repeat(16), "y".repeat(24)],
      dimensions: 256,
    };
    expect(inputEstimate(body, "embeddings")).toBe(10);
    expect(tokenEstimate(body, "embeddings", undefined)).toBe(10);
    expect(tokenEstimate({ ...body, input: "z".repeat(8) }, "embeddings", 4096)).toBe(2);
    expect(outputLimitUnset(body, "embeddings", undefined)).toBe(false);
    expect(askedOutputLimit({ ...body, max_tokens: 5 }, "embeddings")).toBeUndefined();
  });
});

describe("the output limit a request asked for, in its API's own field", () => {
  it("chat: max_completion_tokens over max_tokens, a null one left for the other", () => {
    expect(askedOutputLimit({ max_completion_tokens: 10, max_tokens: 20 }, "chat")).toBe(10);
    expect(askedOutputLimit({ max_completion_tokens: null, max_tokens: 20 }, "chat")).toBe(20);
  });

  it("another API's field is not this one's limit", () => {
    expect(askedOutputLimit({ max_tokens: 20, max_completion_tokens: 5 }, "completions")).toBe(20);
    expect(askedOutputLimit({ max_tokens: 20 }, "responses")).toBeUndefined();
    expect(askedOutputLimit({ max_output_tokens: 20 }, "chat")).toBeUndefined();
  });
});

describe("a request whose output no limit bounds", () => {
  it("sets none, or null, on a model without max_output_tokens", () => {
    const chat = { model: "m", messages: HELLO };
    expect(outputLimitUnset(chat, "chat", undefined)).toBe(true);
    expect(outputLimitUnset({ ...chat, max_tokens: null, max_completion_tokens: null }, "chat", undefined)).toBe(true);
    expect(outputLimitUnset({ model: "m", input: "Hi" }, "responses", undefined)).toBe(true);
  });

  it("not when it sets one (even one the library will refuse), its model caps it, or it is a legacy completion", () => {
    const chat = { model: "m", messages: HELLO };
    expect(outputLimitUnset({ ...chat, max_tokens: 10 }, "chat", undefined)).toBe(false);
    expect(outputLimitUnset({ ...chat, max_completion_tokens: 10 }, "chat", undefined)).toBe(false);
    expect(outputLimitUnset({ ...chat, max_tokens: "lots" }, "chat", undefined)).toBe(false);
    expect(outputLimitUnset({ model: "m", input: "Hi", max_output_tokens: 10 }, "responses", undefined)).toBe(false);
    expect(outputLimitUnset({ model: "m", input: "Hi", max_tokens: 10 }, "responses", undefined)).toBe(true);
    expect(outputLimitUnset(chat, "chat", 2048)).toBe(false);
    expect(outputLimitUnset({ model: "m", prompt: "Hi" }, "completions", undefined)).toBe(false);
    const claude = { modelIds: ["us.anthropic.claude-sonnet-4-20250514-v1:0"] };
    expect(outputLimitUnset({ ...chat, reasoning_effort: "high" }, "chat", undefined, claude)).toBe(false);
    expect(outputLimitUnset(chat, "chat", undefined, claude)).toBe(true);
  });
});

describe("what the estimate reads (the fourth limits review: bursts went 2 to 3 times over the day)", () => {
  it("a path with a trailing slash is the same API", () => {
    expect(["/v1/chat/completions/", "/v1/responses/", "/v1/completions/"].map(apiOfPath)).toEqual([
      "chat",
      "responses",
      "completions",
    ]);
  });

  it("a character beyond ASCII is a token (Chinese, Japanese, Korean), an astral one too, not a quarter of one", () => {
    // "m" + "user": 5 ASCII characters.
    expect(promptEstimate({ model: "m", messages: [{ role: "user", content: "你好，世界😀" }] })).toBe(2 + 6);
  });

  it("a data: URL in text is text as the model reads it; only an image part's URL is an image", () => {
    const text = `data:,${"x".repeat(4000)}`;
    expect(promptEstimate({ model: "m", messages: [{ role: "user", content: text }] })).toBe(
      Math.ceil((5 + text.length) / 4),
    );
    const image = `data:image/png;base64,${"A".repeat(4000)}`;
    expect(promptEstimate({ model: "m", messages: [{ role: "user", content: image }] })).toBe(
      Math.ceil((5 + image.length) / 4),
    );
  });

  it("tools count as the JSON a template writes of them, property names and punctuation included", () => {
    const tools = [
      {
        type: "function",
        function: {
          name: "f",
          parameters: { type: "object", properties: { a_long_property_name: { type: "integer", maximum: 100 } } },
        },
      },
    ];
    const body = { model: "m", messages: [], tools };
    expect(promptEstimate(body)).toBe(Math.ceil((1 + JSON.stringify(tools).length) / 4));
  });
});

describe("a request's token estimate", () => {
  it("its text / 4, and a flat allowance an image, whatever its bytes or URL", () => {
    const image = (url: string) => ({ type: "image_url", image_url: { url } });
    const data = image(`data:image/png;base64,${"A".repeat(4000)}`);
    // "llama" and "user": an image's part is not text. Before, an image counted 0.
    expect(promptEstimate({ model: "llama", messages: [{ role: "user", content: [data] }] })).toBe(
      Math.ceil((5 + 4) / 4) + IMAGE_TOKENS,
    );
    const content = [{ type: "text", text: "What is this?" }, data, image("https://example.com/cat.png")];
    expect(promptEstimate({ model: "llama", messages: [{ role: "user", content }] })).toBe(
      Math.ceil((5 + 4 + 4 + 13) / 4) + 2 * IMAGE_TOKENS,
    );
    // The Responses API's input_image, by data: URL or by address.
    const input = [
      {
        role: "user",
        content: [
          { type: "input_image", image_url: "data:image/jpeg;base64,/9j/4AAQ" },
          { type: "input_image", image_url: "https://example.com/dog.jpg", detail: "high" },
        ],
      },
    ];
    expect(promptEstimate({ model: "llama", input })).toBe(Math.ceil((5 + 4) / 4) + 2 * IMAGE_TOKENS);
  });

  it("a document by its decoded bytes: 4 a token for text types, 16 for others (a PDF), never its base64 as text", () => {
    const pdf = `data:application/pdf;base64,${"A".repeat(6_000_000)}`;
    const file = (file_data: string, filename?: string) => ({ type: "file", file: { file_data, filename } });
    // "llama" and "user", the filename's "report.pdf", and 4,500,000 bytes of PDF / 16.
    expect(promptEstimate({ model: "llama", messages: [{ role: "user", content: [file(pdf, "report.pdf")] }] })).toBe(
      Math.ceil((5 + 4 + 10) / 4) + 4_500_000 / 16,
    );
    const text = `data:text/plain;base64,${"A".repeat(4000)}`;
    expect(promptEstimate({ model: "llama", messages: [{ role: "user", content: [file(text)] }] })).toBe(
      Math.ceil((5 + 4) / 4) + 3000 / 4,
    );
    // The Responses API's input_file keeps its data on the part.
    const input = [{ role: "user", content: [{ type: "input_file", file_data: pdf }] }];
    expect(promptEstimate({ model: "llama", input })).toBe(Math.ceil((5 + 4) / 4) + 4_500_000 / 16);
  });

  // Review docs38 #2, #3, #4, #6.
  const fileMessage = (file_data: string, filename?: string) => ({
    model: "llama",
    messages: [{ role: "user", content: [{ type: "file", file: { file_data, filename } }] }],
  });
  const base64 = (text: string) => btoa(text);

  it("a document as the format the converse route sends it as: a text file labelled binary is text", () => {
    const notes = base64("n".repeat(4000));
    // "llama" and "user" (9 characters), the filename, then the document.
    expect(promptEstimate(fileMessage(`data:application/octet-stream;base64,${notes}`, "notes.txt"))).toBe(
      Math.ceil((9 + 9) / 4) + 4000 / 4,
    );
    // Windows labels a .csv file as Excel: it is still its text.
    expect(promptEstimate(fileMessage(`data:application/vnd.ms-excel;base64,${notes}`, "sales.csv"))).toBe(
      Math.ceil((9 + 9) / 4) + 4000 / 4,
    );
  });

  it("a PDF at least 1,500 tokens a page, where its page objects are written plainly", () => {
    const page = "3 0 obj << /Type /Page /Parent 2 0 R >> endobj\n";
    const pdf = base64(`%PDF-1.4\n2 0 obj << /Type /Pages /Count 100 >> endobj\n${page.repeat(100)}%%EOF`);
    expect(promptEstimate(fileMessage(`data:application/pdf;base64,${pdf}`, "r.pdf"))).toBe(
      Math.ceil((9 + 5) / 4) + 100 * 1500,
    );
  });

  it("a filename as the 200 characters a document's name keeps", () => {
    const estimate = promptEstimate(fileMessage(`data:text/plain;base64,${base64("abcd")}`, "n".repeat(1_000_000)));
    expect(estimate).toBe(Math.ceil((9 + 200) / 4) + 1);
  });

  it("chat: prompt, markup, and the output limit asked for", () => {
    const body = { model: "llama", messages: HELLO, max_tokens: 20 };
    expect(tokenEstimate(body, "chat", undefined)).toBe(HELLO_PROMPT + markup(1) + 20);
    // Within the model's cap, as asked; above it, the cap (the library refuses more: codereview44 #2).
    expect(tokenEstimate(body, "chat", 50)).toBe(HELLO_PROMPT + markup(1) + 20);
    expect(tokenEstimate(body, "chat", 10)).toBe(HELLO_PROMPT + markup(1) + 10);
  });

  it("chat without a limit: the model's max_output_tokens, else the default", () => {
    const body = { model: "llama", messages: HELLO };
    expect(tokenEstimate(body, "chat", 500)).toBe(HELLO_PROMPT + markup(1) + 500);
    expect(tokenEstimate(body, "chat", undefined)).toBe(HELLO_PROMPT + markup(1) + DEFAULT_OUTPUT_ESTIMATE);
  });

  it("chat: n answers, each up to the limit", () => {
    expect(tokenEstimate({ model: "llama", messages: HELLO, max_tokens: 20, n: 3 }, "chat", undefined)).toBe(
      HELLO_PROMPT + markup(1) + 60,
    );
  });

  it("a value that is no count of tokens is no limit (the request is refused later, having used nothing)", () => {
    for (const max_tokens of [0, -5, 1.5, "20", null, true, 1e300]) {
      expect(tokenEstimate({ model: "llama", messages: HELLO, max_tokens }, "chat", 500), String(max_tokens)).toBe(
        HELLO_PROMPT + markup(1) + 500,
      );
    }
    expect(tokenEstimate({ model: "llama", messages: HELLO, max_tokens: 20, n: "3" }, "chat", undefined)).toBe(
      HELLO_PROMPT + markup(1) + 20,
    );
  });

  it("a count past the library's bounds multiplies nothing: counted as unset, the library refuses it (precheck43 #4)", () => {
    const chat = { model: "llama", messages: HELLO, max_tokens: 20 };
    expect(tokenEstimate({ ...chat, n: MAX_ANSWERS }, "chat", undefined)).toBe(
      HELLO_PROMPT + markup(1) + 20 * MAX_ANSWERS,
    );
    expect(tokenEstimate({ ...chat, n: MAX_ANSWERS + 1 }, "chat", undefined)).toBe(HELLO_PROMPT + markup(1) + 20);
    expect(tokenEstimate({ ...chat, max_tokens: MAX_OUTPUT_TOKENS }, "chat", undefined)).toBe(
      HELLO_PROMPT + markup(1) + MAX_OUTPUT_TOKENS,
    );
    expect(tokenEstimate({ ...chat, max_tokens: MAX_OUTPUT_TOKENS + 1 }, "chat", 500)).toBe(
      HELLO_PROMPT + markup(1) + 500,
    );
    const responses = { model: "llama", input: "Hello there" };
    expect(tokenEstimate({ ...responses, max_output_tokens: MAX_OUTPUT_TOKENS + 1 }, "responses", 500)).toBe(
      tokenEstimate(responses, "responses", 500),
    );
    // "llama" + "Hello there": 4 tokens a call.
    const completion = { model: "llama", prompt: "Hello there", max_tokens: 10 };
    for (const field of ["n", "best_of"]) {
      expect(tokenEstimate({ ...completion, [field]: MAX_ANSWERS }, "completions", undefined), field).toBe(
        (4 + 10) * MAX_ANSWERS,
      );
      expect(tokenEstimate({ ...completion, [field]: MAX_ANSWERS + 1 }, "completions", undefined), field).toBe(4 + 10);
    }
    // A list of prompts past the bound: each prompt's text counts, no answer more than one.
    const prompts = { model: "llama", prompt: Array(MAX_PROMPTS + 1).fill("Hi"), max_tokens: 10 };
    expect(tokenEstimate(prompts, "completions", undefined)).toBe(promptEstimate(prompts) + 10);
    const image = { prompt: "a cat", size: "1024x1024" };
    expect(tokenEstimate({ ...image, n: MAX_IMAGES }, "images", undefined)).toBe(2 + MAX_IMAGES * 1056);
    expect(tokenEstimate({ ...image, n: MAX_IMAGES + 1 }, "images", undefined)).toBe(2 + 1056);
  });

  it("countPastBounds: a count the estimate multiplies, past the library's bound, on the API that multiplies it", () => {
    const past: Array<[Record<string, unknown>, ModelApi]> = [
      [{ n: MAX_ANSWERS + 1 }, "chat"],
      [{ n: 1e300 }, "chat"],
      [{ max_tokens: MAX_OUTPUT_TOKENS + 1 }, "chat"],
      [{ max_completion_tokens: MAX_OUTPUT_TOKENS + 0.5 }, "chat"],
      [{ n: MAX_ANSWERS + 1 }, "completions"],
      [{ best_of: MAX_ANSWERS + 1 }, "completions"],
      [{ max_tokens: MAX_OUTPUT_TOKENS + 1 }, "completions"],
      [{ prompt: Array(MAX_PROMPTS + 1).fill("Hi") }, "completions"],
      [{ max_output_tokens: MAX_OUTPUT_TOKENS + 1 }, "responses"],
      [{ n: MAX_IMAGES + 1 }, "images"],
    ];
    for (const [body, api] of past) expect(countPastBounds(body, api), `${api} ${JSON.stringify(body)}`).toBe(true);
    const within: Array<[Record<string, unknown>, ModelApi]> = [
      [{ n: MAX_ANSWERS, max_tokens: MAX_OUTPUT_TOKENS, max_completion_tokens: MAX_OUTPUT_TOKENS }, "chat"],
      [{ n: MAX_ANSWERS, best_of: MAX_ANSWERS, prompt: Array(MAX_PROMPTS).fill("Hi") }, "completions"],
      [{ max_output_tokens: MAX_OUTPUT_TOKENS }, "responses"],
      [{ n: MAX_IMAGES }, "images"],
      // Not a count the estimate multiplies on that API: the library judges it (best_of on chat).
      [{ best_of: 1000, max_output_tokens: 2e6 }, "chat"],
      [{ max_tokens: 2e6 }, "responses"],
      [{ n: 1000 }, "embeddings"],
      // No number: no count (the library refuses it; the estimate counts it as unset).
      [{ n: "1000", max_tokens: null, prompt: "Hi" }, "completions"],
    ];
    for (const [body, api] of within) expect(countPastBounds(body, api), `${api} ${JSON.stringify(body)}`).toBe(false);
  });

  it("legacy Completions: the prompt as it is (no markup), 16 tokens unless asked, within the cap", () => {
    // "llama" + "Hello there": 16 characters.
    const body = { model: "llama", prompt: "Hello there" };
    expect(tokenEstimate(body, "completions", undefined)).toBe(4 + 16);
    expect(tokenEstimate(body, "completions", 10)).toBe(4 + 10);
    expect(tokenEstimate({ ...body, max_tokens: 100 }, "completions", 1000)).toBe(4 + 100);
  });

  it("legacy Completions: every prompt answered, and sent, max(n, best_of) times", () => {
    // bedrock_completion sends each prompt in a call of its own per answer, and Bedrock bills each:
    // the input counts once per call (the third review: n 8 reserved 7,630 and used 60,128).
    const body = { model: "llama", prompt: ["Hello", "there"], max_tokens: 10 };
    expect(tokenEstimate({ ...body, n: 2 }, "completions", undefined)).toBe(4 * 2 + 2 * 2 * 10);
    expect(tokenEstimate({ ...body, n: 2, best_of: 5 }, "completions", undefined)).toBe(4 * 5 + 2 * 5 * 10);
    expect(inputEstimate({ ...body, n: 8 }, "completions")).toBe(4 * 8);
    expect(inputEstimate({ model: "llama", messages: [], n: 8 }, "chat")).toBe(2);
  });

  it("Responses: max_output_tokens; a string input is one turn, instructions another", () => {
    // "llama" + "Hello there": 16 characters; with "Be brief.", 25.
    expect(tokenEstimate({ model: "llama", input: "Hello there", max_output_tokens: 30 }, "responses", 500)).toBe(
      4 + markup(1) + 30,
    );
    const items = [
      { role: "user", content: "Hello" },
      { role: "assistant", content: "there" },
    ];
    expect(tokenEstimate({ model: "llama", input: items, instructions: "Be brief." }, "responses", undefined)).toBe(
      Math.ceil((5 + 4 + 5 + 9 + 5 + 9) / 4) + markup(3) + DEFAULT_OUTPUT_ESTIMATE,
    );
  });

  describe("a converse model with Claude's thinking: the output limit the library sends", () => {
    const CLAUDE = { modelIds: ["us.anthropic.claude-sonnet-4-20250514-v1:0"] };
    const PROVE = [{ role: "user", content: "Prove it." }];
    // The prompt's part, which the tests above check: every string in the body counts as text.
    const prompt = (body: Record<string, unknown>) => promptEstimate(body) + markup(1);

    it("reasoning_effort with no limit: the thinking budget and the answer's room (the review's xhigh: 36,864)", () => {
      const streamed = { model: "claude", messages: PROVE, reasoning_effort: "xhigh", stream: true };
      // Before, 4,096: the library let Bedrock use nine times the reservation.
      expect(tokenEstimate(streamed, "chat", undefined, CLAUDE)).toBe(prompt(streamed) + 36_864);
      // Plain Converse takes at most 21,333 with thinking on.
      expect(tokenEstimate({ ...streamed, stream: false }, "chat", undefined, CLAUDE)).toBe(prompt(streamed) + 21_333);
      const high = { ...streamed, reasoning_effort: "high" };
      expect(tokenEstimate(high, "chat", undefined, CLAUDE)).toBe(prompt(high) + 20_480);
      // On the Responses API, reasoning.effort.
      const responses = { model: "claude", input: "Prove it.", reasoning: { effort: "xhigh" }, stream: true };
      expect(tokenEstimate(responses, "responses", undefined, CLAUDE)).toBe(prompt(responses) + 36_864);
    });

    it("the model's reasoning_budget when the request names no effort, and nothing when it turns reasoning off", () => {
      const body = { model: "claude", messages: PROVE, stream: true };
      expect(tokenEstimate(body, "chat", undefined, { ...CLAUDE, reasoningBudget: 30_000 })).toBe(
        prompt(body) + 30_000 + 4096,
      );
      const off = { ...body, reasoning_effort: "none" };
      expect(tokenEstimate(off, "chat", undefined, { ...CLAUDE, reasoningBudget: 30_000 })).toBe(
        prompt(off) + DEFAULT_OUTPUT_ESTIMATE,
      );
    });

    it("the request's own limit or the model's cap is what is sent (the budget shrinks to fit)", () => {
      const body = { model: "claude", messages: PROVE, reasoning_effort: "xhigh", stream: true };
      expect(tokenEstimate({ ...body, max_tokens: 2000 }, "chat", undefined, CLAUDE)).toBe(prompt(body) + 2000);
      expect(tokenEstimate(body, "chat", 8000, CLAUDE)).toBe(prompt(body) + 8000);
    });

    it("the largest of its deployments'; a model that takes no budget keeps the default", () => {
      const body = { model: "claude", messages: PROVE, reasoning_effort: "high", stream: true };
      const mixed = { modelIds: ["amazon.nova-2-lite-v1:0", ...CLAUDE.modelIds] };
      expect(tokenEstimate(body, "chat", undefined, mixed)).toBe(prompt(body) + 20_480);
      expect(tokenEstimate(body, "chat", undefined, { modelIds: ["amazon.nova-2-lite-v1:0"] })).toBe(
        prompt(body) + DEFAULT_OUTPUT_ESTIMATE,
      );
    });
  });
});

describe("a call Bedrock answered without counts (BedrockEdgeError.unmeteredCalls)", () => {
  const body = { prompt: ["Once upon a time", "BAD", "Far away"] };
  it("a stream's: its prompt's estimate and a token a chunk", () => {
    expect(unmeteredCallEstimate(body, { prompt: 2, chunks: 5 })).toBe(promptEstimate({ prompt: "Far away" }) + 5);
  });

  it("a plain answer's: its prompt's estimate and its text's (codereview15 #2)", () => {
    const text = "x".repeat(400);
    expect(unmeteredCallEstimate(body, { prompt: 0, chunks: 0, text })).toBe(
      promptEstimate({ prompt: "Once upon a time" }) + 100,
    );
  });

  it("an image call's: the images it drew, each as imageOutputTokens counts one (imgr39 #2), its request's prompt counted once beside its calls (codereview40 #2)", () => {
    const images = { model: "sd", prompt: "x".repeat(40), size: "1536x1024", quality: "high" };
    expect(unmeteredCallEstimate(images, { prompt: 0, chunks: 0, images: 1 })).toBe(6240);
    // Sent and never answered (a call per image): the image it may have drawn, which Bedrock bills.
    expect(unmeteredCallEstimate(images, { prompt: 0, chunks: 0, images: 0 })).toBe(6240);
  });

  it("an embeddings call's: its texts' estimate alone, as an embeddings request's input (embedr38 #3)", () => {
    const texts = ["x".repeat(400), "y".repeat(40)];
    const embeddings = { model: "vectors", input: ["first", ...texts] };
    expect(unmeteredCallEstimate(embeddings, { prompt: 1, chunks: 0, texts })).toBe(110);
    expect(unmeteredCallEstimate(embeddings, { prompt: 1, chunks: 0, texts })).toBe(
      inputEstimate({ input: texts }, "embeddings"),
    );
  });
});

describe("a request of several calls left with some of them out (Uncounted.out): those alone", () => {
  it("an embeddings request's: the texts of the calls out (codereview39 #2)", () => {
    const body = { model: "vectors", input: ["a".repeat(40), "b".repeat(400), "c".repeat(4000), "d".repeat(40_000)] };
    // A Cohere call of the two middle texts waited (or was never sent); the others were out.
    const out = [
      { prompt: 0, texts: [body.input[0]!] },
      { prompt: 3, texts: [body.input[3]!] },
    ];
    expect(callsOutEstimate(body, "embeddings", out)).toBe(10 + 10_000);
    const all = [...out, { prompt: 1, texts: [body.input[1]!, body.input[2]!] }];
    expect(callsOutEstimate(body, "embeddings", all)).toBe(inputEstimate(body, "embeddings"));
    expect(callsOutEstimate({ input: "one text" }, "embeddings", [])).toBe(0);
    // A call out that does not list its texts: the one text at its index, not none.
    expect(callsOutEstimate(body, "embeddings", [{ prompt: 1 }])).toBe(100);
  });

  it("an image request's: its prompt once, as its answer counts it, and an image per call out, none if no call is out (codereview39 #2)", () => {
    const body = { model: "drawings", prompt: "x".repeat(400), n: 3 };
    // Not a prompt's estimate per call out: the answer counts it once, whatever n. Each call out
    // may draw its image, which Bedrock bills.
    expect(callsOutEstimate(body, "images", [{ prompt: 0 }, { prompt: 0 }])).toBe(100 + 2 * 1056);
    expect(callsOutEstimate(body, "images", [])).toBe(0);
  });

  it("a legacy batch's: each call out, n calls a prompt (codereview35 #2)", () => {
    const body = { prompt: ["x".repeat(400), "y".repeat(40)], n: 2 };
    expect(callsOutEstimate(body, "completions", [{ prompt: 0 }, { prompt: 1 }])).toBe(100 + 10);
    expect(callsOutEstimate(body, "completions", [{ prompt: 0 }, { prompt: 0 }, { prompt: 1 }])).toBe(200 + 10);
  });
});

describe("counts past what the model takes count as the most it takes (codereview44 #1, #2)", () => {
  const ask = (fields: Record<string, unknown>) => ({ model: "llama", messages: HELLO, ...fields });

  it("an output limit above the model's max_output_tokens counts as the cap: the library refuses more", () => {
    expect(tokenEstimate(ask({ max_tokens: 1_000_000 }), "chat", 100)).toBe(HELLO_PROMPT + markup(1) + 100);
    expect(tokenEstimate(ask({ max_completion_tokens: 5000 }), "chat", 100)).toBe(
      tokenEstimate(ask({ max_completion_tokens: 100 }), "chat", 100),
    );
    const legacy = { model: "llama", prompt: "Hi", max_tokens: 5000 };
    expect(tokenEstimate(legacy, "completions", 100)).toBe(
      tokenEstimate({ ...legacy, max_tokens: 100 }, "completions", 100),
    );
    const responses = { model: "llama", input: "Hi", max_output_tokens: 5000 };
    expect(tokenEstimate(responses, "responses", 100)).toBe(
      tokenEstimate({ ...responses, max_output_tokens: 100 }, "responses", 100),
    );
    // Within the cap, as asked.
    expect(tokenEstimate(ask({ max_tokens: 60 }), "chat", 100)).toBe(HELLO_PROMPT + markup(1) + 60);
  });

  it("chat's n on a converse model is one answer: Converse returns one choice (n dropped, or refused)", () => {
    const claude = { modelIds: ["us.anthropic.claude-sonnet-4-20250514-v1:0"] };
    const many = ask({ n: 128, max_tokens: 1000 });
    expect(tokenEstimate(many, "chat", undefined, claude)).toBe(promptEstimate(many) + markup(1) + 1000);
    // On another route, n answers.
    expect(tokenEstimate(many, "chat", undefined)).toBe(promptEstimate(many) + markup(1) + 128 * 1000);
  });

  it("answers past the model's bound (its max_n; a per-call format's calls) count as the bound", () => {
    const many = ask({ n: 128, max_tokens: 1000 });
    expect(tokenEstimate(many, "chat", undefined, undefined, { answers: 2 })).toBe(
      promptEstimate(many) + markup(1) + 2 * 1000,
    );
    expect(tokenEstimate(ask({ n: 2, max_tokens: 1000 }), "chat", undefined, undefined, { answers: 4 })).toBe(
      promptEstimate(ask({ n: 2, max_tokens: 1000 })) + markup(1) + 2 * 1000,
    );
    // 128 prompts answered twice each: 256 generations, of which the library runs at most 128.
    const legacy = { model: "llama", prompt: Array(128).fill("hi"), n: 2, max_tokens: 10 };
    expect(tokenEstimate(legacy, "completions", undefined, undefined, { answers: 128 })).toBe(
      promptEstimate(legacy) * 2 + 128 * 10,
    );
    // Each prompt answered at most as often as the whole request may be.
    const one = { model: "llama", prompt: "hi", n: 5, max_tokens: 10 };
    expect(tokenEstimate(one, "completions", undefined, undefined, { answers: 2 })).toBe(
      promptEstimate(one) * 2 + 2 * 10,
    );
  });

  it("images past the route's most count as its most", () => {
    const image = { type: "image_url", image_url: { url: "https://example.com/cat.png" } };
    const asking = (images: number) => ({
      model: "llama",
      messages: [{ role: "user", content: [{ type: "text", text: "What?" }, ...Array(images).fill(image)] }],
      max_tokens: 10,
    });
    expect(tokenEstimate(asking(100), "chat", undefined, undefined, { images: 3 })).toBe(
      tokenEstimate(asking(3), "chat", undefined),
    );
    expect(tokenEstimate(asking(2), "chat", undefined, undefined, { images: 3 })).toBe(
      tokenEstimate(asking(2), "chat", undefined),
    );
  });
});

describe("pastModelBounds: a count the estimate would count as its model's most (adm45 #1)", () => {
  const claude = { modelIds: ["us.anthropic.claude-sonnet-4-20250514-v1:0"] };
  const image = { type: "image_url", image_url: { url: "https://example.com/cat.png" } };
  const withImages = (count: number) => ({
    messages: [{ role: "user", content: [{ type: "text", text: "What?" }, ...Array(count).fill(image)] }],
  });

  it("past: an output limit over the cap, answers over the bound, n on Converse, images over the route's", () => {
    const past: Array<[Record<string, unknown>, ModelApi, number | undefined, typeof claude | undefined, object]> = [
      [{ messages: HELLO, max_tokens: 101 }, "chat", 100, undefined, {}],
      [{ messages: HELLO, max_completion_tokens: 101 }, "chat", 100, undefined, {}],
      [{ prompt: "Hi", max_tokens: 101 }, "completions", 100, undefined, {}],
      [{ input: "Hi", max_output_tokens: 101 }, "responses", 100, undefined, {}],
      [{ messages: HELLO, n: 3 }, "chat", undefined, undefined, { answers: 2 }],
      [{ messages: HELLO, n: 2 }, "chat", undefined, claude, {}],
      [{ prompt: ["a", "b"], n: 2 }, "completions", undefined, undefined, { answers: 3 }],
      [{ prompt: "a", best_of: 4 }, "completions", undefined, undefined, { answers: 3 }],
      [withImages(4), "chat", undefined, undefined, { images: 3 }],
      // An image model's images, and its answer's pixels (each image at least 1024x1024).
      [{ prompt: "a cat", n: 6 }, "images", undefined, undefined, { answers: 5 }],
      [{ prompt: "a cat", n: 5, size: "2048x1536" }, "images", undefined, undefined, { pixels: 5 * 1024 * 1024 }],
      [{ prompt: "a cat", n: 6, size: "512x512" }, "images", undefined, undefined, { pixels: 5 * 1024 * 1024 }],
    ];
    for (const [body, api, cap, converse, bounds] of past) {
      expect(pastModelBounds(body, api, cap, converse, bounds), `${api} ${JSON.stringify(body)}`).toBe(true);
    }
  });

  it("within: at the bounds, no bound, or an API whose counts no model bounds here", () => {
    const within: Array<[Record<string, unknown>, ModelApi, number | undefined, typeof claude | undefined, object]> = [
      [{ messages: HELLO, max_tokens: 100, max_completion_tokens: 100 }, "chat", 100, undefined, {}],
      [{ messages: HELLO, max_tokens: 5000 }, "chat", undefined, undefined, {}],
      [{ messages: HELLO, n: 2 }, "chat", undefined, undefined, { answers: 2 }],
      [{ messages: HELLO, n: 1 }, "chat", undefined, claude, {}],
      [{ prompt: ["a", "b"], n: 2 }, "completions", undefined, undefined, { answers: 4 }],
      [withImages(3), "chat", undefined, undefined, { images: 3 }],
      [withImages(4), "chat", undefined, undefined, {}],
      // No count of tokens: the library's parse refuses it, before any bound.
      [{ messages: HELLO, max_tokens: "500" }, "chat", 100, undefined, {}],
      [{ prompt: "a cat", n: 5 }, "images", undefined, undefined, { answers: 5, pixels: 5 * 1024 * 1024 }],
      [{ prompt: "a cat", n: 10 }, "images", undefined, undefined, {}],
      // Past the library's bounds: no count (refused by its parse, before any model's).
      [{ prompt: "a cat", n: 11 }, "images", undefined, undefined, { answers: 5 }],
      [{ input: ["a", "b"] }, "embeddings", 1, undefined, { answers: 1 }],
    ];
    for (const [body, api, cap, converse, bounds] of within) {
      expect(pastModelBounds(body, api, cap, converse, bounds), `${api} ${JSON.stringify(body)}`).toBe(false);
    }
  });
});
