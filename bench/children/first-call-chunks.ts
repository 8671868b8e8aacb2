/// <reference types="node" />
// Child: which chunks of the library's split build a first call loads. The size suite writes
// the build with a line atop each chunk that records its own name when it is evaluated; this
// imports the entry, makes one llama call (plain or streamed) against an in-process emulator,
// and reports the names recorded. The size figures are then measured, not listed by hand.
import { pathToFileURL } from "node:url";
import { EMULATOR_CREDENTIALS } from "../../emulator/credentials.ts";
import { createEmulator } from "../../emulator/handler.ts";
import { emulatorModelId } from "../../emulator/model-id.ts";
import type { createBedrock as CreateBedrock } from "../../src/index.ts";
import { report } from "../lib/report.ts";

const [entryPath, mode] = process.argv.slice(2);
if (!entryPath || (mode !== "plain" && mode !== "stream")) {
  throw new Error("usage: first-call-chunks.mjs <split build's entry> plain|stream");
}

const loaded: string[] = [];
(globalThis as { __benchChunks?: string[] }).__benchChunks = loaded;
const { createBedrock } = (await import(pathToFileURL(entryPath).href)) as { createBedrock: typeof CreateBedrock };
const emulator = createEmulator();
const bedrock = createBedrock({
  endpoint: "http://bedrock.emulator",
  credentials: { ...EMULATOR_CREDENTIALS },
  fetch: (input, init) => emulator.fetch(new Request(input, init)),
});
const request = {
  model: `bedrock/llama/${emulatorModelId("llama")}`,
  messages: [{ role: "user" as const, content: "Say hello to the benchmark." }],
};
let text = "";
if (mode === "plain") {
  text = (await bedrock.chat.completions.create(request)).choices[0]?.message.content ?? "";
} else {
  for await (const chunk of await bedrock.chat.completions.create({ ...request, stream: true })) {
    text += chunk.choices[0]?.delta.content ?? "";
  }
}
if (!text.startsWith("Hello from the Bedrock emulator")) throw new Error(`unexpected answer: ${text.slice(0, 80)}`);
report({ chunks: loaded });
