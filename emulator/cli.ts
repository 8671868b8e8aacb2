/// <reference types="node" />
// npm run emulator -- [--port 4010] [--host 127.0.0.1] [--delay <ms between frames>]

import { parseArgs } from "node:util";
import { EMULATOR_API_KEY, EMULATOR_CREDENTIALS, EMULATOR_SESSION_CREDENTIALS } from "./credentials.ts";
import { converseModelId } from "./converse-model-id.ts";
import { emulatorModelId } from "./model-id.ts";
import { serveEmulator } from "./node.ts";

const SCHEME = `Model ids: arn:aws:bedrock:<region>:<account>:imported-model/<format>[.<option>]*
  formats: r1 llama qwen3 qwen2 openai (each takes BedrockCompletion, OpenAICompletion and chat bodies)
  options: echo tool length nousage think eos ctx legacy stopseq guardrail filtered cache
           throttle[N] notready[N] err500[N] err503[N]   (first N calls, or always)
           modeltimeout[N] modelerror[N] quota[N] streamerror[N]   (quota: the InvokeModel operations only;
             streamerror: InvokeModelWithResponseStream only)
           midstream-<exceptionType><K> drop<K> badcrc<K> slow<ms> wait<ms> long<N> words<K>
  e.g. ${emulatorModelId("r1")}
       ${emulatorModelId("qwen3", ["notready2", "slow50"])}
Converse / ConverseStream also take foundation model ids, inference profiles, and foundation-model,
inference-profile, application-inference-profile and provisioned-model ARNs, options after + signs;
a profile or provisioned ARN may name the model it serves as one (checked as that model):
  e.g. ${converseModelId("us.anthropic.claude-3-5-haiku-20241022-v1:0", ["think", "tool"])}
       arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6+anthropic.claude-sonnet-4-5-20250929-v1:0
  (details: emulator/README.md)`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "4010" },
      host: { type: "string", default: "127.0.0.1" },
      delay: { type: "string", default: "0" },
    },
  });
  const port = Number(values.port);
  const chunkDelayMs = Number(values.delay);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be 0..65535, got ${values.port}`);
  if (!Number.isFinite(chunkDelayMs) || chunkDelayMs < 0)
    throw new Error(`--delay must be a number of ms, got ${values.delay}`);
  const served = await serveEmulator({ port, hostname: values.host, chunkDelayMs }).catch((error: unknown) => {
    throw isAddressInUse(error) ? new Error(portInUseMessage(values.host, port)) : error;
  });
  console.log(`Bedrock Runtime emulator listening on ${served.url}
Use it as the endpoint (BEDROCK_ENDPOINT=${served.url}) with these test credentials:
  AWS_ACCESS_KEY_ID=${EMULATOR_CREDENTIALS.accessKeyId}
  AWS_SECRET_ACCESS_KEY=${EMULATOR_CREDENTIALS.secretAccessKey}
or temporary ones:
  AWS_ACCESS_KEY_ID=${EMULATOR_SESSION_CREDENTIALS.accessKeyId}
  AWS_SECRET_ACCESS_KEY=${EMULATOR_SESSION_CREDENTIALS.secretAccessKey}
  AWS_SESSION_TOKEN=${EMULATOR_SESSION_CREDENTIALS.sessionToken ?? ""}
or a Bedrock API key:
  AWS_BEARER_TOKEN_BEDROCK=${EMULATOR_API_KEY}
(these are fixed test values that open nothing on real AWS)

${SCHEME}`);
  const stop = () => {
    void served.close().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

function isAddressInUse(error: unknown): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === "EADDRINUSE";
}

/**
 * A port in use, most often by `npm start`'s own emulator (the README's first command): the same
 * emulator with the same credentials, so the example at hand can use it as it is.
 */
function portInUseMessage(host: string, port: number): string {
  const address = `${host.includes(":") ? `[${host}]` : host}:${port}`;
  return `${address} is in use. If \`npm start\` is running, that is its Bedrock emulator, the same as this one: use it as it is (BEDROCK_ENDPOINT=http://${address}, the same credentials). Otherwise choose another port: npm run emulator -- --port ${port < 65535 ? port + 1 : port - 1}`;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
