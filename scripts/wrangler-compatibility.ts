/// <reference types="node" />
// wrangler.toml's compatibility_date and compatibility_flags, for what runs the Worker outside
// wrangler (the workerd tests, the benchmark's Miniflare): they run it as it deploys.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const WRANGLER_TOML = fileURLToPath(new URL("../wrangler.toml", import.meta.url));

export function wranglerCompatibility(): { compatibilityDate: string; compatibilityFlags: string[] } {
  const toml = readFileSync(WRANGLER_TOML, "utf8");
  const date = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(toml)?.[1];
  const flags = /^compatibility_flags\s*=\s*\[([^\]]*)\]/m.exec(toml)?.[1] ?? "";
  if (!date) throw new Error("wrangler.toml has no compatibility_date");
  return { compatibilityDate: date, compatibilityFlags: [...flags.matchAll(/"([^"]+)"/g)].map((m) => m[1]!) };
}
