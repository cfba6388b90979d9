/**
 * What a Nix machine needs to build for xpkgs: its nix.conf lines and the
 * chroot store that has xpkgs's store dir. `xpkgs doctor --builder` prints
 * them; the tests' builders use the same.
 */

/** nix.conf of a builder: Nix's sandbox with the host's tools inside, and our toolchain features. */
export function builderNixConfLines(features: string[]): string[] {
  return [
    "sandbox = true",
    "build-users-group =",
    "substituters =",
    "extra-sandbox-paths = /usr /bin /lib /lib64 /etc/alternatives",
    `system-features = ${features.join(" ")}`,
  ];
}

/**
 * A Nix chroot store whose store dir is `storeDir` and whose files live under
 * `root` (store/, var/nix, var/log/nix): Nix's own /nix is left alone.
 */
export function chrootStoreUri(storeDir: string, root: string): string {
  return `local?store=${storeDir}&real=${root}/store&state=${root}/var/nix&log=${root}/var/log/nix`;
}
