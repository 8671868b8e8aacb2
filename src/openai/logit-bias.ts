// logit_bias, in chat and legacy Completions alike, as OpenAI's spec has it: token ids (its
// description's "tokens (specified by their token ID in the tokenizer)") to whole numbers
// (`additionalProperties: type: integer`) from -100 to 100. Anything else was sent to Bedrock as it
// came (1e308, 1.5, a key "abc"): refused here by the key it is under (numbers43 #5).
import * as v from "valibot";
import { checkSkippedKeys } from "./checked-record.ts";

const SHAPE = "an object of token ids to numbers";
const BIAS = "must be a whole number between -100 and 100";
const bias = v.pipe(v.number(BIAS), v.integer(BIAS), v.minValue(-100, BIAS), v.maxValue(100, BIAS));
const TOKEN_ID = /^\d+$/;
const tokenId = v.pipe(
  v.string(),
  v.check(
    (key: string) => TOKEN_ID.test(key),
    'is not a token id (its keys are token ids in decimal digits, as "50256")',
  ),
);

export const logitBiasSchema = v.nullish(v.record(tokenId, bias, `must be ${SHAPE}`));

/** What logitBiasSchema cannot see: the keys valibot's record() skips, and an array. */
export function checkLogitBias(value: unknown): void {
  checkSkippedKeys(value, bias, "logit_bias", SHAPE, tokenId);
}
