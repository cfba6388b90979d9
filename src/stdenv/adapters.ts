/**
 * Stdenv adapters: changes every package gets because of its platform, so
 * that recipes never ask. Static linking is one: build systems are told not
 * to build shared libraries, and the compiler wrapper links with -static.
 */
import type { Platform } from "../systems/elaborate.js";

export interface BuildSystemFlags {
  configureFlags: string[];
  cmakeFlags: string[];
  mesonFlags: string[];
}

export function staticAdapter(host: Platform): BuildSystemFlags {
  // cmake's own default is static libraries; a dynamic set wants shared ones.
  if (!host.isStatic)
    return { configureFlags: [], cmakeFlags: ["-DBUILD_SHARED_LIBS=ON"], mesonFlags: [] };
  return {
    configureFlags: ["--enable-static", "--disable-shared"],
    cmakeFlags: ["-DBUILD_SHARED_LIBS=OFF"],
    mesonFlags: ["-Ddefault_library=static"],
  };
}
