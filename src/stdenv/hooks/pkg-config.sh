# pkg-config's setup hook: the host platform's target-prefixed pkg-config (what cross
# configure scripts look for), and pkg-config-for-build for the build machine's packages.
# Each sees only the .pc files of this build's inputs: buildInputs for the host,
# nativeBuildInputs for the build machine (setup.sh computes both search paths).
ln -sf "$1/bin/pkg-config" "$xpkgsHookBin/${xpkgsHostPlatform}-pkg-config"
if [ -n "${xpkgsCross-}" ]; then
  export PKG_CONFIG="${xpkgsHostPlatform}-pkg-config"
else
  export PKG_CONFIG=pkg-config
fi
export PKG_CONFIG_FOR_BUILD=pkg-config-for-build
