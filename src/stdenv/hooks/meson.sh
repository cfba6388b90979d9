# meson's setup hook: a configure phase that runs meson setup with xpkgs' cross file
# (compilers, the prefixed pkg-config, qemu as exe_wrapper) in cross builds, and static
# defaults in static sets; ninja then builds, checks and installs.
mesonConfigurePhase() {
  runHook preConfigure
  local crossFile=()
  if [ -n "${mesonCrossFile-}" ]; then
    printf '%s\n' "$mesonCrossFile" >"$NIX_BUILD_TOP/cross.ini"
    echo "meson cross file:"
    sed 's/^/  /' "$NIX_BUILD_TOP/cross.ini"
    crossFile=(--cross-file "$NIX_BUILD_TOP/cross.ini")
  fi
  local flags
  read -ra flags <<<"${mesonFlags-}"
  substOutputs flags
  echo "meson flags: ${flags[*]} ${mesonFlagsArray[*]}"
  meson setup build --prefix="$out" --libdir=lib --buildtype=release --wrap-mode=nodownload \
    "${crossFile[@]}" "${flags[@]}" "${mesonFlagsArray[@]}"
  cd build
  runHook postConfigure
}
if [ -z "${dontUseMesonConfigure-}" ] && [ -z "${configurePhase-}" ]; then
  configurePhase=mesonConfigurePhase
fi
