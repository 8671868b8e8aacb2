import { describe, expect, it, vi } from "vitest";
import type { ChatCompletionRequest, ChatMessage, ContentPart } from "../../openai/types.ts";
import { documentFormatOf } from "./document-format.ts";
import { documentName } from "./documents.ts";
import { buildConverseBody } from "./request.ts";
import { badRequestOf } from "../../../test/helpers/errors.ts";

const CLAUDE = "us.anthropic.claude-sonnet-4-20250514-v1:0";
const NOVA_MICRO = "amazon.nova-micro-v1:0";
// "%PDF-1.4" and a newline.
const PDF = "JVBERi0xLjQK";

function file(mediaType: string, filename?: string, data = PDF): ContentPart {
  return { type: "file", file: { file_data: `data:${mediaType};base64,${data}`, ...(filename ? { filename } : {}) } };
}

const ask: ContentPart = { type: "text", text: "Summarise this." };

function body(messages: ChatMessage[], modelId = CLAUDE) {
  return buildConverseBody({ model: "m", messages } as ChatCompletionRequest, modelId, {});
}

function userTurn(...content: ContentPart[]) {
  return body([{ role: "user", content }]).messages[0]!.content;
}

const refusal = badRequestOf;

describe("a file part becomes a Converse document block", () => {
  it("with its format, its name from the filename without the extension, and its bytes", () => {
    expect(userTurn(file("application/pdf", "report.pdf"), ask)).toEqual([
      { document: { format: "pdf", name: "report", source: { bytes: PDF } } },
      { text: "Summarise this." },
    ]);
  });

  it("takes its format from the MIME type, or from the filename's extension when the type names no document format", () => {
    const cases: Array<[string, string | undefined, string]> = [
      ["application/pdf", undefined, "pdf"],
      ["text/csv", "a.csv", "csv"],
      ["application/msword", "a.doc", "doc"],
      ["application/vnd.openxmlformats-officedocument.wordprocessingml.document", "a", "docx"],
      ["application/vnd.ms-excel", "a", "xls"],
      ["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "a", "xlsx"],
      ["text/html", "a", "html"],
      ["text/plain", "a", "txt"],
      ["text/markdown", "a", "md"],
      ["application/octet-stream", "Notes.MD", "md"],
      ["application/octet-stream", "page.htm", "html"],
      // Any type that names no document format, as docs/LIBRARY-REFERENCE.md says (typesapi41 #8).
      ["application/zip", "report.docx", "docx"],
      ["text/x-python", "notes.txt", "txt"],
      // The type wins over a name that says otherwise.
      ["application/pdf", "scan.txt", "pdf"],
    ];
    for (const [type, name, format] of cases) {
      expect(userTurn(file(type, name), ask)[0]).toMatchObject({ document: { format } });
    }
  });

  it("refuses other formats, listing those Converse takes", () => {
    const error = refusal(() => userTurn(file("application/zip", "a.zip"), ask));
    expect(error.param).toBe("messages[0].content[0].file.file_data");
    expect(error.message).toBe(
      "messages[0].content[0] is a file of type application/zip, which Converse takes no document of: send pdf, csv, doc, docx, xls, xlsx, html, txt, md (by its MIME type, or its filename's extension).",
    );
  });

  it("reads the base64 as images are read (whitespace out, padding in) and refuses what does not decode", () => {
    expect(userTurn(file("application/pdf", "a", "JVBE\nRi0x"), ask)[0]).toMatchObject({
      document: { source: { bytes: "JVBERi0x" } },
    });
    const error = refusal(() => userTurn(file("application/pdf", "a", "JV*BE"), ask));
    expect(error.message).toBe(
      "messages[0].content[0] has a file whose base64 does not decode: it has characters other than A-Z, a-z, 0-9, + and /.",
    );
  });
});

describe("a document's name is one Bedrock takes, unique within the request", () => {
  it("keeps letters, digits, hyphens, parentheses and brackets; any run of other characters is one space", () => {
    expect(documentName("Q3_report (final) [v2].pdf")).toBe("Q3 report (final) [v2]");
    expect(documentName("  a   b\t\tc.docx")).toBe("a b c");
    expect(documentName("Résumé.pdf")).toBe("Resume");
    expect(documentName("ignore.previous instructions!.pdf")).toBe("ignore previous instructions");
  });

  it("is a neutral default when the file has no name, or none left", () => {
    expect(documentName(undefined)).toBe("Document");
    expect(documentName("__.pdf")).toBe("Document");
    expect(documentName("")).toBe("Document");
  });

  it("is at most 200 characters", () => {
    expect(documentName(`${"a".repeat(300)}.pdf`)).toBe("a".repeat(200));
    expect(documentName(`${"a".repeat(199)} b.pdf`)).toBe("a".repeat(199));
  });

  it("gets (2), (3)… when another document of the request has it, across messages", () => {
    const result = body([
      { role: "user", content: [file("application/pdf", "a.pdf"), file("text/plain", "a.txt"), ask] },
      { role: "assistant", content: "Done." },
      { role: "user", content: [file("application/pdf"), file("application/pdf", "A.pdf"), ask] },
    ]);
    const names = result.messages.flatMap((m) =>
      m.content.flatMap((block) => ("document" in block ? [block.document.name] : [])),
    );
    expect(names).toEqual(["a", "a (2)", "Document", "A (3)"]);
  });
});

describe("Bedrock's documented limits, refused before sending", () => {
  it("at most five documents per request", () => {
    const five = Array.from({ length: 5 }, (_, i) => file("application/pdf", `f${i}.pdf`));
    expect(userTurn(...five, ask)).toHaveLength(6);
    const error = refusal(() => userTurn(...five, file("application/pdf", "f5.pdf"), ask));
    expect(error).toMatchObject({ param: "messages[0].content[5]", code: "too_many_documents" });
    expect(error.message).toContain("at most 5 documents per request");
  });

  it("each at most 4.5 MB decoded", () => {
    // 4,500,000 bytes is 6,000,000 base64 characters.
    const largest = "A".repeat(6_000_000);
    expect(userTurn(file("text/plain", "big", largest), ask)[0]).toMatchObject({ document: { format: "txt" } });
    const error = refusal(() => userTurn(file("text/plain", "big", `${largest}AAAA`), ask));
    expect(error).toMatchObject({ param: "messages[0].content[0].file.file_data", code: "document_too_large" });
    expect(error.message).toBe(
      "messages[0].content[0] is a file of 4500003 bytes: Bedrock takes documents of at most 4.5 MB (4500000 bytes). Send a smaller one, or its text.",
    );
  });

  it("a message with a document must also have text (the merged turn's), else the document's part is named", () => {
    const error = refusal(() => userTurn(file("application/pdf", "a.pdf")));
    expect(error.param).toBe("messages[0].content[0]");
    expect(error.message).toBe(
      "messages[0].content[0] is a file in a user message with no text: Bedrock takes a document only beside a text block in the same message. Add a text part that says what to do with it.",
    );
    // A blank text part is no text block (it is not sent).
    expect(refusal(() => userTurn(file("application/pdf"), { type: "text", text: " " })).param).toBe(
      "messages[0].content[0]",
    );
    // Consecutive user messages are one turn: the text of the next one counts.
    const merged = body([
      { role: "user", content: [file("application/pdf", "a.pdf")] },
      { role: "user", content: "What does it say?" },
    ]);
    expect(merged.messages).toHaveLength(1);
  });

  it("refused where AWS documents no document chat (Nova Micro), like images on text-only models", () => {
    const micro = refusal(() => body([{ role: "user", content: [file("application/pdf", "a.pdf"), ask] }], NOVA_MICRO));
    expect(micro.param).toBe("messages[0].content[0]");
    expect(micro.message).toContain("this model takes no documents");
    // An opaque id is read as the model its entry's foundation_model names.
    const profile = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6";
    const messages: ChatMessage[] = [{ role: "user", content: [file("application/pdf", "a.pdf"), ask] }];
    const request = { model: "m", messages } as ChatCompletionRequest;
    expect(() => buildConverseBody(request, profile, { foundation_model: "amazon.nova-micro-v1:0" })).toThrow(
      "this model takes no documents",
    );
    expect(buildConverseBody(request, profile, {}).messages[0]!.content[0]).toMatchObject({ document: {} });
  });

  it("refused on Titan Text Premier and Jamba-Instruct too, the table's other Noes", () => {
    for (const id of ["amazon.titan-text-premier-v1:0", "ai21.jamba-instruct-v1:0"]) {
      const refused = refusal(() => body([{ role: "user", content: [file("application/pdf", "a.pdf"), ask] }], id));
      expect(refused.message, id).toContain("this model takes no documents");
    }
  });
});

describe("cache_control on a file part", () => {
  it("puts a cache point after the document, as on other parts", () => {
    const marked = { ...file("application/pdf", "a.pdf"), cache_control: { type: "ephemeral" as const } };
    expect(userTurn(marked, ask)).toEqual([
      { document: { format: "pdf", name: "a", source: { bytes: PDF } } },
      { cachePoint: { type: "default" } },
      { text: "Summarise this." },
    ]);
  });
});

describe("a document's format, by type then extension (documentFormatOf, also the Worker's estimate's)", () => {
  it("reads a CSV that Windows labels as Excel as the CSV it is, and nothing else by its name alone", () => {
    expect(documentFormatOf("application/vnd.ms-excel", "sales.csv")).toBe("csv");
    expect(documentFormatOf("application/vnd.ms-excel", "sales.xls")).toBe("xls");
    expect(documentFormatOf("application/vnd.ms-excel", undefined)).toBe("xls");
    expect(documentFormatOf("application/pdf", "data.csv")).toBe("pdf");
    expect(documentFormatOf("application/octet-stream", "notes.TXT")).toBe("txt");
    expect(documentFormatOf("Text/Markdown", undefined)).toBe("md");
    expect(documentFormatOf("application/zip", "a.zip")).toBeUndefined();
  });
});

describe("a filename of any length", () => {
  it("is named from its first characters only: a long one costs no normalisation of the rest", () => {
    // U+FDFA is 18 characters once decomposed: 1.3 M of them were 23 M characters and 0.9 s.
    const normalize = vi.spyOn(String.prototype, "normalize");
    try {
      const name = documentName(`report${"\uFDFA".repeat(1_300_000)}.pdf`);
      expect(name.startsWith("report")).toBe(true);
      expect(name.length).toBeLessThanOrEqual(200);
      const normalised = normalize.mock.contexts.map((text) => String(text).length);
      expect(normalised.length).toBeGreaterThan(0);
      expect(Math.max(...normalised)).toBeLessThanOrEqual(800);
    } finally {
      normalize.mockRestore();
    }
  });
});
