// AWS restJson1 error responses, as Bedrock Runtime sends them, made in one place.
// Messages never carry a secret, a signature or a token.

import { corsHeaders } from "./cors.ts";

export type ExceptionName =
  | "AccessDeniedException"
  | "IncompleteSignatureException"
  | "InternalServerException"
  | "InvalidSignatureException"
  | "MissingAuthenticationTokenException"
  | "ModelErrorException"
  | "ModelNotReadyException"
  | "ModelStreamErrorException"
  | "ModelTimeoutException"
  | "ResourceNotFoundException"
  | "ServiceQuotaExceededException"
  | "ServiceUnavailableException"
  | "ThrottlingException"
  | "UnknownOperationException"
  | "UnrecognizedClientException"
  | "ValidationException";

const STATUS: Record<ExceptionName, number> = {
  AccessDeniedException: 403,
  IncompleteSignatureException: 403,
  InternalServerException: 500,
  InvalidSignatureException: 403,
  MissingAuthenticationTokenException: 403,
  // AWS's model of bedrock-runtime (2023-09-30): the model's own failures, and a quota used up.
  ModelErrorException: 424,
  ModelNotReadyException: 429,
  ModelStreamErrorException: 424,
  ModelTimeoutException: 408,
  ResourceNotFoundException: 404,
  ServiceQuotaExceededException: 400,
  ServiceUnavailableException: 503,
  ThrottlingException: 429,
  UnknownOperationException: 404,
  UnrecognizedClientException: 403,
  ValidationException: 400,
};

/**
 * The members AWS's model gives an exception beside its message: ModelErrorException's
 * `originalStatusCode` and `resourceName`, ModelStreamErrorException's `originalStatusCode` and
 * `originalMessage` (the model's own status and words).
 */
export interface ExceptionMembers {
  originalStatusCode?: number;
  originalMessage?: string;
  resourceName?: string;
}

/** An error the emulator answers with: the exception name, its message and its other members. */
export interface AwsError {
  name: ExceptionName;
  message: string;
  members?: ExceptionMembers;
}

export function awsError(name: ExceptionName, message: string, members?: ExceptionMembers): AwsError {
  return members ? { name, message, members } : { name, message };
}

const TYPE_SUFFIX = ":http://internal.amazon.com/coral/com.amazon.bedrock/";

/** The response for an error: status, `x-amzn-ErrorType`, `x-amzn-RequestId`, `{"message", …members}`. */
export function errorResponse(error: AwsError, requestId: string): Response {
  const headers = corsHeaders();
  headers.set("content-type", "application/json");
  headers.set("x-amzn-ErrorType", `${error.name}${TYPE_SUFFIX}`);
  headers.set("x-amzn-RequestId", requestId);
  return new Response(JSON.stringify({ message: error.message, ...error.members }), {
    status: STATUS[error.name],
    headers,
  });
}

/** The context window of the emulator's imported models, in tokens. */
export const CONTEXT_WINDOW = 8192;

// Wording as AWS uses it.
export const MESSAGES = {
  missingAuth: "Missing Authentication Token",
  unrecognizedClient: "The security token included in the request is invalid.",
  signatureMismatch:
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
  contentSha256Mismatch: "The provided 'x-amz-content-sha256' header does not match what was computed.",
  invalidApiKeyFormat: "Invalid API Key format: Must start with pre-defined prefix",
  invalidApiKey: "Authentication failed: Please make sure your API Key is valid.",
  throttling: "Too many requests, please wait before trying again.",
  modelNotReady:
    "Model is not ready for inference. Wait and try your request again. Refer to https://docs.aws.amazon.com/bedrock/latest/userguide/invoke-imported-model.html#handle-model-not-ready-exception.",
  internalServer: "The server encountered an internal error while processing the request.",
  modelTimeout: "Model has timed out in processing the request. Try your request again.",
  // The emulator's own words: no report of Bedrock's for these was found.
  modelError: "The model failed while processing the request (injected by the emulator).",
  modelStreamError: "The model stream failed while generating (injected by the emulator).",
  modelServerFailed: "The model server failed (injected by the emulator).",
  serviceQuota: "The account's quota for this model is used up (injected by the emulator). Try again once it frees.",
  serviceUnavailable: "Bedrock is unable to process your request.",
  malformedJson: "Malformed input request, please reformat your input and try again.",
  unknownOperation: "UnknownOperationException",
  modelNotFound:
    "The provided model identifier is invalid. The emulator serves arn:aws:bedrock:<region>:<account>:imported-model/<format>[.<option>]* (see emulator/README.md).",
  converseModelNotFound:
    "Could not resolve the foundation model from the provided model identifier. The emulator's Converse serves foundation model ids, inference profiles, application inference profile, provisioned and imported model ARNs, options after + signs (see emulator/README.md).",
} as const;
