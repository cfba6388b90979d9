# xpkgs stdenv builder: Nix-like phases for configure/make packages.
# Run as `bash -e setup.sh`. Every input comes from the environment that
# src/stdenv/make-derivation.ts computed; lists are space-separated.
set -eu
set -o pipefail
shopt -s nullglob

# ---- environment ------------------------------------------------------------
: "${out:?}" "${NIX_BUILD_TOP:?}"
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1}
export LC_ALL=C TZ=UTC0
export ZERO_AR_DATE=1

# PATH: the compiler wrappers, then nativeBuildInputs, then the host's /usr.
PATH=""
for p in ${xpkgsToolPath-} ${nativeBuildInputs-}; do
  [ -d "$p/bin" ] && PATH="${PATH:+$PATH:}$p/bin"
done
export PATH="${PATH:+$PATH:}/usr/bin:/bin"

# buildInputs: headers and libraries for the host compiler (consumed by the wrapper).
export NIX_CFLAGS_COMPILE="${NIX_CFLAGS_COMPILE-}"
export NIX_LDFLAGS="${NIX_LDFLAGS-}"
export PKG_CONFIG_PATH="${PKG_CONFIG_PATH-}"
for p in ${buildInputs-} ${propagatedBuildInputs-}; do
  [ -d "$p/include" ] && NIX_CFLAGS_COMPILE="$NIX_CFLAGS_COMPILE -isystem $p/include"
  if [ -d "$p/lib" ]; then
    NIX_LDFLAGS="$NIX_LDFLAGS -L$p/lib"
    [ -n "${xpkgsDynamic-}" ] && NIX_LDFLAGS="$NIX_LDFLAGS -Wl,-rpath,$p/lib"
  fi
  for d in "$p/lib/pkgconfig" "$p/share/pkgconfig"; do
    [ -d "$d" ] && PKG_CONFIG_PATH="${PKG_CONFIG_PATH:+$PKG_CONFIG_PATH:}$d"
  done
done
# A dynamic package finds its own libraries through its RUNPATH, whether or not its
# build system (libtool does; plain Makefiles such as ncurses' do not) says so.
if [ -n "${xpkgsDynamic-}" ]; then
  for o in ${outputs:-out}; do NIX_LDFLAGS="$NIX_LDFLAGS -Wl,-rpath,${!o}/lib"; done
fi
# nativeBuildInputs may carry headers and libraries for the build compiler.
export NIX_CFLAGS_COMPILE_FOR_BUILD="${NIX_CFLAGS_COMPILE_FOR_BUILD-}"
export NIX_LDFLAGS_FOR_BUILD="${NIX_LDFLAGS_FOR_BUILD-}"
for p in ${nativeBuildInputs-}; do
  [ -d "$p/include" ] && NIX_CFLAGS_COMPILE_FOR_BUILD="$NIX_CFLAGS_COMPILE_FOR_BUILD -isystem $p/include"
  [ -d "$p/lib" ] && NIX_LDFLAGS_FOR_BUILD="$NIX_LDFLAGS_FOR_BUILD -L$p/lib -Wl,-rpath,$p/lib"
done

read -ra configureFlagsArray <<<"${configureFlags-}"
read -ra makeFlagsArray <<<"${makeFlags-}"
read -ra installFlagsArray <<<"${installFlags-}"
read -ra checkFlagsArray <<<"${checkFlags-}"
read -ra cmakeFlagsArray <<<"${cmakeFlags-}"
read -ra mesonFlagsArray <<<"${mesonFlags-}"

# `@out@` (or `@<output>@`) in a flag stands for that output's path, which
# the recipe cannot know: the path is computed from the recipe itself.
substOutputs() {
  local -n arr="$1"
  local i o
  for i in "${!arr[@]}"; do
    for o in ${outputs:-out}; do
      arr[i]="${arr[i]//@$o@/${!o}}"
    done
  done
}
for a in configureFlagsArray makeFlagsArray installFlagsArray checkFlagsArray cmakeFlagsArray mesonFlagsArray; do
  substOutputs "$a"
done

makeJobs=1
[ -n "${enableParallelBuilding-}" ] && makeJobs=${NIX_BUILD_CORES:-1}

runHook() {
  local hook="$1"
  if [ -n "${!hook-}" ]; then
    echo "running $hook"
    eval "${!hook}"
  fi
}

# ---- phases -----------------------------------------------------------------
unpackPhase() {
  runHook preUnpack
  local src_="${src:?this derivation has no src}"
  echo "unpacking $src_"
  case "$src_" in
    *.zip) unzip -q "$src_" ;;
    *.tar.zst | *.tzst) tar --no-same-owner --zstd -xf "$src_" ;;
    *) if [ -d "$src_" ]; then cp -r --no-preserve=mode "$src_" ./source; else tar --no-same-owner -xf "$src_"; fi ;;
  esac
  if [ -z "${sourceRoot-}" ]; then
    local dirs=(*/)
    if [ "${#dirs[@]}" -ne 1 ]; then
      echo "unpack: expected one top-level directory in $src_, found ${#dirs[@]}; set sourceRoot" >&2
      exit 1
    fi
    sourceRoot="${dirs[0]%/}"
  fi
  chmod -R u+w "$sourceRoot"
  cd "$sourceRoot"
  runHook postUnpack
}

