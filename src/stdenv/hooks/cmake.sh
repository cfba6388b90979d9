# cmake's setup hook: a configure phase that runs cmake with xpkgs' toolchain file, written
# here from the build's environment: the compilers and binutils by absolute path (a bare
# CMAKE_AR breaks static libraries), the inputs as find roots, the platform's emulator for
# try_run, and static linking in static sets.
xpkgsCmakeToolchain() {
  local tool
  if [ -n "${xpkgsCmakeSystemName-}" ]; then
    echo "set(CMAKE_SYSTEM_NAME $xpkgsCmakeSystemName)"
    echo "set(CMAKE_SYSTEM_PROCESSOR $xpkgsCmakeSystemProcessor)"
  fi
  for tool in C:CC CXX:CXX AR:AR RANLIB:RANLIB STRIP:STRIP NM:NM OBJCOPY:OBJCOPY OBJDUMP:OBJDUMP READELF:READELF LINKER:LD; do
    local var="${tool#*:}" path
    path="$(command -v "${!var}" 2>/dev/null || true)"
    [ -n "$path" ] || continue
    case "${tool%%:*}" in
      C | CXX) echo "set(CMAKE_${tool%%:*}_COMPILER \"$path\")" ;;
      *) echo "set(CMAKE_${tool%%:*} \"$path\" CACHE FILEPATH \"\")" ;;
    esac
  done
  local roots="" p
  for p in ${buildInputs-} ${propagatedBuildInputs-}; do roots="$roots;$p"; done
  echo "set(CMAKE_PREFIX_PATH \"${roots#;}\")"
  if [ -n "${xpkgsCmakeSystemName-}" ]; then
    echo "set(CMAKE_FIND_ROOT_PATH \"${roots#;};${xpkgsLibcRoot-}\")"
    echo "set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)"
    echo "set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)"
    echo "set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)"
    echo "set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)"
    [ -n "${xpkgsEmulator-}" ] && echo "set(CMAKE_CROSSCOMPILING_EMULATOR \"${xpkgsEmulator// /;}\")"
  fi
  if [ -n "${xpkgsStatic-}" ]; then
    echo 'set(BUILD_SHARED_LIBS OFF CACHE BOOL "")'
    echo 'set(CMAKE_FIND_LIBRARY_SUFFIXES ".a")'
  fi
}

cmakeConfigurePhase() {
  runHook preConfigure
  xpkgsCmakeToolchain >"$NIX_BUILD_TOP/xpkgs-toolchain.cmake"
  echo "cmake toolchain file:"
  sed 's/^/  /' "$NIX_BUILD_TOP/xpkgs-toolchain.cmake"
  # Read here, not at the start: preConfigure may add to cmakeFlags (or cmakeFlagsArray).
  local flags
  read -ra flags <<<"${cmakeFlags-}"
  substOutputs flags
  local dir="${cmakeDir:-..}"
  mkdir -p "${cmakeBuildDir:-build}"
  cd "${cmakeBuildDir:-build}"
  echo "cmake flags: ${flags[*]} ${cmakeFlagsArray[*]}"
  cmake "$dir" \
    -DCMAKE_TOOLCHAIN_FILE="$NIX_BUILD_TOP/xpkgs-toolchain.cmake" \
    -DCMAKE_INSTALL_PREFIX="$out" \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_INSTALL_LIBDIR=lib \
    -DCMAKE_INSTALL_INCLUDEDIR=include \
    -DCMAKE_INSTALL_BINDIR=bin \
    -DCMAKE_SKIP_BUILD_RPATH=ON \
    "${flags[@]}" "${cmakeFlagsArray[@]}"
  runHook postConfigure
}
if [ -z "${dontUseCmakeConfigure-}" ] && [ -z "${configurePhase-}" ]; then
  configurePhase=cmakeConfigurePhase
fi

# CMAKE_SKIP_BUILD_RPATH keeps build folders out of the programs' RUNPATH, so a dynamic
# build's own tests find its fresh shared libraries through LD_LIBRARY_PATH, for the check
# phase only (qemu-user hands it to the target's loader).
cmakeCheckPhase() {
  local saved="${LD_LIBRARY_PATH-}" dirs=""
  if [ -z "${xpkgsStatic-}" ]; then
    dirs="$(find "$PWD" -name '*.so*' \( -type f -o -type l \) -printf '%h\n' | sort -u | paste -sd: -)"
  fi
  if [ -n "$dirs" ]; then export LD_LIBRARY_PATH="$dirs${saved:+:$saved}"; fi
  checkPhase
  if [ -n "$saved" ]; then export LD_LIBRARY_PATH="$saved"; else unset LD_LIBRARY_PATH; fi
}
if [ -z "${dontUseCmakeConfigure-}" ] && [ -z "${checkPhase-}" ]; then
  checkPhase=cmakeCheckPhase
fi
