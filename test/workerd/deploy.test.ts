// `wrangler deploy --dry-run` must bundle the Worker as it would deploy: no nodejs_compat, no
// Node built-ins in the upload.
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const outdir = mkdtempSync(join(tmpdir(), "bedrock-edge-deploy-"));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe("wrangler deploy --dry-run", () => {
  it("bundles the Worker without nodejs_compat or Node built-ins", { timeout: 60_000 }, async () => {
    const { stdout } = await promisify(execFile)("npx", ["wrangler", "deploy", "--dry-run", "--outdir", outdir], {
      cwd: ROOT,
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true" },
    });
    expect(stdout).toMatch(/--dry-run: exiting now/);
    expect(readFileSync(join(ROOT, "wrangler.toml"), "utf8")).not.toMatch(
      /^\s*compatibility_flags\s*=.*nodejs_compat/m,
    );
    const bundle = readdirSync(outdir).filter((name) => name.endsWith(".js"));
    expect(bundle.length).toBeGreaterThan(0);
    for (const name of bundle) {
      const code = readFileSync(join(outdir, name), "utf8");
      expect(code, name).not.toMatch(/from\s*["']node:|require\(["']node:/);
    }
  });
});
