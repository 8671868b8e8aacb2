// What a function may be called, in one place: the request schemas hold every tool's name to it
// (chat's tools[].function.name, the Responses API's tools[].name), and a name a model writes
// where a forced call's name goes is read against it (offered-calls.ts): text that could not name
// any function is the model's words, not a call.

/** 1-128 letters, digits, `_ . : -`: wider than OpenAI's (1-64 of `A-Z a-z 0-9 _ -`), so no name OpenAI takes is refused. */
export const FUNCTION_NAME = /^[A-Za-z0-9_.:-]{1,128}$/;

/** The schemas' refusal of a name that breaks FUNCTION_NAME, after the field's name. */
export const FUNCTION_NAME_RULE = "must be 1-128 letters, digits, _ . : or -";

export function isFunctionName(text: string): boolean {
  return FUNCTION_NAME.test(text);
}
