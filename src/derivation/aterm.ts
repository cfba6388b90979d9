/**
 * The ATerm text of a `.drv` file, written byte for byte as Nix writes it,
 * and read back with errors that name the byte offset.
 */
import { XpkgsError } from "../errors.js";
import { compareBytes } from "../store/store-path.js";
import type { Derivation, DerivationOutput } from "./derivation.js";

const escapes: Record<string, string> = {
  '"': '\\"',
  "\\": "\\\\",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
};
const special = /["\\\n\r\t]/g;

function quote(s: string): string {
  return `"${s.replace(special, (c) => escapes[c]!)}"`;
}

function sortedKeys(o: Record<string, unknown>): string[] {
  return Object.keys(o).sort(compareBytes);
}

function list(items: string[]): string {
  return `[${items.join(",")}]`;
}

export interface UnparseOptions {
  /** Write output paths, and the env entries named after outputs, as empty strings. */
  maskOutputs?: boolean;
  /** Write these input derivations instead of the derivation's own (for hashing modulo). */
  inputDrvs?: Record<string, string[]>;
}

/** The `.drv` text of a derivation. */
export function unparseDerivation(drv: Derivation, opts: UnparseOptions = {}): string {
  const mask = opts.maskOutputs ?? false;
  const outputs = sortedKeys(drv.outputs).map((id) => {
    const o = drv.outputs[id]!;
    return `(${[id, mask ? "" : o.path, o.hashAlgo, o.hash].map(quote).join(",")})`;
  });
  const inputs = opts.inputDrvs ?? drv.inputDrvs;
  const inputDrvs = sortedKeys(inputs).map(
    (p) => `(${quote(p)},${list([...new Set(inputs[p]!)].sort(compareBytes).map(quote))})`,
  );
  const inputSrcs = [...new Set(drv.inputSrcs)].sort(compareBytes).map(quote);
  const env = sortedKeys(drv.env).map((k) => {
    const v = mask && Object.prototype.hasOwnProperty.call(drv.outputs, k) ? "" : drv.env[k]!;
    return `(${quote(k)},${quote(v)})`;
  });
  return (
    `Derive(${list(outputs)},${list(inputDrvs)},${list(inputSrcs)},` +
    `${quote(drv.system)},${quote(drv.builder)},${list(drv.args.map(quote))},${list(env)})`
  );
}

export class DrvParseError extends XpkgsError {
  override name = "DrvParseError";
  constructor(
    readonly file: string,
    readonly byteOffset: number,
    what: string,
  ) {
    super(
      `${file} is not a valid derivation: ${what} at byte offset ${byteOffset}. ` +
        `A .drv file is the ATerm text 'Derive([...],...)' that Nix and xpkgs write; ` +
        `regenerate it rather than editing it by hand.`,
    );
  }
}

/** Read `.drv` text. `name` is the derivation's name, which the text itself does not hold. */
export function parseDerivation(text: string, name: string, file = "<input>"): Derivation {
  let pos = 0;
  const fail = (what: string): never => {
    throw new DrvParseError(file, Buffer.byteLength(text.slice(0, pos), "utf8"), what);
  };
  const expect = (lit: string): void => {
    if (!text.startsWith(lit, pos)) {
      const got = pos >= text.length ? "end of file" : `'${text.slice(pos, pos + 12)}'`;
      fail(`expected '${lit}' but found ${got}`);
    }
    pos += lit.length;
  };
  const peek = (lit: string): boolean => text.startsWith(lit, pos);
  const str = (): string => {
    expect('"');
    let out = "";
    for (;;) {
      if (pos >= text.length) fail("unterminated string");
      const c = text[pos]!;
      if (c === '"') {
        pos++;
        return out;
      }
      if (c === "\\") {
        const e = text[pos + 1];
        if (e === undefined) fail("unterminated escape");
        out += e === "n" ? "\n" : e === "r" ? "\r" : e === "t" ? "\t" : e;
        pos += 2;
      } else {
        out += c;
        pos++;
      }
    }
  };
  const listOf = <T>(item: () => T): T[] => {
    expect("[");
    const items: T[] = [];
    if (peek("]")) {
      pos++;
      return items;
    }
    for (;;) {
      items.push(item());
      if (peek(",")) pos++;
      else break;
    }
    expect("]");
    return items;
  };
  const noDuplicate = (seen: Set<string>, key: string, what: string, at: number): void => {
    if (seen.has(key)) {
      pos = at;
      fail(`duplicate ${what} '${key}'`);
    }
    seen.add(key);
  };

  expect("Derive(");
  const outputs: Record<string, DerivationOutput> = {};
  const seenOutputs = new Set<string>();
  listOf(() => {
    const at = pos;
    expect("(");
    const id = str();
    expect(",");
    const path = str();
    expect(",");
    const hashAlgo = str();
    expect(",");
    const hash = str();
    expect(")");
    noDuplicate(seenOutputs, id, "output", at);
    outputs[id] = { path, hashAlgo, hash };
  });
  expect(",");
  const inputDrvs: Record<string, string[]> = {};
  const seenInputs = new Set<string>();
  listOf(() => {
    const at = pos;
    expect("(");
    const p = str();
    expect(",");
    const outs = listOf(str);
    expect(")");
    noDuplicate(seenInputs, p, "input derivation", at);
    inputDrvs[p] = outs;
  });
  expect(",");
  const inputSrcs = listOf(str);
  expect(",");
  const system = str();
  expect(",");
  const builder = str();
  expect(",");
  const args = listOf(str);
  expect(",");
  const env: Record<string, string> = {};
  const seenEnv = new Set<string>();
  listOf(() => {
    const at = pos;
    expect("(");
    const k = str();
    expect(",");
    const v = str();
    expect(")");
    noDuplicate(seenEnv, k, "environment variable", at);
    env[k] = v;
  });
  expect(")");
  if (pos !== text.length) fail("unexpected text after the end of the derivation");
  if (Object.keys(outputs).length === 0) {
    pos = 0;
    fail("a derivation must have at least one output");
  }
  return { name, outputs, inputDrvs, inputSrcs, system, builder, args, env };
}
