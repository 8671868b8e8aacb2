// Converse document blocks against the emulator: taken as Bedrock takes them, refused in
// Bedrock's ValidationException words where they break its documented rules.

import { describe, expect, it } from "vitest";
import { createEmulator } from "./handler.ts";
import { errorAnswer, json, send } from "./test-helpers.ts";

const CLAUDE = "us.anthropic.claude-sonnet-4-20250514-v1:0";
const PDF = "JVBERi0xLjQK";
const user = (content: unknown[]) => ({ role: "user", content });
const assistant = (content: unknown[]) => ({ role: "assistant", content });
const ask = { text: "Summarise this." };
const doc = (name: string, extra: Record<string, unknown> = {}) => ({
  document: { format: "pdf", name, source: { bytes: PDF }, ...extra },
});
const converse = (body: unknown) => send(CLAUDE, body, "converse", createEmulator());

async function refusal(body: unknown): Promise<string> {
  const answer = await errorAnswer(await converse(body));
  expect(answer).toMatchObject({ status: 400, type: "ValidationException" });
  return answer.message;
}

describe("Converse document blocks", () => {
  it("takes documents as Bedrock documents them, beside a text block of the same user message", async () => {
    const names = ["report", "Q3 report (final) [v2]", "a-b"];
    const body = { messages: [user([...names.map((name) => doc(name)), ask])] };
    expect(await json(await converse(body))).toMatchObject({ stopReason: "end_turn" });
  });

  it("refuses a format outside Bedrock's list, in AWS's constraint words", async () => {
    expect(await refusal({ messages: [user([doc("a", { format: "zip" }), ask])] })).toBe(
      "1 validation error detected: Value 'zip' at 'messages.1.member.content.1.member.document.format' failed to satisfy constraint: Member must satisfy enum value set: [pdf, csv, doc, docx, xls, xlsx, html, txt, md]",
    );
  });

  it("refuses a name with other characters, two whitespace in a row, none, or more than 200", async () => {
    const rule =
      "The document file name can only contain alphanumeric characters, whitespace characters, hyphens, parentheses, and square brackets. The name can't contain more than one consecutive whitespace character. Check that the file name conforms to these restrictions and retry your request.";
    expect(await refusal({ messages: [user([doc("report.pdf"), ask])] })).toBe(rule);
    expect(await refusal({ messages: [user([doc("my_report"), ask])] })).toBe(rule);
    expect(await refusal({ messages: [user([doc("a  b"), ask])] })).toBe(rule);
    expect(await refusal({ messages: [user([doc(""), ask])] })).toMatch(
      /at 'messages\.1\.member\.content\.1\.member\.document\.name' failed to satisfy constraint: Member must have length greater than or equal to 1$/,
    );
    expect(await refusal({ messages: [user([doc("a".repeat(201)), ask])] })).toMatch(
      /Member must have length less than or equal to 200$/,
    );
    expect(await json(await converse({ messages: [user([doc("a".repeat(200)), ask])] }))).toMatchObject({
      stopReason: "end_turn",
    });
  });

  it("refuses a sixth document, and two of one name, across the request", async () => {
    const five = Array.from({ length: 5 }, (_, i) => doc(`d${i}`));
    expect(await json(await converse({ messages: [user([...five, ask])] }))).toMatchObject({ stopReason: "end_turn" });
    const spread = {
      messages: [
        user([...five.slice(0, 3), ask]),
        assistant([{ text: "Read." }]),
        user([...five.slice(3), doc("d5"), ask]),
      ],
    };
    expect(await refusal(spread)).toBe("You can't include more than 5 documents in a request.");
    const twice = { messages: [user([doc("a"), ask]), assistant([{ text: "Read." }]), user([doc("a"), ask])] };
    expect(await refusal(twice)).toBe(
      "Messages can't contain duplicate document names. Rename the document and retry your request.",
    );
  });

  it("refuses a document over 4.5 MB decoded", async () => {
    const largest = { document: { format: "txt", name: "big", source: { bytes: "A".repeat(6_000_000) } } };
    expect(await json(await converse({ messages: [user([largest, ask])] }))).toMatchObject({ stopReason: "end_turn" });
    const over = { document: { format: "txt", name: "big", source: { bytes: "A".repeat(6_000_004) } } };
    expect(await refusal({ messages: [user([over, ask])] })).toBe(
      "The document at messages.1.member.content.1.member.document.source is 4500003 bytes. Each document's size must be no more than 4.5 MB.",
    );
  });

  it("refuses a document without a text block in its message, or in an assistant message", async () => {
    expect(await refusal({ messages: [user([doc("a")])] })).toBe(
      "The message at messages.0 contains a document but no text block. Add a text content block to the message that holds the document and retry your request.",
    );
    expect(await refusal({ messages: [user([ask]), assistant([doc("a"), { text: "Here." }])] })).toBe(
      "messages.2.member.content.1.member.document: only a user message can hold a document block.",
    );
  });

  it("refuses documents on Nova Micro (no document chat in AWS's feature table), by id or by the model a profile serves", async () => {
    const body = { messages: [user([doc("a"), ask])] };
    const refused = await errorAnswer(await send("amazon.nova-micro-v1:0", body, "converse", createEmulator()));
    expect(refused).toEqual({
      status: 400,
      type: "ValidationException",
      message: "messages.0: this model doesn't support document content; send text only.",
    });
    // An application profile that names the model it serves after `+`.
    const profile =
      "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6+amazon.nova-micro-v1:0";
    expect((await send(profile, body, "converse", createEmulator())).status).toBe(400);
    expect((await send("amazon.nova-lite-v1:0", body, "converse", createEmulator())).status).toBe(200);
    // The table's other Noes.
    for (const id of ["amazon.titan-text-premier-v1:0", "ai21.jamba-instruct-v1:0"]) {
      expect((await send(id, body, "converse", createEmulator())).status, id).toBe(400);
    }
  });

  it("refuses a source without base64 bytes", async () => {
    expect(await refusal({ messages: [user([doc("a", { source: { bytes: "%PDF" } }), ask])] })).toBe(
      "messages.1.member.content.1.member.document.source.bytes: expected the document as base64 (in JSON, a blob is a base64 string).",
    );
    expect(await refusal({ messages: [user([doc("a", { source: { text: "hi" } }), ask])] })).toMatch(
      /accepts document bytes only/,
    );
  });
});
