/**
 * The package-set variants (`pkgsStatic`, `pkgsMusl`, `pkgsCross.<name>`) as
 * changes to one part of the host platform each. A variant is a set of
 * modifiers kept apart from the base platform, so applying them in any order
 * gives the same platform: `pkgsStatic.pkgsCross.X` is `pkgsCross.X.pkgsStatic`.
 */
import { XpkgsError } from "../errors.js";
import type { PlatformSpec } from "../systems/elaborate.js";
import { abis, parsePlatform } from "../systems/parse.js";

export interface HostVariant {
  /** The platform before modifiers: the build machine's, or a `pkgsCross` example. */
  base: PlatformSpec;
  /** `pkgsStatic`: static linking, which on Linux also means musl, as in Nixpkgs. */
  static: boolean;
  /** `pkgsMusl`: musl instead of glibc. */
  musl: boolean;
}

export class VariantError extends XpkgsError {
  override name = "VariantError";
}

/** The platform spec a variant stands for. */
export function hostSpecOf(v: HostVariant): PlatformSpec {
  let spec: PlatformSpec = { ...v.base };
  if (v.musl || v.static) spec = muslSpec(spec);
  if (v.static) spec = { ...spec, isStatic: true };
  return spec;
}

function muslSpec(spec: PlatformSpec): PlatformSpec {
  const parsed = parsePlatform(spec.config);
  if (parsed.abi.libc === "musl") return spec;
  const musl = parsed.abi.muslEquivalent;
  if (musl === undefined || abis[musl] === undefined) {
    throw new VariantError(
      `There is no musl variant of '${spec.config}': musl has no ABI matching '${parsed.abi.name}'. ` +
        `Use the glibc package set for this platform.`,
    );
  }
  const config = `${parsed.cpu.name}-${parsed.vendor.name}-${parsed.kernel.name}-${musl}`;
  const gcc = { ...(spec.gcc ?? {}) };
  if (parsed.abi.powerAbi !== undefined) gcc.abi = "elfv2";
  return Object.keys(gcc).length > 0 ? { ...spec, config, gcc } : { ...spec, config };
}
