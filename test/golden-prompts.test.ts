// The golden prompt cases (test/fixtures/golden-prompts/cases.json) through the built-in
// templates: each must render byte for byte what the official Hugging Face chat template of
// its family renders for the same conversation. scripts/golden-prompts.py renders the same
// cases with the official templates and compares them with the same strings.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { ChatMessage, FunctionTool } from "../src/openai/types.ts";
import { builtInRenderers, type TemplateName } from "../src/routes/prompts/index.ts";

interface GoldenCase {
  name: string;
  template: TemplateName;
  messages: ChatMessage[];
  tools?: FunctionTool[];
  kwargs?: Record<string, unknown>;
  /** The prompt, one string per line, each with its newline. */
  prompt: string[];
}

const { cases } = JSON.parse(
  readFileSync(new URL("./fixtures/golden-prompts/cases.json", import.meta.url), "utf8"),
) as { cases: GoldenCase[] };

describe("golden prompts: the built-in templates render what the official ones do", () => {
  it("cover every built-in template", () => {
    expect(new Set(cases.map((golden) => golden.template))).toEqual(new Set(Object.keys(builtInRenderers)));
  });

  it.each(cases.map((golden) => [golden.name, golden] as const))("%s", (_, golden) => {
    const render = builtInRenderers[golden.template];
    expect(render({ messages: golden.messages, tools: golden.tools, kwargs: golden.kwargs ?? {} })).toBe(
      golden.prompt.join(""),
    );
  });
});
