/**
 * An HTTP date as servers write it (RFC 9110, section 5.6.7: IMF-fixdate, "Sun, 06 Nov 1994
 * 08:49:37 GMT"), in milliseconds since the epoch; undefined for anything else, where Date.parse
 * reads "abc 2030" as a year, "-1" as a day in 2001, and years past 9999. The two obsolete forms
 * (RFC 850's, asctime's), which no AWS endpoint sends, are not read either.
 */
export function parseHttpDate(value: string): number | undefined {
  const time = Date.parse(value);
  // toUTCString writes IMF-fixdate, and ECMA-262 has every runtime's Date.parse read it back: a
  // value written back the same is one, of a day that exists (not 31 Feb) with its own weekday,
  // and in 29 characters its year has 4 digits (10000 and -1 take 30).
  return value.length === 29 && new Date(time).toUTCString() === value ? time : undefined;
}
