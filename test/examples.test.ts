// The docs' runnable examples must keep running.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { docPage, docPages } from "./helpers/readme.ts";
import { main as core } from "../examples/core.ts";
import { main as routes } from "../examples/routes.ts";

describe("examples/routes.ts", () => {
  it("calls every route against the emulator", async () => {
    const lines: string[] = [];
    await routes((line) => lines.push(line));
    expect(lines).toEqual([
      expect.stringMatching(/^deepseek_r1 reasoning: Okay, the user/),
      expect.stringMatching(/^deepseek_r1 answer: +Hello from the Bedrock emulator \(r1\)/),
      expect.stringMatching(/^llama usage: \{"prompt_tokens":\d+,"completion_tokens":\d+,"total_tokens":\d+\}$/),
      expect.stringMatching(/^llama streamed: Hello from the Bedrock emulator \(llama\)/),
      expect.stringMatching(
        /^qwen3 tool call: \[\{"id":"call_\w+","type":"function","function":\{"name":"get_weather","arguments":"\{\\"city\\": \\"Paris\\"\}"\}\}\]$/,
      ),
      expect.stringMatching(/^qwen2: Hello from the Bedrock emulator \(qwen2\)/),
      expect.stringMatching(/^openai: Hello from the Bedrock emulator \(openai\)/),
      expect.stringMatching(/^converse: Hello from the Bedrock emulator \(us\.anthropic\.claude-sonnet-4-/),
    ]);
  });
});

describe("examples/core.ts", () => {
  it("runs the pipeline piece by piece against the emulator", async () => {
    const lines: string[] = [];
    await core((line) => lines.push(line));
    expect(lines).toEqual([
      'prompt: "<|im_start|>user\\nHello!<|im_end|>\\n<|im_start|>assistant\\n"',
      expect.stringMatching(/^answer: Hello from the Bedrock emulator \(qwen3\)/),
      expect.stringMatching(/^streamed: Hello from the Bedrock emulator \(qwen3\)/),
    ]);
    expect(lines[2]!.slice("streamed: ".length)).toBe(lines[1]!.slice("answer: ".length));
  });

  it("is what the library reference's bedrock-edge/core section shows", () => {
    const readme = readFileSync(new URL("../docs/LIBRARY-REFERENCE.md", import.meta.url), "utf8");
    const example = readFileSync(new URL("../examples/core.ts", import.meta.url), "utf8");
    const block = /<!-- core-example[^>]*-->\n```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block, "the library reference's core example").toBeDefined();
    const shown = block!.split("\n").map((line) => line.trim());
    const imported = (text: string, from: string) =>
      [...text.matchAll(new RegExp(`import \\{([^}]*)\\} from "${from}"`, "g"))]
        .flatMap((match) => match[1]!.split(","))
        .map((name) => name.trim())
        .filter(Boolean)
        .sort();
    expect(imported(block!, "bedrock-edge/core")).toEqual(imported(example, "\\.\\./src/core\\.ts"));
    const code = new Set(example.split("\n").map((line) => line.trim()));
    const missing = shown.filter(
      (line) => line && !line.startsWith("//") && !line.startsWith("import ") && !code.has(line),
    );
    expect(missing).toEqual([]);
  });
});

describe("the docs' imports (README.md and docs/*.md)", () => {
  it("name only values that the package's entries export", async () => {
    const entries: Record<string, () => Promise<Record<string, unknown>>> = {
      "bedrock-edge": () => import("../src/index.ts"),
      "bedrock-edge/core": () => import("../src/core.ts"),
      "bedrock-edge/node": () => import("../node/mod.ts"),
      "bedrock-edge/worker": () => import("../worker/mod.ts"),
      "bedrock-edge/emulator": () => import("../emulator/mod.ts"),
      "bedrock-edge/emulator/node": () => import("../emulator/node.ts"),
    };
    const readme = docPages().map(docPage).join("\n");
    const missing: string[] = [];
    let checked = 0;
    for (const match of readme.matchAll(/import \{([^}]*)\} from "(?:npm:)?(bedrock-edge[^"]*)"/g)) {
      const load = entries[match[2]!];
      expect(load, match[2]).toBeDefined();
      const exported = await load!();
      for (const name of match[1]!.split(",").map((item) => item.trim())) {
        if (!name || name.startsWith("type ")) continue;
        checked++;
        if (!(name in exported)) missing.push(`${name} from ${match[2]}`);
      }
    }
    expect(missing).toEqual([]);
    expect(checked).toBeGreaterThan(10);
  });
});
