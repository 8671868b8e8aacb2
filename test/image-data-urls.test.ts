// An image's data URL, checked alike on every route that sends images (qwen3's vision template,
// openai, converse) and through the Responses API: base64 that cannot decode is a 400 naming the
// part's URL before anything is sent; what browsers decode (line-wrapped, unpadded,
// percent-encoded) is sent as one canonical base64; media-type parameters are taken and not sent
// (multimodal7 #4, codereview17 #4).
import { describe, expect, it } from "vitest";
import { BedrockEdgeError, type ChatMessage } from "../src/index.ts";
import { emulated, model, type RouteName } from "./helpers/emulated.ts";
import { errorOf } from "./helpers/errors.ts";

// A 1x1 PNG (70 bytes). `wrapped` writes it as `openssl base64` (lines of 64) and Python's
// base64.encodebytes (lines of 76) do.
const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
const wrapped = (width: number, newline: string) =>
  (PNG.match(new RegExp(`.{1,${width}}`, "g")) ?? []).join(newline) + newline;

const ROUTES = ["qwen3", "openai", "converse"] as const satisfies readonly RouteName[];

const asking = (url: string): ChatMessage[] => [
  { role: "system", content: "Be brief." },
  {
    role: "user",
    content: [
      { type: "text", text: "What is this?" },
      { type: "image_url", image_url: { url: `data:image/png;base64,${PNG}` } },
      { type: "image_url", image_url: { url } },
    ],
  },
];

/** The images the route sent, as its body carries them; `openaiIndex`: the user message's index there. */
function sentImages(route: RouteName, body: unknown, openaiIndex = 1): string[] {
  if (route === "qwen3") return (body as { images: string[] }).images;
  if (route === "openai") {
    const { messages } = body as { messages: Array<{ content: Array<{ image_url?: { url: string } }> }> };
    return messages[openaiIndex]!.content.flatMap((part) => (part.image_url ? [part.image_url.url] : []));
  }
  // Converse: the system prompt goes apart, the user's message first.
  const { messages } = body as { messages: Array<{ content: Array<{ image?: { source: { bytes: string } } }> }> };
  return messages[0]!.content.flatMap((part) => (part.image ? [part.image.source.bytes] : []));
}

function client(route: RouteName) {
  const { bedrock, emulator } = emulated();
  const name = model(route);
  const sent = () => emulator.stats.lastBody(name.split("/").slice(2).join("/"));
  return { bedrock, emulator, name, sent };
}

describe("base64 that cannot decode is a 400 naming the part's URL, on every route", () => {
  const cases: Array<[string, string, RegExp]> = [
    ["one character", "A", /it has 4n \+ 1 characters\.$/],
    ["4n + 1 characters", "AAAAA", /it has 4n \+ 1 characters\.$/],
    ["padding inside", "AA=A", /its = padding is misplaced\.$/],
    ["padding after 4n + 1", "AAAAA===", /its = padding is misplaced\.$/],
    ["base64url's alphabet", "ab-_", /it has characters other than A-Z, a-z, 0-9, \+ and \/\.$/],
    ["nothing", "", /it is empty\.$/],
  ];
  it.each(ROUTES.flatMap((route) => cases.map(([label, data, reason]) => [route, label, data, reason] as const)))(
    "%s: %s",
    async (route, _label, data, reason) => {
      const { bedrock, emulator, name } = client(route);
      const error = await errorOf(
        () => bedrock.chat.completions.create({ model: name, messages: asking(`data:image/png;base64,${data}`) }),
        BedrockEdgeError,
      );
      expect(error).toMatchObject({ status: 400, param: "messages[1].content[2].image_url.url" });
      expect(error.message).toMatch(/^messages\[1\]\.content\[2\] has an image whose base64 does not decode: /);
      expect(error.message).toMatch(reason);
      expect(emulator.stats.requests).toHaveLength(0);
    },
  );

  it.each(ROUTES)("%s: an image URL Bedrock would have to fetch names the part too", async (route) => {
    const { bedrock, emulator, name } = client(route);
    const error = await errorOf(
      () => bedrock.chat.completions.create({ model: name, messages: asking("https://example.com/cat.png") }),
      BedrockEdgeError,
    );
    expect(error).toMatchObject({ status: 400, param: "messages[1].content[2].image_url.url" });
    expect(error.message).toBe(
      "messages[1].content[2] has an image that is not a base64 data URL (data:image/png;base64,…): " +
        "Bedrock does not fetch image URLs.",
    );
    expect(emulator.stats.requests).toHaveLength(0);
  });
});

