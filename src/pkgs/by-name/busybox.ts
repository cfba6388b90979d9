import { recipe } from "../package-set.js";

export const busybox = recipe(({ stdenv, fetchurl }) => {
  const p = stdenv.toolPrefix;
  // Kconfig, not autoconf: start from defconfig and set the few options that differ.
  const options: Record<string, "y" | "n"> = {
    CONFIG_STATIC: stdenv.hostPlatform.isStatic ? "y" : "n",
    // musl has no utmp/wtmp; busybox's fallbacks are fine everywhere.
    CONFIG_FEATURE_UTMP: "n",
    CONFIG_FEATURE_WTMP: "n",
  };
  const edits = Object.entries(options)
    .map(([k, v]) => `setOption ${k} ${v}`)
    .join("\n");
  return stdenv.mkDerivation({
    pname: "busybox",
    version: "1.35.0",
    src: fetchurl({
      url: "mirror://debian/pool/main/b/busybox/busybox_1.35.0.orig.tar.bz2",
      name: "busybox-1.35.0.tar.bz2",
      hash: "sha256:faeeb244c35a348a334f4a59e44626ee870fb07b6884d68c10ae8bc19f83a694",
    }),
    makeFlags: [`CROSS_COMPILE=${p}`, "HOSTCC=gcc", "V=1"],
    hooks: {
      configurePhase: `
setOption() {
  sed -i -e "/^$1=/d" -e "/^# $1 is not set/d" .config
  if [ "$2" = y ]; then echo "$1=y" >>.config; else echo "# $1 is not set" >>.config; fi
}
make "\${makeFlagsArray[@]}" defconfig
${edits}
make "\${makeFlagsArray[@]}" oldconfig </dev/null
`,
      installPhase: `make "\${makeFlagsArray[@]}" CONFIG_PREFIX="$out" install`,
    },
    meta: {
      description: "Tiny versions of common UNIX utilities in a single executable",
      homepage: "https://busybox.net/",
      license: "GPL-2.0-only",
      mainProgram: "busybox",
      smokeTest: { args: ["echo", "xpkgs"], expect: "^xpkgs\\n$" },
    },
  });
});
