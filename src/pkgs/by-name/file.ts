import { recipe } from "../package-set.js";

export const file = recipe<"zlib" | "xz", "file">(({ stdenv, fetchurl, buildPackages, zlib, xz }) =>
  stdenv.mkDerivation({
    pname: "file",
    version: "5.44",
    src: fetchurl({
      url: "mirror://debian/pool/main/f/file/file_5.44.orig.tar.gz",
      name: "file-5.44.tar.gz",
      hash: "sha256:3751c7fba8dbc831cb8d7cc8aff21035459b8ce5155ef8b0880a27d028475f3b",
    }),
    // The magic database is compiled by `file -C` while building; a cross build cannot run
    // its own file, so it needs the build machine's, of the same version.
    nativeBuildInputs: stdenv.isCross ? [buildPackages.file] : [],
    // liblzma (from our xz) and zlib, so that `file -z` looks inside compressed files.
    buildInputs: [zlib, xz],
    configureFlags: ["--disable-libseccomp", "--enable-zlib", "--enable-xzlib", "--disable-bzlib"],
    meta: {
      description: "Tells what kind of data a file holds, from its magic numbers",
      homepage: "https://darwinsys.com/file/",
      license: "BSD-2-Clause",
      mainProgram: "file",
      smokeTest: { args: ["--version"], expect: "^file-5\\.44\\n" },
    },
  }),
);