patchPhase() {
  runHook prePatch
  for p in ${patches-}; do
    echo "applying $p"
    patch -p1 <"$p"
  done
  runHook postPatch
}

configurePhase() {
  runHook preConfigure
  local script="${configureScript:-./configure}"
  if [ -x "$script" ] || [ -n "${configureScript-}" ]; then
    local prefixFlag=(--prefix="$out")
    [ -n "${dontAddPrefix-}" ] && prefixFlag=()
    echo "configure flags: ${prefixFlag[*]} ${configureFlagsArray[*]}"
    "$script" "${prefixFlag[@]}" "${configureFlagsArray[@]}"
  elif [ -f CMakeLists.txt ]; then
    mkdir -p build && cd build
    cmake .. -DCMAKE_INSTALL_PREFIX="$out" -DCMAKE_BUILD_TYPE=Release "${cmakeFlagsArray[@]}"
  elif [ -f meson.build ]; then
    local crossFile=()
    if [ -n "${mesonCrossFile-}" ]; then
      printf '%s\n' "$mesonCrossFile" >"$NIX_BUILD_TOP/cross.ini"
      crossFile=(--cross-file "$NIX_BUILD_TOP/cross.ini")
    fi
    meson setup build --prefix="$out" --buildtype=release "${crossFile[@]}" "${mesonFlagsArray[@]}"
    cd build
  else
    echo "no configure script, CMakeLists.txt or meson.build; skipping configure"
  fi
  runHook postConfigure
}

buildPhase() {
  runHook preBuild
  if [ -f build.ninja ]; then
    ninja -j"$makeJobs"
  elif [ -f Makefile ] || [ -f makefile ] || [ -f GNUmakefile ] || [ -n "${makefile-}" ]; then
    make -j"$makeJobs" SHELL=/bin/bash "${makeFlagsArray[@]}"
  else
    echo "no Makefile; skipping build"
  fi
  runHook postBuild
}

checkPhase() {
  runHook preCheck
  if [ -f build.ninja ]; then
    ninja -j"$makeJobs" test
  else
    make -j"$makeJobs" SHELL=/bin/bash "${makeFlagsArray[@]}" "${checkFlagsArray[@]}" ${checkTarget:-check}
  fi
  runHook postCheck
}

installPhase() {
  runHook preInstall
  if [ -f build.ninja ]; then
    ninja install
  else
    make SHELL=/bin/bash "${makeFlagsArray[@]}" "${installFlagsArray[@]}" ${installTargets:-install}
  fi
  runHook postInstall
}

isElf() {
  [ -f "$1" ] && [ ! -L "$1" ] && [ "$(head -c 4 "$1" | od -An -c | tr -d ' ')" = '177ELF' ]
}

fixupPhase() {
  runHook preFixup
  local outputDir
  for o in ${outputs:-out}; do
    outputDir="${!o}"
    [ -e "$outputDir" ] || continue
    # libtool archives name build paths and are not needed to link.
    find "$outputDir" -name '*.la' -type f -delete
    # Empty share/info dir files differ between builds.
    rm -f "$outputDir/share/info/dir"
    if [ -z "${dontStrip-}" ]; then
      local f
      while IFS= read -r -d '' f; do
        if isElf "$f"; then
          case "$f" in
            *.a | *.o) "${STRIP:-strip}" --strip-debug "$f" 2>/dev/null || true ;;
            *) "${STRIP:-strip}" --strip-unneeded "$f" 2>/dev/null || true ;;
          esac
        elif [[ "$f" == *.a ]]; then
          "${STRIP:-strip}" --strip-debug "$f" 2>/dev/null || true
        fi
      done < <(find "$outputDir" -type f -print0)
    fi
  done
  runHook postFixup
}

# ---- run --------------------------------------------------------------------
cd "$NIX_BUILD_TOP"
echo "xpkgs stdenv: building ${name} for ${xpkgsHostPlatform-?} on ${xpkgsBuildPlatform-?}"
for phase in ${phases:-unpackPhase patchPhase configurePhase buildPhase checkPhase installPhase fixupPhase}; do
  case "$phase" in
    unpackPhase) [ -n "${dontUnpack-}" ] && continue ;;
    patchPhase) [ -n "${dontPatch-}" ] && continue ;;
    configurePhase) [ -n "${dontConfigure-}" ] && continue ;;
    buildPhase) [ -n "${dontBuild-}" ] && continue ;;
    checkPhase) [ -z "${doCheck-}" ] && continue ;;
    installPhase) [ -n "${dontInstall-}" ] && continue ;;
    fixupPhase) [ -n "${dontFixup-}" ] && continue ;;
  esac
  echo "=== $phase"
  # A recipe may replace a phase with a string of shell code of the same name.
  if [ -n "${!phase-}" ]; then
    eval "${!phase}"
  else
    "$phase"
  fi
done
