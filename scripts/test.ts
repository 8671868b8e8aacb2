// npm test: type-check, run every suite, then scan everything the run printed and everything
// the servers under test answered or logged (test/helpers/output-log.ts) for the test secrets.
// A secret anywhere fails the run, even when every test passed.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TEST_SECRETS } from "../test/helpers/output-log.ts";

const directory = mkdtempSync(join(tmpdir(), "bedrock-edge-test-"));
const outputLog = join(directory, "output.log");
writeFileSync(outputLog, "");
let printed = "";

function run(command: string, args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      env: { ...process.env, BEDROCK_EDGE_OUTPUT_LOG: outputLog },
      stdio: ["inherit", "pipe", "pipe"],
    });
    child.stdout.on("data", (data: Buffer) => {
      printed += data.toString();
      process.stdout.write(data);
    });
    child.stderr.on("data", (data: Buffer) => {
      printed += data.toString();
      process.stderr.write(data);
    });
    child.on("close", (code) => resolve(code ?? 1));
  });
}

const extra = process.argv.slice(2);
let status = await run("npm", ["run", "--silent", "lint"]);
if (status === 0) status = await run("npm", ["run", "--silent", "typecheck"]);
if (status === 0) status = await run("npx", ["vitest", "run", ...extra]);

const everything = printed + readFileSync(outputLog, "utf8");
const leaked = TEST_SECRETS.filter((secret) => everything.includes(secret));
const scanned = `${Math.round(everything.length / 1024)} KiB of output and answers`;
rmSync(directory, { recursive: true, force: true });
if (leaked.length) {
  console.error(
    `\nSECRET LEAK: ${leaked.length} test secret(s) appeared in ${scanned}: ${leaked.map((s) => `${s.slice(0, 4)}…`).join(", ")}`,
  );
  process.exit(1);
}
console.log(`\nSecret scan: none of ${TEST_SECRETS.length} test secrets in ${scanned}.`);
process.exit(status);
