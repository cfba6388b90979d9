// An overlay: a new package, and a change to a built-in one. Used by
// docs/howto.md and built by src/pkgs/overlay.e2e.test.ts.
import type { Overlay } from "xpkgs";

const greeterSource = `#include <stdio.h>
int main(void) { puts("hi from an overlay"); return 0; }
`;

const overlay: Overlay = (final, prev) => ({
  // A recipe: called with the final set, so it cross-compiles and links
  // statically in pkgsCross.* and pkgsStatic like the built-in packages.
  greeter: ({ stdenv }) =>
    stdenv.mkDerivation({
      pname: "greeter",
      version: "1.0",
      dontUnpack: true,
      env: { greeterSource },
      hooks: {
        buildPhase: 'printf "%s" "$greeterSource" > greeter.c; $CC -O2 -o greeter greeter.c',
        installPhase: "mkdir -p $out/bin; cp greeter $out/bin/",
      },
      meta: { description: "Says hi (an overlay example)", mainProgram: "greeter" },
    }),
  // A built-in package, changed: installs its program as my-hello.
  hello: prev.hello.overrideAttrs!((p) => ({
    configureFlags: [...(p.configureFlags ?? []), "--program-prefix=my-"],
  })),
});

export default overlay;
