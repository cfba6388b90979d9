/** Reading a file the ELF commands were given, with errors a user can act on. */
import { readElfFile } from "../elf/read-file.js";
import { XpkgsError } from "../errors.js";
import { type ElfFile, ElfFormatError, isElf, parseElf } from "../elf/parse.js";

/** `whole`: read every byte (symbol tables and sections' contents); else only what headers need. */
export function readElf(path: string, whole = false): ElfFile {
  let bytes: Uint8Array;
  try {
    bytes = readElfFile(path, whole);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new XpkgsError(`${path}: no such file.`);
    if (code === "EISDIR") throw new XpkgsError(`${path} is a directory; give an ELF file.`);
    throw new XpkgsError(`${path}: cannot read it (${(e as Error).message}).`);
  }
  if (!isElf(bytes)) {
    throw new XpkgsError(
      `${path} is not an ELF file (it does not start with \\x7fELF). Run 'xpkgs file ${path}' to see what it is.`,
    );
  }
  try {
    return parseElf(bytes);
  } catch (e) {
    if (e instanceof ElfFormatError) throw new XpkgsError(`${path}: ${e.message}.`);
    throw e;
  }
}
