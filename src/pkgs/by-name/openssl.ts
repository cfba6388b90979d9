import type { Platform } from "../../systems/elaborate.js";
import { recipe } from "../package-set.js";

/** OpenSSL's Configure target for a platform (its own names, not triples). */
function opensslTarget(p: Platform): string[] {
  const cpu = p.parsed.cpu;
  if (p.isAarch64) return ["linux-aarch64"];
  if (p.isAarch32) {
    // Its ARMv7 assembly holds NEON paths (chosen at run time, but marked in the ELF's
    // attributes as needing NEON and 32 D registers): a platform whose FPU has no NEON
    // (armv7l-hf: VFPv3-D16) gets the C code, which its output check accepts.
    const noNeon = p.gcc.arch?.startsWith("armv7") === true && !(p.gcc.fpu ?? "").includes("neon");
    return ["linux-armv4", `-march=${p.gcc.arch ?? "armv7-a"}`, ...(noNeon ? ["no-asm"] : [])];
  }
  if (cpu.family === "x86") return [cpu.bits === 64 ? "linux-x86_64" : "linux-x86"];
  if (p.isRiscV) return [cpu.bits === 64 ? "linux64-riscv64" : "linux32-riscv32"];
  if (p.isPower) {
    if (cpu.bits === 32) return ["linux-ppc"];
    return [p.isLittleEndian ? "linux-ppc64le" : "linux-ppc64"];
  }
  if (p.isS390) return [cpu.bits === 64 ? "linux64-s390x" : "linux32-s390x"];
  if (p.isMips) {
    // Configure adds -mips2 (-mips3) for its assembly unless its command line names an
    // -march, and gcc refuses that beside the wrapper's -march=mips32r2: name the platform's.
    const march = p.gcc.arch !== undefined ? [`-march=${p.gcc.arch}`] : [];
    return [p.isMips64 ? "linux64-mips64" : "linux-mips32", ...march];
  }
  if (p.isLoongArch64) return ["linux64-loongarch64"];
  return [cpu.bits === 64 ? "linux-generic64" : "linux-generic32"];
}

export const openssl = recipe(({ stdenv, fetchurl, hostPlatform, perl }) =>
  stdenv.mkDerivation({
    pname: "openssl",
    version: "3.0.20",
    src: fetchurl({
      url: "mirror://debian/pool/main/o/openssl/openssl_3.0.20.orig.tar.gz",
      name: "openssl-3.0.20.tar.gz",
      hash: "sha256:c80a01dfc70ece4dc21168932c37739042d404d46ccc81a5986dd75314ecda6f",
    }),
    // Its own perl Configure: a target name instead of --host, and no autoconf flags.
    nativeBuildInputs: [perl],
    configurePlatforms: [],
    dontAddStaticConfigureFlags: true,
    // The manual pages (install_docs) take longer than the library, and install_ssldirs
    // would write to /etc/ssl: install the programs, libraries and headers.
    env: { configureScript: "./Configure", installTargets: "install_sw" },
    configureFlags: [
      ...opensslTarget(hostPlatform),
      "--libdir=lib",
      "--openssldir=/etc/ssl",
      "no-tests",
      ...(hostPlatform.isStatic ? ["no-shared", "no-module", "no-ct"] : ["shared"]),
    ],
    meta: {
      description: "TLS and general-purpose cryptography: libssl, libcrypto and the openssl tool",
      homepage: "https://www.openssl.org/",
      license: "Apache-2.0",
      mainProgram: "openssl",
      // PBKDF2-HMAC-SHA256 of "password" and "salt", one iteration (RFC 7914's vector).
      smokeTest: {
        args: [
          "kdf",
          "-keylen",
          "16",
          "-kdfopt",
          "digest:SHA256",
          "-kdfopt",
          "pass:password",
          "-kdfopt",
          "salt:salt",
          "-kdfopt",
          "iter:1",
          "PBKDF2",
        ],
        expect: "^12:0F:B6:CF:FC:F8:B3:2C:43:E7:22:52:56:C4:F8:37",
      },
      notes: ["Looks for its configuration and certificates under /etc/ssl on the device."],
    },
  }),
);
