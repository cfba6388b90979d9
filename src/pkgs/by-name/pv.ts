import { recipe } from "../package-set.js";

export const pv = recipe(({ stdenv, fetchurl }) =>
  stdenv.mkDerivation({
    pname: "pv",
    version: "1.6.20",
    src: fetchurl({
      url: "mirror://debian/pool/main/p/pv/pv_1.6.20.orig.tar.bz2",
      name: "pv-1.6.20.tar.bz2",
      hash: "sha256:e831951eff0718fba9b1ef286128773b9d0e723e1fbfae88d5a3188814fdc603",
    }),
    configureFlags: ["--disable-nls", "--disable-splice"],
    meta: {
      description: "Pipe viewer: shows the progress of data through a pipeline",
      homepage: "https://www.ivarch.com/programs/pv.shtml",
      license: "Artistic-2.0",
      mainProgram: "pv",
      smokeTest: { args: ["--version"], expect: "^pv 1\\.6\\.20" },
    },
  }),
);
