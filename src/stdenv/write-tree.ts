/**
 * The smallest builder: a derivation that writes given files and symlinks
 * into its output. Wrappers and generated configuration use it.
 */
import type { Derivation } from "../derivation/derivation.js";

export interface TreeEntry {
  path: string;
  /** File content; or `target` for a symlink. */
  content?: string;
  target?: string;
  executable?: boolean;
}

const script = `set -eu
export PATH=/usr/bin:/bin
i=0
while [ "$i" -lt "$count" ]; do
  p="path_$i"; c="content_$i"; t="target_$i"; x="exec_$i"
  dest="$out/\${!p}"
  mkdir -p "\${dest%/*}"
  if [ -n "\${!t-}" ]; then
    ln -s "\${!t}" "$dest"
  else
    printf '%s' "\${!c}" > "$dest"
    if [ -n "\${!x-}" ]; then chmod 555 "$dest"; else chmod 444 "$dest"; fi
  fi
  i=$((i + 1))
done
mkdir -p "$out"
`;

export function writeTree(
  name: string,
  system: string,
  entries: TreeEntry[],
  extraEnv: Record<string, string> = {},
  inputDrvs: Record<string, string[]> = {},
): Derivation {
  const env: Record<string, string> = {
    ...extraEnv,
    name,
    builder: "/bin/bash",
    system,
    out: "",
    count: String(entries.length),
  };
  entries.forEach((e, i) => {
    env[`path_${i}`] = e.path;
    if (e.target !== undefined) env[`target_${i}`] = e.target;
    else env[`content_${i}`] = e.content ?? "";
    if (e.executable === true) env[`exec_${i}`] = "1";
  });
  return {
    name,
    outputs: { out: { path: "", hashAlgo: "", hash: "" } },
    inputDrvs,
    inputSrcs: [],
    system,
    builder: "/bin/bash",
    args: ["-c", script],
    env,
  };
}
