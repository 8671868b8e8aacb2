// Whether a multipart part is a file, read from its headers as the runtime's multipart parser
// reads them: the one thing that makes a File of a part is the filename parameter of its
// Content-Disposition (workerd's parser and Node's, undici's; its Content-Type, a quoted name
// holding `filename=`, or any other header make none). The two read that header apart in places
// (measured, left49 #1: workerd takes the first of two Content-Dispositions and undici the last,
// workerd ends a line at a lone CR, takes `filename` only in lower case and only quoted and not
// empty, undici none but the exact `form-data; name="…"; filename="…"` clients write), so a part
// is taken as a file only in the form both make one of, which every client sends; anything else is
// counted as text, at worst refusing a file sent in a form no client writes.

/** A header line naming Content-Disposition, in any case, spaced any way a parser might still take. */
const DISPOSITION = /^[ \t]*content-disposition[ \t]*:(.*)$/i;
/**
 * A Content-Disposition both parsers make a file of: a name without quotes or escapes, then a
 * filename not empty, each quoted and `\` escaping one character as workerd reads it (Go's
 * clients escape a quote so). What follows cannot unmake it.
 */
const FILE_DISPOSITION = /^[ \t]*form-data; name="[^"\\\r\n]+"; filename="(?:[^"\\\r\n]|\\[^\r\n])+"/;

/** Whether the runtime's parser makes a File of the part with these headers (CRs and LFs as sent). */
export function isFilePart(headers: string): boolean {
  let dispositions = 0;
  let file = false;
  // A lone CR or LF ends a line too: a Content-Disposition hidden behind one is still counted.
  for (const line of headers.split(/\r\n?|\n/)) {
    const disposition = DISPOSITION.exec(line);
    if (disposition === null) continue;
    dispositions += 1;
    file = FILE_DISPOSITION.test(disposition[1]!);
  }
  return dispositions === 1 && file;
}
