/** Small helpers for recipes, after Nixpkgs' `lib`. */
export const lib = {
  /** `[x]` when `cond`, else `[]`. */
  optional<T>(cond: boolean, x: T): T[] {
    return cond ? [x] : [];
  },
  /** `xs` when `cond`, else `[]`. */
  optionals<T>(cond: boolean, xs: T[]): T[] {
    return cond ? xs : [];
  },
  /** `--enable-x` or `--disable-x`. */
  enableFeature(on: boolean, feature: string): string {
    return `--${on ? "enable" : "disable"}-${feature}`;
  },
  /** `--with-x` or `--without-x`. */
  withFeature(on: boolean, feature: string): string {
    return `--${on ? "with" : "without"}-${feature}`;
  },
  /** `-DNAME=ON|OFF` for CMake. */
  cmakeBool(name: string, on: boolean): string {
    return `-D${name}=${on ? "ON" : "OFF"}`;
  },
};
export type Lib = typeof lib;
