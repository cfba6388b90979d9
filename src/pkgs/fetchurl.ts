/**
 * `fetchurl`: a fixed-output derivation with Nix's `builtin:fetchurl`
 * builder, so its output path depends only on the name and the hash.
 */
import type { Derivation } from "../derivation/derivation.js";
import { parseHash } from "../store/hash.js";

export interface FetchurlArgs {
  /** One URL, or several mirrors tried in order. `mirror://debian/…` expands at fetch time. */
  url?: string;
  urls?: string[];
  /** SRI (`sha256-…`) or `sha256:<hex|nix32>`. */
  hash: string;
  name?: string;
}

export function fetchurl(args: FetchurlArgs): Derivation {
  const urls = args.urls ?? (args.url !== undefined ? [args.url] : []);
  if (urls.length === 0) throw new Error("fetchurl needs 'url' or 'urls'");
  const hash = parseHash(args.hash);
  const name = args.name ?? decodeURIComponent(urls[0]!.split("/").pop() ?? "source");
  const env: Record<string, string> = {
    builder: "builtin:fetchurl",
    name,
    out: "",
    outputHash: hash.sri,
    outputHashMode: "flat",
    system: "builtin",
  };
  if (urls.length === 1) env.url = urls[0]!;
  else env.urls = urls.join(" ");
  return {
    name,
    outputs: { out: { path: "", hashAlgo: hash.algo, hash: hash.hex } },
    inputDrvs: {},
    inputSrcs: [],
    system: "builtin",
    builder: "builtin:fetchurl",
    args: [],
    env,
  };
}
