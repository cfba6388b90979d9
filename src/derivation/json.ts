/**
 * Derivations as JSON, in the shape of `nix derivation show`: an object keyed
 * by the `.drv` path. Reading also takes the newer output forms
 * (`method` + `hashAlgo`) and a bare derivation object, as `nix derivation add` does.
 */
import { XpkgsError } from "../errors.js";
import { compareBytes } from "../store/store-path.js";
import type { Derivation, DerivationOutput } from "./derivation.js";

export class DerivationJsonError extends XpkgsError {
  override name = "DerivationJsonError";
}

export interface DerivationJson {
  name: string;
  outputs: Record<string, { path: string; hashAlgo?: string; hash?: string }>;
  inputSrcs: string[];
  inputDrvs: Record<string, string[]>;
  system: string;
  builder: string;
  args: string[];
  env: Record<string, string>;
}

function sortedRecord<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(
    Object.keys(o)
      .sort(compareBytes)
      .map((k) => [k, o[k]!]),
  );
}

export function derivationToJson(drv: Derivation): DerivationJson {
  const outputs: DerivationJson["outputs"] = {};
  for (const id of Object.keys(drv.outputs).sort(compareBytes)) {
    const o = drv.outputs[id]!;
    outputs[id] =
      o.hash === "" ? { path: o.path } : { path: o.path, hashAlgo: o.hashAlgo, hash: o.hash };
  }
  return {
    name: drv.name,
    outputs,
    inputSrcs: [...drv.inputSrcs].sort(compareBytes),
    inputDrvs: sortedRecord(
      Object.fromEntries(
        Object.entries(drv.inputDrvs).map(([p, outs]) => [p, [...outs].sort(compareBytes)]),
      ),
    ),
    system: drv.system,
    builder: drv.builder,
    args: drv.args,
    env: sortedRecord(drv.env),
  };
}

/** `{ "<drvPath>": {…} }`, as `nix derivation show` prints it. */
export function showDerivationJson(
  drvs: { drvPath: string; drv: Derivation }[],
): Record<string, DerivationJson> {
  return Object.fromEntries(drvs.map(({ drvPath, drv }) => [drvPath, derivationToJson(drv)]));
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function stringField(o: Record<string, unknown>, key: string, where: string): string {
  const v = o[key];
  if (typeof v !== "string") throw new DerivationJsonError(`${where}: '${key}' must be a string.`);
  return v;
}

function stringList(v: unknown, where: string): string[] {
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) {
    throw new DerivationJsonError(`${where} must be a list of strings.`);
  }
  return v as string[];
}

function stringRecord(v: unknown, where: string): Record<string, string> {
  if (!isObject(v) || Object.values(v).some((x) => typeof x !== "string")) {
    throw new DerivationJsonError(`${where} must be an object of strings.`);
  }
  return v as Record<string, string>;
}

/**
 * Read one or more derivations: a bare derivation object, or the
 * `{ "<drvPath>": {…}, … }` object that `show-derivation -r` prints, ordered
 * so that every derivation comes after the inputs it shares with the others.
 */
export function derivationsFromJson(value: unknown, source = "<input>"): Derivation[] {
  if (isObject(value) && !("outputs" in value) && Object.keys(value).length > 1) {
    const entries = Object.entries(value);
    const byPath = new Map(
      entries.map(([p, v]) => [p, derivationFromJson({ [p]: v }, `${source}: '${p}'`)]),
    );
    const order: Derivation[] = [];
    const state = new Map<string, "visiting" | "done">();
    const visit = (p: string): void => {
      const st = state.get(p);
      if (st === "done") return;
      if (st === "visiting") {
        throw new DerivationJsonError(
          `${source}: the derivations depend on each other in a cycle through '${p}'.`,
        );
      }
      state.set(p, "visiting");
      const drv = byPath.get(p)!;
      for (const input of Object.keys(drv.inputDrvs)) if (byPath.has(input)) visit(input);
      state.set(p, "done");
      order.push(drv);
    };
    for (const [p] of entries) visit(p);
    return order;
  }
  return [derivationFromJson(value, source)];
}

