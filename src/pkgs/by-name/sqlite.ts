import { recipe } from "../package-set.js";

export const sqlite = recipe<"zlib">(({ stdenv, fetchurl, hostPlatform, tcl, zlib }) =>
  stdenv.mkDerivation({
    pname: "sqlite",
    version: "3.40.1",
    src: fetchurl({
      // Debian's is the canonical source tree, not the amalgamation: tclsh generates sqlite3.c,
      // and the build compiler builds lemon and mkkeywordhash (BUILD_CC).
      url: "mirror://debian/pool/main/s/sqlite3/sqlite3_3.40.1.orig.tar.xz",
      name: "sqlite3-3.40.1.tar.xz",
      hash: "sha256:aaa776260ab4dc976db34aa7891819484c8676b5b2783123ebc6301e2ca5d655",
    }),
    nativeBuildInputs: [tcl],
    buildInputs: [zlib],
    configureFlags: [
      // Otherwise configure finds the build machine's Tcl and builds an extension against it.
      "--disable-tcl",
      "--disable-readline",
      "--enable-threadsafe",
      "--enable-fts5",
      "--enable-rtree",
      ...(hostPlatform.isStatic ? ["--disable-load-extension"] : []),
    ],
    meta: {
      description: "SQLite: a self-contained SQL database engine, libsqlite3 and the sqlite3 shell",
      homepage: "https://www.sqlite.org/",
      license: "blessing",
      mainProgram: "sqlite3",
      smokeTest: {
        args: [":memory:", "select sqlite_version(), 6*7, hex(zeroblob(2));"],
        expect: "3\\.40\\.1\\|42\\|0000",
      },
    },
  }),
);
