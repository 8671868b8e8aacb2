/// <reference types="node" />
// Plain calls on Node (children/plain-call.ts): ours against the AWS SDK on HTTP/1.1 and the AI
// SDK, over loopback to the emulator, and each client's own per-call work with the network
// replaced by a canned answer.
import { bundleForNode } from "../lib/build.ts";
import { runChild } from "../lib/child.ts";
import type { Figure, Peer, SuiteResult } from "../lib/figure.ts";
import { pairedRatios, summarise } from "../lib/stats.ts";

type Contender = "ours" | "oursNode" | "aiSdk" | "awsSdk" | "oursStub" | "oursNodeStub" | "aiSdkStub" | "awsSdkStub";

interface PlainCallResult {
  block: number;
  blocksPerRun: number;
  samples: Record<Contender, number[]>;
}

const REFERENCE: Record<Peer, string> = {
  awsSdk: "AWS SDK, HTTP/1.1",
  aiSdk: "AI SDK",
  portkey: "",
  floor: "",
};

export async function runPlainCall(workDirectory: string, emulatorUrl: string, runs: number): Promise<SuiteResult> {
  const started = performance.now();
  const script = await bundleForNode("bench/children/plain-call.ts", `${workDirectory}/plain-call.mjs`);
  const { result } = await runChild(script, [emulatorUrl, `runs=${runs}`], ["--expose-gc"]);
  const { samples, block, blocksPerRun } = result as PlainCallResult;

  const compare = (
    id: string,
    name: string,
    row: string,
    ours: Contender,
    peer: "awsSdk" | "aiSdk",
    reference: Contender,
    goal?: string,
  ): Figure => {
    const ratios = pairedRatios(samples[ours], samples[reference]);
    const ratio = summarise(ratios).median;
    return {
      id,
      name,
      unit: "µs",
      ours: summarise(samples[ours]),
      reference: { label: REFERENCE[peer], value: summarise(samples[reference]) },
      ratio,
      ratioRuns: ratios,
      ratioLabel: "×",
      goal: goal ?? "(information)",
      pass: goal ? ratio <= 1 : null,
      peer: { row, peer },
    };
  };
  const plainRow = "plain call on Node, µs (global fetch)";
  const nodeRow = "plain call on Node, µs (bedrock-edge/node)";
  const workRow = "per-call work on Node, µs (network stubbed, WebCrypto)";
  const nodeWorkRow = "per-call work on Node, µs (network stubbed, bedrock-edge/node)";
  const figures: Figure[] = [
    compare(
      "plain_call.node_transport.vs_aws_sdk",
      "Plain call, bedrock-edge/node",
      nodeRow,
      "oursNode",
      "awsSdk",
      "awsSdk",
      "≤ 1× AWS SDK on HTTP/1.1",
    ),
    compare(
      "plain_call.node_transport.vs_ai_sdk",
      "Plain call, bedrock-edge/node",
      nodeRow,
      "oursNode",
      "aiSdk",
      "aiSdk",
    ),
    compare(
      "plain_call.global_fetch.vs_aws_sdk",
      "Plain call, Node's global fetch",
      plainRow,
      "ours",
      "awsSdk",
      "awsSdk",
    ),
    compare("plain_call.global_fetch.vs_ai_sdk", "Plain call, Node's global fetch", plainRow, "ours", "aiSdk", "aiSdk"),
    compare(
      "plain_call.node_work.vs_aws_sdk",
      "Per-call work, network stubbed, bedrock-edge/node",
      nodeWorkRow,
      "oursNodeStub",
      "awsSdk",
      "awsSdkStub",
      "≤ 1× AWS SDK",
    ),
    compare(
      "plain_call.node_work.vs_ai_sdk",
      "Per-call work, network stubbed, bedrock-edge/node",
      nodeWorkRow,
      "oursNodeStub",
      "aiSdk",
      "aiSdkStub",
    ),
    // The default path, on any runtime: SigV4's hashes through WebCrypto, asynchronous on Node.
    compare(
      "plain_call.work.vs_aws_sdk",
      "Per-call work, network stubbed, WebCrypto",
      workRow,
      "oursStub",
      "awsSdk",
      "awsSdkStub",
    ),
    compare(
      "plain_call.work.vs_ai_sdk",
      "Per-call work, network stubbed, WebCrypto",
      workRow,
      "oursStub",
      "aiSdk",
      "aiSdkStub",
    ),
  ];
  const median = (name: Contender) => summarise(samples[name]).median;
  const details = [
    `Plain calls (children/plain-call.ts): one Node process, the emulator in another, loopback HTTP/1.1; every run has ${blocksPerRun} blocks of ${block} calls per client (stubbed: ${block * 5}), clients in a rotating order. Ours and the AWS SDK call InvokeModel (llama route; the SDK is given the prompt our route renders), the AI SDK calls Converse. Ours on bedrock-edge/node is createBedrock({ fetch: nodeFetch, signingCrypto: nodeSigningCrypto }).`,
    `  transport alone (network call − stubbed call, medians): ours on global fetch ${(median("ours") - median("oursStub")).toFixed(0)} µs, on bedrock-edge/node ${(median("oursNode") - median("oursNodeStub")).toFixed(0)} µs, AWS SDK on node:http ${(median("awsSdk") - median("awsSdkStub")).toFixed(0)} µs, AI SDK on global fetch ${(median("aiSdk") - median("aiSdkStub")).toFixed(0)} µs`,
  ];
  return { suite: "plain call", figures, details, seconds: (performance.now() - started) / 1000 };
}
