import { configurationError, nameOf } from "../errors.ts";

/** AWS credentials that sign each call (SigV4). None of their values appears in an error. */
export interface AwsCredentials {
  /** The access key ID (non-empty). */
  accessKeyId: string;
  /** The secret access key (non-empty): it signs, and is never sent. */
  secretAccessKey: string;
  /** Temporary credentials' session token (an assumed role's, say): sent as `X-Amz-Security-Token`. */
  sessionToken?: string | undefined;
}

/** Static credentials, or a provider called before every request (so rotation just works). */
export type CredentialsOption = AwsCredentials | (() => AwsCredentials | Promise<AwsCredentials>);

/** What a credentials setting must be, wherever one is checked (the client's, a deployment's). */
export const CREDENTIALS_SHAPE = "must be { accessKeyId, secretAccessKey, sessionToken? } or a function returning that";

/**
 * Non-empty key strings, and a session token only as a string. Other fields are ignored: the AWS
 * SDK's credential objects carry an expiration, a scope and an account id beside them.
 */
function isAwsCredentials(value: unknown): value is AwsCredentials {
  const { accessKeyId, secretAccessKey, sessionToken } = (value ?? {}) as Record<string, unknown>;
  return (
    typeof accessKeyId === "string" &&
    accessKeyId !== "" &&
    typeof secretAccessKey === "string" &&
    secretAccessKey !== "" &&
    (sessionToken === undefined || typeof sessionToken === "string")
  );
}

export function isCredentialsOption(value: unknown): value is CredentialsOption {
  return typeof value === "function" || isAwsCredentials(value);
}

/** How a request is authorised: SigV4 with credentials, or a Bedrock API key as a bearer token. */
export type Auth = { kind: "sigv4"; credentials: AwsCredentials } | { kind: "apiKey"; apiKey: string };

/**
 * The request's Auth. A key or static credentials are at hand, so they come back as they are; only
 * a provider's answer is a promise, which is what a caller races against its abort and its timer
 * (attempt.ts) without paying for a race on every call that has nothing to wait for.
 */
export function resolveAuth(options: { credentials?: CredentialsOption; apiKey?: string }): Auth | Promise<Auth> {
  if (options.apiKey) return { kind: "apiKey", apiKey: options.apiKey };
  if (!options.credentials) {
    throw configurationError(
      "No AWS credentials: pass `credentials` ({ accessKeyId, secretAccessKey }) or a Bedrock `apiKey`.",
      "missing_credentials",
    );
  }
  return typeof options.credentials === "function" ? provided(options.credentials) : sigv4Auth(options.credentials);
}

async function provided(provider: () => AwsCredentials | Promise<AwsCredentials>): Promise<Auth> {
  let credentials: unknown;
  try {
    credentials = await provider();
  } catch (error) {
    // The provider's own message may quote what it read; keep only that it failed.
    throw configurationError("The credentials provider failed.", "missing_credentials", nameOf(error));
  }
  return sigv4Auth(credentials);
}

function sigv4Auth(credentials: unknown): Auth {
  if (!isAwsCredentials(credentials)) {
    throw configurationError(
      "The AWS credentials are not { accessKeyId, secretAccessKey, sessionToken? } strings.",
      "missing_credentials",
    );
  }
  return { kind: "sigv4", credentials };
}

/** Every value of an Auth that must never appear in an error, a log or a response. */
export function secretsOf(auth: Auth): string[] {
  if (auth.kind === "apiKey") return [auth.apiKey];
  const { accessKeyId, secretAccessKey, sessionToken } = auth.credentials;
  return sessionToken ? [secretAccessKey, sessionToken, accessKeyId] : [secretAccessKey, accessKeyId];
}
