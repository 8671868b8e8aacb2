// Whether a host is AWS's own: the proxy checks an access key id's shape only when it signs for
// AWS itself. Apart from endpoint.ts, which the main chunk holds: only bedrock-edge/core's users
// (the Worker) need it, and the dual-stack names would cost every page that loads the client.
import { SUFFIXES } from "./endpoint.ts";

// Each partition's dual-stack (IPv6) suffix, as AWS's SDK names them: never the library's default
// host, but an endpoint setting may name one.
const DUAL_STACK = [
  "api.aws",
  "api.amazonwebservices.com.cn",
  "api.amazonwebservices.eu",
  "api.aws.ic.gov",
  "api.aws.scloud",
  "api.aws.hci.ic.gov",
  "api.cloud-aws.adc-e.uk",
];
const AWS_SUFFIXES = ["amazonaws.com", ...SUFFIXES.values(), ...DUAL_STACK];

/**
 * Whether a host name is AWS's own, in any partition (one trailing dot, the DNS root's, allowed):
 * what is signed for it is signed for AWS.
 */
export function isAwsHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, "");
  return AWS_SUFFIXES.some((suffix) => host === suffix || host.endsWith(`.${suffix}`));
}
