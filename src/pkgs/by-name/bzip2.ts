import { recipe } from "../package-set.js";

export const bzip2 = recipe(({ stdenv, fetchurl }) => {
  const p = stdenv.toolPrefix;
  // bzip2 has a plain Makefile that names gcc itself: the tools go on make's command line.
  const tools = [`CC=${p}gcc`, `AR=${p}ar`, `RANLIB=${p}ranlib`];
  return stdenv.mkDerivation({
    pname: "bzip2",
    version: "1.0.8",
    src: fetchurl({
      url: "mirror://debian/pool/main/b/bzip2/bzip2_1.0.8.orig.tar.gz",
      name: "bzip2-1.0.8.tar.gz",
      hash: "sha256:ab5a03176ee106d3f0fa90e381da478ddae405918153cca248e682cd0c4a2269",
    }),
    dontConfigure: true,
    // The default target also runs the fresh binaries, which a cross build cannot.
    makeFlags: [...tools, "libbz2.a", "bzip2", "bzip2recover"],
    hooks: { installPhase: `make ${tools.join(" ")} PREFIX="$out" install` },
    meta: {
      description: "High-quality block-sorting file compressor",
      homepage: "https://sourceware.org/bzip2/",
      license: "bzip2-1.0.6",
      mainProgram: "bzip2",
      // bzip2 has no --version that exits 0; --help names the version.
      smokeTest: { args: ["--help"], expect: "Version 1\\.0\\.8" },
      notes: [
        "Builds the static library only (libbz2.a); the shared one needs its second Makefile.",
      ],
    },
  });
});