describe("what browsers decode is sent as one canonical base64", () => {
  const canonical = (route: RouteName) => (route === "openai" ? `data:image/png;base64,${PNG}` : PNG);

  it.each(ROUTES)(
    "%s: line-wrapped base64 (LF and CRLF, a trailing newline, spaces) has its whitespace removed",
    async (route) => {
      const { bedrock, sent, name } = client(route);
      for (const data of [wrapped(64, "\n"), wrapped(76, "\r\n"), ` ${PNG.slice(0, 10)} \t${PNG.slice(10)}`]) {
        await bedrock.chat.completions.create({ model: name, messages: asking(`data:image/png;base64,${data}`) });
        expect(sentImages(route, sent())).toEqual([canonical(route), canonical(route)]);
      }
    },
  );

  it.each(ROUTES)("%s: unpadded base64 is sent padded", async (route) => {
    const { bedrock, sent, name } = client(route);
    await bedrock.chat.completions.create({
      model: name,
      messages: asking(`data:image/png;base64,${PNG.replace(/=+$/, "")}`),
    });
    expect(sentImages(route, sent())).toEqual([canonical(route), canonical(route)]);
  });

  it.each(ROUTES)(
    "%s: percent-escapes are decoded before the base64, as WHATWG's data: URL processor does",
    async (route) => {
      const { bedrock, sent, name } = client(route);
      // Padding, letters and a line break escaped; escapes of either case.
      const escaped = `${PNG.slice(0, 8).replace("V", "%56")}%0a${PNG.slice(8, -2)}%3D%3d`;
      await bedrock.chat.completions.create({ model: name, messages: asking(`data:image/png;base64,${escaped}`) });
      expect(sentImages(route, sent())).toEqual([canonical(route), canonical(route)]);
    },
  );

  it.each(ROUTES)("%s: a % without two hex digits stays as it is, and is no base64: a 400", async (route) => {
    const { bedrock, emulator, name } = client(route);
    for (const data of [`${PNG.slice(0, -2)}%3`, `${PNG.slice(0, -2)}%ZZ`, `${PNG.slice(0, -2)}%253D`]) {
      const error = await errorOf(
        () => bedrock.chat.completions.create({ model: name, messages: asking(`data:image/png;base64,${data}`) }),
        BedrockEdgeError,
      );
      expect(error, data).toMatchObject({ status: 400, param: "messages[1].content[2].image_url.url" });
      expect(error.message).toMatch(/it has characters other than A-Z, a-z, 0-9, \+ and \/\.$/);
    }
    expect(emulator.stats.requests).toHaveLength(0);
  });

  it.each(ROUTES)("%s: a media-type parameter before ;base64 is taken, and not sent", async (route) => {
    const { bedrock, sent, name } = client(route);
    await bedrock.chat.completions.create({
      model: name,
      messages: asking(`data:image/png;name=cat.png;base64,${PNG}`),
    });
    expect(sentImages(route, sent())).toEqual([canonical(route), canonical(route)]);
  });

  it("openai: an image's detail stays with its canonical URL", async () => {
    const { bedrock, sent, name } = client("openai");
    await bedrock.chat.completions.create({
      model: name,
      messages: [
        {
          role: "user",
          content: [
            { type: "image_url", image_url: { url: `data:IMAGE/PNG;base64,${wrapped(64, "\n")}`, detail: "low" } },
          ],
        },
      ],
    });
    expect((sent() as { messages: Array<{ content: unknown }> }).messages[0]!.content).toEqual([
      { type: "image_url", image_url: { url: `data:image/png;base64,${PNG}`, detail: "low" } },
    ]);
  });
});

describe("the Responses API's input_image: the same checks, named as its input", () => {
  it.each(ROUTES)("%s: a 400 naming input[i].content[j].image_url, and line-wrapped base64 taken", async (route) => {
    const { bedrock, emulator, sent, name } = client(route);
    const input = (imageUrl: string) => [
      {
        role: "user" as const,
        content: [
          { type: "input_text" as const, text: "What is this?" },
          { type: "input_image" as const, image_url: imageUrl, detail: "auto" as const },
        ],
      },
    ];
    const error = await errorOf(
      () => bedrock.responses.create({ model: name, input: input("data:image/png;base64,AAAAA") }),
      BedrockEdgeError,
    );
    expect(error).toMatchObject({ status: 400, param: "input[0].content[1].image_url" });
    expect(error.message).toMatch(/^input\[0\]\.content\[1\] has an image whose base64 does not decode: /);
    expect(emulator.stats.requests).toHaveLength(0);

    await bedrock.responses.create({ model: name, input: input(`data:image/png;base64,${wrapped(76, "\r\n")}`) });
    expect(sentImages(route, sent(), 0)).toEqual([route === "openai" ? `data:image/png;base64,${PNG}` : PNG]);
  });
});
