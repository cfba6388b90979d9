import { cxxProbeSource } from "../../toolchains/libstdcxx.js";
import { recipe } from "../package-set.js";

// xpkgs' own C++ test program: threads, exceptions, iostream, regex, <filesystem> and
// random_device, each checked. On musl it proves libstdcxx and the unwinder of the platform.
export const cxxProbe = recipe(({ stdenv }) =>
  stdenv.mkDerivation({
    pname: "cxx-probe",
    version: "1",
    cxx: true,
    dontUnpack: true,
    env: { probeSource: cxxProbeSource() },
    buildPhase: 'printf "%s" "$probeSource" >probe.cc\n$CXX -O2 -Wall -o cxx-probe probe.cc',
    installPhase: 'mkdir -p "$out/bin"\ncp cxx-probe "$out/bin/"',
    meta: {
      description: "xpkgs' C++ test program: threads, exceptions, iostream, regex, filesystem",
      license: "MIT",
      mainProgram: "cxx-probe",
      smokeTest: { args: [], expect: "ok   8 threads[^]*all passed" },
    },
  }),
);
