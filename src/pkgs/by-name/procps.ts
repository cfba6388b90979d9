import { recipe } from "../package-set.js";

export const procps = recipe<"ncurses">(
  ({ stdenv, fetchurl, hostPlatform, ncurses, "pkg-config": pkgConfig }) =>
    stdenv.mkDerivation({
      pname: "procps",
      version: "4.0.2",
      src: fetchurl({
        url: "mirror://debian/pool/main/p/procps/procps_4.0.2.orig.tar.xz",
        name: "procps-ng-4.0.2.tar.xz",
        hash: "sha256:ee3fcd2ea6ff94aa43a81ba5cc7912b7c9615acd2911c7a3d3ea081287fdf47a",
      }),
      nativeBuildInputs: [pkgConfig],
      buildInputs: [ncurses],
      configureFlags: [
        "--disable-nls",
        "--without-systemd",
        "--disable-modern-top",
        "--enable-watch8bit",
        "--sbindir=@out@/bin",
        ...(hostPlatform.isMusl ? ["--disable-w"] : []),
        ...(hostPlatform.isStatic ? ["--disable-numa"] : []),
      ],
      meta: {
        description: "/proc utilities: ps, top, free, vmstat, kill, pgrep, watch, sysctl…",
        homepage: "https://gitlab.com/procps-ng/procps",
        license: "GPL-2.0-or-later AND LGPL-2.1-or-later",
        mainProgram: "ps",
        // PID 1 always exists: ps reads /proc/1/stat and prints its command.
        smokeTest: { args: ["-o", "pid=,comm=", "-p", "1"], expect: "^\\s*1 \\S+\\n" },
        notes: ["Needs /proc at run time, as every procps program does."],
      },
    }),
);