/**
 * Read a derivation from JSON: either a bare derivation object or the
 * `{ "<drvPath>": {…} }` wrapper with exactly one entry.
 */
export function derivationFromJson(value: unknown, source = "<input>"): Derivation {
  if (!isObject(value)) {
    throw new DerivationJsonError(`${source}: a derivation in JSON must be an object.`);
  }
  let o = value;
  let nameFromKey: string | undefined;
  if (!("outputs" in o)) {
    const keys = Object.keys(o);
    const inner = keys.length === 1 ? o[keys[0]!] : undefined;
    if (!isObject(inner) || !("outputs" in inner)) {
      throw new DerivationJsonError(
        `${source}: expected a derivation object (with 'outputs', 'env', …) or an object with ` +
          `one '<path>.drv' key holding one, as 'xpkgs show-derivation' prints.`,
      );
    }
    o = inner;
    const base = keys[0]!.split("/").pop() ?? "";
    if (base.endsWith(".drv")) nameFromKey = base.slice(33, -4);
  }
  const where = `${source}`;
  if (!isObject(o.outputs)) throw new DerivationJsonError(`${where}: 'outputs' must be an object.`);
  const outputs: Record<string, DerivationOutput> = {};
  for (const [id, raw] of Object.entries(o.outputs)) {
    if (!isObject(raw))
      throw new DerivationJsonError(`${where}: output '${id}' must be an object.`);
    const path =
      raw.path === undefined || raw.path === null
        ? ""
        : stringField(raw, "path", `${where}: output '${id}'`);
    let hashAlgo =
      raw.hashAlgo === undefined ? "" : stringField(raw, "hashAlgo", `${where}: output '${id}'`);
    const hash = raw.hash === undefined ? "" : stringField(raw, "hash", `${where}: output '${id}'`);
    if (raw.method !== undefined) {
      const method = stringField(raw, "method", `${where}: output '${id}'`);
      if (method === "nar") hashAlgo = `r:${hashAlgo}`;
      else if (method !== "flat") {
        throw new DerivationJsonError(
          `${where}: output '${id}' uses the ingestion method '${method}'; xpkgs supports 'flat' and 'nar'.`,
        );
      }
    }
    if (hashAlgo !== "" && hash === "") {
      throw new DerivationJsonError(
        `${where}: output '${id}' has a hash algorithm but no hash. Floating content-addressed ` +
          `outputs are not supported; give the expected hash, or neither.`,
      );
    }
    outputs[id] = { path, hashAlgo, hash };
  }
  const inputDrvs: Record<string, string[]> = {};
  const rawInputs = o.inputDrvs ?? {};
  if (!isObject(rawInputs))
    throw new DerivationJsonError(`${where}: 'inputDrvs' must be an object.`);
  for (const [p, outs] of Object.entries(rawInputs)) {
    inputDrvs[p] = isObject(outs)
      ? stringList(outs.outputs, `${where}: inputDrvs['${p}'].outputs`)
      : stringList(outs, `${where}: inputDrvs['${p}']`);
  }
  const env = stringRecord(o.env ?? {}, `${where}: 'env'`);
  const name = typeof o.name === "string" ? o.name : (env.name ?? nameFromKey);
  if (name === undefined) {
    throw new DerivationJsonError(`${where}: the derivation has no 'name' (nor env.name).`);
  }
  return {
    name,
    outputs,
    inputDrvs,
    inputSrcs: stringList(o.inputSrcs ?? [], `${where}: 'inputSrcs'`),
    system: stringField(o, "system", where),
    builder: stringField(o, "builder", where),
    args: stringList(o.args ?? [], `${where}: 'args'`),
    env,
  };
}
