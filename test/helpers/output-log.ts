/// <reference types="node" />
// Everything the servers under test print or answer is appended to one file when
// BEDROCK_EDGE_OUTPUT_LOG names it (scripts/test.ts does), so the whole run can be scanned
// for the test secrets afterwards: they must never appear in a response, a log line or an error.
import { appendFileSync } from "node:fs";
import { EMULATOR_API_KEY, EMULATOR_CREDENTIALS, EMULATOR_SESSION_CREDENTIALS } from "../../emulator/credentials.ts";

/** Every secret the test suites hand to the code under test. */
export const TEST_SECRETS: readonly string[] = [
  EMULATOR_CREDENTIALS.secretAccessKey,
  EMULATOR_SESSION_CREDENTIALS.secretAccessKey,
  EMULATOR_SESSION_CREDENTIALS.sessionToken ?? "",
  EMULATOR_API_KEY,
  "sk-test-one",
  "sk-test-two",
].filter(Boolean);

export function recordOutput(text: string): void {
  const file = process.env.BEDROCK_EDGE_OUTPUT_LOG;
  if (file) appendFileSync(file, `${text}\n`);
}

/** A fetch that records every response body it reads (for clients pointed at the proxy). */
export function recordingFetch(inner: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    const response = await inner(input, init);
    if (!process.env.BEDROCK_EDGE_OUTPUT_LOG || !response.body) return response;
    const [forCaller, forLog] = response.body.tee();
    void new Response(forLog).text().then(recordOutput, () => undefined);
    return new Response(forCaller, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}
