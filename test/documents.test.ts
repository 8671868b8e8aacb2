// "Chat with this PDF" end to end: OpenAI file parts through the library against the emulator's
// Converse (which checks document blocks as Bedrock documents them), through the Responses API,
// refused on the other routes, and through the proxy with the official openai client, whose log
// line (LOG_PROMPTS) holds the file's size, never its bytes.
import type OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { BedrockEdgeError, type ChatMessageParam } from "../src/index.ts";
import { CONVERSE_MODEL, emulated, model } from "./helpers/emulated.ts";
import { inProcessProxy } from "./helpers/in-process-proxy.ts";

// A small PDF's bytes ("%PDF-1.4\n…"), as the openai package's docs send one: a base64 data URL.
const PDF_BASE64 = btoa("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n");
const PDF = `data:application/pdf;base64,${PDF_BASE64}`;
const askAbout = (file_data = PDF, filename = "Q3 report.pdf"): ChatMessageParam => ({
  role: "user",
  content: [
    { type: "text", text: "What does this report say?" },
    { type: "file", file: { file_data, filename } },
  ],
});
const document = { document: { format: "pdf", name: "Q3 report", source: { bytes: PDF_BASE64 } } };

describe("file parts through the library, against the emulator's Converse", () => {
  it("reach Bedrock as document blocks beside the text, plain and streamed, and are answered", async () => {
    const { emulator, bedrock } = emulated();
    const completion = await bedrock.chat.completions.create({ model: model("converse"), messages: [askAbout()] });
    expect(completion.choices[0]!.finish_reason).toBe("stop");
    expect(emulator.stats.lastBody(CONVERSE_MODEL)).toMatchObject({
      messages: [{ role: "user", content: [{ text: "What does this report say?" }, document] }],
    });
    let text = "";
    const stream = await bedrock.chat.completions.create({
      model: model("converse"),
      messages: [askAbout()],
      stream: true,
    });
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    expect(text).not.toBe("");
  });

  it("the Responses API's input_file is the same document", async () => {
    const { emulator, bedrock } = emulated();
    const response = await bedrock.responses.create({
      model: model("converse"),
      input: [
        {
          role: "user",
          content: [
            { type: "input_text", text: "What does this report say?" },
            { type: "input_file", file_data: PDF, filename: "Q3 report.pdf" },
          ],
        },
      ],
    });
    expect(response.status).toBe("completed");
    expect(emulator.stats.lastBody(CONVERSE_MODEL)).toMatchObject({
      messages: [{ role: "user", content: [{ text: "What does this report say?" }, document] }],
    });
  });

  it("what Bedrock would refuse is a 400 naming the part before anything is sent", async () => {
    const { emulator, bedrock } = emulated();
    const six: ChatMessageParam = {
      role: "user",
      content: [
        { type: "text", text: "Compare them." },
        ...Array.from({ length: 6 }, (_, i) => ({
          type: "file" as const,
          file: { file_data: PDF, filename: `part ${i}.pdf` },
        })),
      ],
    };
    const error = await bedrock.chat.completions
      .create({ model: model("converse"), messages: [six] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BedrockEdgeError);
    expect(error).toMatchObject({ status: 400, param: "messages[0].content[6]", code: "too_many_documents" });
    expect(emulator.stats.lastBody(CONVERSE_MODEL)).toBeUndefined();
  });

  it("is a 400 on a route that takes no files, naming the part and the converse route", async () => {
    const { bedrock } = emulated();
    for (const route of ["llama", "openai"] as const) {
      const error = await bedrock.chat.completions
        .create({ model: model(route), messages: [askAbout()] })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(BedrockEdgeError);
      expect(error).toMatchObject({ status: 400, param: "messages[0].content[1]" });
      expect((error as BedrockEdgeError).message).toContain("only the converse route does");
    }
  });

  it("a file_id is a 400 saying this server has no Files API", async () => {
    const { bedrock } = emulated();
    const messages: ChatMessageParam[] = [{ role: "user", content: [{ type: "file", file: { file_id: "file-abc" } }] }];
    const error = await bedrock.chat.completions.create({ model: model("converse"), messages }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    if (!(error instanceof BedrockEdgeError)) throw new Error("expected a BedrockEdgeError");
    expect(error).toMatchObject({ status: 400, param: "messages[0].content[0].file.file_id" });
    expect(error.message).toContain("Files API, which this server does not have");
  });
});

const proxy = inProcessProxy;

describe("file parts through the proxy, with the official openai client", () => {
  it("a document of Bedrock's largest size needs its model's max_body_bytes: 6 MB of base64 is past the 4 MiB default", async () => {
    // 4,500,000 bytes of text, 6,000,000 characters of base64.
    const largest = `data:text/plain;base64,${"QUFB".repeat(1_500_000)}`;
    const messages: ChatMessageParam[] = [askAbout(largest, "notes.txt")];
    const { client, emulator } = proxy({
      plain: model("converse"),
      roomy: { model: model("converse"), max_body_bytes: 8 * 1024 * 1024 },
    });
    const refused = await client.chat.completions
      .create({ model: "plain", messages } as OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming)
      .catch((caught: unknown) => caught);
    expect(refused).toMatchObject({ status: 413, code: "request_too_large" });
    const served = await client.chat.completions.create({
      model: "roomy",
      messages,
    } as OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming);
    expect(served.choices[0]!.finish_reason).toBe("stop");
    expect(emulator.stats.lastBody(CONVERSE_MODEL)).toMatchObject({
      messages: [{ content: [{ text: "What does this report say?" }, { document: { format: "txt", name: "notes" } }] }],
    });
  });

  it("reach Bedrock as a document, and LOG_PROMPTS logs the file as its size, not its bytes", async () => {
    const { emulator, lines, client } = proxy({ claude: model("converse") }, { LOG_PROMPTS: "true" });
    // The openai package's own type for the part: its docs' "chat with a PDF" request.
    const completion = await client.chat.completions.create({
      model: "claude",
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "What does this report say?" },
            { type: "file", file: { file_data: PDF, filename: "Q3 report.pdf" } },
          ],
        },
      ],
    });
    expect(completion.choices[0]!.message.content).not.toBe("");
    expect(emulator.stats.lastBody(CONVERSE_MODEL)).toMatchObject({
      messages: [{ role: "user", content: [{ text: "What does this report say?" }, document] }],
    });
    for (let waited = 0; !lines.length && waited < 2000; waited += 10) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const line = lines.find((entry) => entry.status === 200);
    const size = atob(PDF_BASE64).length;
    expect(line?.messages).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "What does this report say?" },
          {
            type: "file",
            file: { file_data: `data:application/pdf;base64,[${size} bytes omitted]`, filename: "Q3 report.pdf" },
          },
        ],
      },
    ]);
    expect(JSON.stringify(lines)).not.toContain(PDF_BASE64);
  });
});
