/** Every package recipe, by attribute name. One file a recipe. */
import type { Recipe } from "../package-set.js";
import { hello } from "./hello.js";

export const recipes: Readonly<Record<string, Recipe>> = {
  hello,
};
