/** Every package recipe, by attribute name. One file a recipe. */
import type { Recipe } from "../package-set.js";
import { binutilsUnwrapped } from "./binutils-unwrapped.js";
import { busybox } from "./busybox.js";
import { bzip2 } from "./bzip2.js";
import { file } from "./file.js";
import { hello } from "./hello.js";
import { ncurses } from "./ncurses.js";
import { xz } from "./xz.js";
import { zlib } from "./zlib.js";

export const recipes: Readonly<Record<string, Recipe>> = {
  "binutils-unwrapped": binutilsUnwrapped,
  busybox,
  bzip2,
  file,
  hello,
  ncurses,
  xz,
  zlib,
};
