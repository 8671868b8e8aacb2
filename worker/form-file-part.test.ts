// Which multipart parts are files (left49 #1), against Node's own parser (undici's formData):
// every part isFilePart takes as a file, that parser makes a File of or refuses; the parts it
// makes strings of are counted as text. test/workerd/limits.test.ts holds the same through workerd.
import { describe, expect, it } from "vitest";
import { isFilePart } from "./form-file-part.ts";

/** What Node's parser makes of one part under `headers`: "file", "string" or "refused". */
async function parsedAs(headers: string): Promise<string> {
  const body = `--B\r\n${headers}\r\n\r\nhello\r\n--B--\r\n`;
  try {
    const form = await new Response(body, {
      headers: { "content-type": "multipart/form-data; boundary=B" },
    }).formData();
    const [entry] = [...form.values()];
    return typeof entry === "string" ? "string" : "file";
  } catch {
    return "refused";
  }
}

const FILES = [
  'Content-Disposition: form-data; name="image"; filename="room.png"',
  'Content-Disposition: form-data; name="image"; filename="room.png"\r\nContent-Type: image/png',
  'Content-Type: image/png\r\ncontent-disposition: form-data; name="image"; filename="room.png"',
  'Content-Disposition: form-data; name="image"; filename="C:\\room.png"',
];
const TEXT = [
  'Content-Disposition: form-data; name="prompt"',
  'Content-Disposition: form-data; name="prompt"\r\nContent-Type: text/plain; filename=x',
  'Content-Disposition: form-data; name="a;filename=b"',
  'Content-Disposition: form-data; name="a; filename=b"',
  'Content-Disposition: form-data; name="prompt"; filename=b',
  'Content-Disposition: form-data; name="prompt"; FILENAME="b"',
  "Content-Disposition: form-data; name=\"prompt\"; filename*=utf-8''b",
  'Content-Disposition: form-data; name="prompt"; filename=""',
  'Content-Disposition: form-data; name="prompt"; filename="b\\"',
  'Content-Disposition: form-data; name="prompt";filename="b"',
  'Content-Disposition: form-data; filename="b"; name="prompt"',
  // Two of them: workerd reads the first, undici the last.
  'Content-Disposition: form-data; name="a"; filename="b"\r\nContent-Disposition: form-data; name="a"',
  'Content-Disposition: form-data; name="a"\r\nContent-Disposition: form-data; name="a"; filename="b"',
  // The second hidden behind a lone CR or LF.
  'X: 1\rContent-Disposition: form-data; name="a"\r\nContent-Disposition: form-data; name="a"; filename="b"',
  'Content-Disposition: form-data; name="a"; filename="b"\n\nContent-Disposition: form-data; name="a"',
];

describe("isFilePart: a file only by Content-Disposition's filename, as both runtimes' parsers read it", () => {
  it("takes the form clients send as a file, and the parser agrees", async () => {
    for (const headers of FILES) {
      expect({ headers, file: isFilePart(headers), parsed: await parsedAs(headers) }).toEqual({
        headers,
        file: true,
        parsed: "file",
      });
    }
  });

  it("counts every other part as text: a filename outside the parameter, quoted in the name, or read two ways", async () => {
    for (const headers of TEXT) expect({ headers, file: isFilePart(headers) }).toEqual({ headers, file: false });
    // The review's two, strings to Node's parser as to workerd's: counted as nothing before.
    expect(await parsedAs(TEXT[1]!)).toBe("string");
    expect(await parsedAs(TEXT[2]!)).toBe("string");
  });

  it("takes a quote escaped in the filename as workerd does (Go's clients send one): a file there, refused by Node's parser", async () => {
    const headers = 'Content-Disposition: form-data; name="image"; filename="a\\"b.png"';
    expect(isFilePart(headers)).toBe(true);
    expect(await parsedAs(headers)).toBe("refused");
  });
});
