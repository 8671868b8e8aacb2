// Number fields of both OpenAI request schemas (chat and legacy Completions): optional, and every
// step of the check says the same, so a refusal reads one sentence whichever step failed.
import * as v from "valibot";

/** A number in [min, max]. */
export const range = (min: number, max: number) => {
  const says = `must be a number between ${min} and ${max}`;
  return v.nullish(v.pipe(v.number(says), v.finite(says), v.minValue(min, says), v.maxValue(max, says)));
};

/** A whole number in [min, max]. */
export const whole = (min: number, max: number) => {
  const says = `must be a whole number between ${min} and ${max}`;
  return v.nullish(v.pipe(v.number(says), v.integer(says), v.minValue(min, says), v.maxValue(max, says)));
};
