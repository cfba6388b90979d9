import { XpkgsError, didYouMean } from "../errors.js";
import { type Platform, elaboratePlatform } from "./elaborate.js";
import { exampleNames, examples } from "./examples.js";

export class UnknownPlatformError extends XpkgsError {
  override name = "UnknownPlatformError";
}

/** The elaborated platform of a `pkgsCross` example name. */
export function examplePlatform(name: string): Platform {
  const spec = Object.prototype.hasOwnProperty.call(examples, name) ? examples[name] : undefined;
  if (spec === undefined) {
    throw new UnknownPlatformError(
      `'${name}' is not a known platform name.${didYouMean(name, exampleNames)} ` +
        `Run 'xpkgs platforms' for the list, or give a GNU triple such as 'aarch64-unknown-linux-musl'.`,
    );
  }
  return elaboratePlatform(spec);
}

/** A platform given on the command line: an example name, a triple or a double. */
export function platformFromUserInput(text: string): Platform {
  if (Object.prototype.hasOwnProperty.call(examples, text)) return examplePlatform(text);
  if (text.includes("-")) return elaboratePlatform(text);
  return examplePlatform(text);
}
