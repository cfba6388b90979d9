/**
 * Stand-in recipes: raw derivations that let `xpkgs show` and
 * `xpkgs show-derivation` work on attribute paths before stdenv exists.
 * Their sources are real (fetchurl with a pinned hash); their builders only
 * say that building arrives with stdenv.
 */
import type { Derivation } from "../derivation/derivation.js";
import { fetchurl } from "./fetchurl.js";
import type { PackageSet } from "./package-set.js";

export interface RecipeResult {
  pname: string;
  version: string;
  drv: Derivation;
  standIn: boolean;
}

export type Recipe = (pkgs: PackageSet) => RecipeResult;

function standIn(pkgs: PackageSet, pname: string, version: string, src: Derivation): RecipeResult {
  const source = pkgs.addDerivation(src);
  const name = pkgs.fullName(pname, version);
  const message = `${name}: a stand-in derivation; building packages arrives with stdenv`;
  return {
    pname,
    version,
    standIn: true,
    drv: {
      name,
      outputs: { out: { path: "", hashAlgo: "", hash: "" } },
      inputDrvs: { [source.drvPath]: ["out"] },
      inputSrcs: [],
      system: pkgs.buildPlatform.system,
      builder: "/bin/sh",
      args: ["-c", `echo '${message}' >&2; exit 1`],
      env: {
        name,
        pname,
        version,
        src: source.drv.outputs.out!.path,
        system: pkgs.buildPlatform.system,
        builder: "/bin/sh",
        buildPlatform: pkgs.buildPlatform.config,
        hostPlatform: pkgs.hostPlatform.config,
        isStatic: pkgs.hostPlatform.isStatic ? "1" : "",
        out: "",
      },
    },
  };
}

export const standInRecipes: Readonly<Record<string, Recipe>> = {
  hello: (pkgs) =>
    standIn(
      pkgs,
      "hello",
      "2.10",
      fetchurl({
        url: "mirror://debian/pool/main/h/hello/hello_2.10.orig.tar.gz",
        name: "hello-2.10.tar.gz",
        hash: "sha256:31e066137a962676e89f69d1b65382de95a7ef7d914b8cb956f41ea72e0f516b",
      }),
    ),
  "binutils-unwrapped": (pkgs) =>
    standIn(
      pkgs,
      "binutils",
      "2.40",
      fetchurl({
        url: "mirror://debian/pool/main/b/binutils/binutils_2.40.orig.tar.xz",
        name: "binutils-2.40.tar.xz",
        hash: "sha256:d78c2d2eb24a9be1e02f8854cb1bd435556d7f584fb6bfb6b07e6527d43fc41d",
      }),
    ),
};
