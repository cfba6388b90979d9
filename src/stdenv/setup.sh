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

# PATH: the hooks' own links, the compiler wrappers, then nativeBuildInputs (host tools
# among them), then the base tools. Not /usr/bin: a build finds only what it declared.
xpkgsHookBin="$NIX_BUILD_TOP/.xpkgs-bin"
PATH="$xpkgsHookBin"
for p in ${xpkgsToolPath-} ${nativeBuildInputs-} ${xpkgsBaseTools-}; do
  [ -d "$p/bin" ] && PATH="$PATH:$p/bin"
done
export PATH
mkdir -p "$xpkgsHookBin"

# buildInputs: headers and libraries for the host compiler (consumed by the wrapper), and
# the .pc files the host's pkg-config sees.
export NIX_CFLAGS_COMPILE="${NIX_CFLAGS_COMPILE-}"
export NIX_LDFLAGS="${NIX_LDFLAGS-}"
xpkgsPkgConfigLibdir=""
for p in ${buildInputs-} ${propagatedBuildInputs-}; do
  [ -d "$p/include" ] && NIX_CFLAGS_COMPILE="$NIX_CFLAGS_COMPILE -isystem $p/include"
  if [ -d "$p/lib" ]; then
    NIX_LDFLAGS="$NIX_LDFLAGS -L$p/lib"
    [ -n "${xpkgsDynamic-}" ] && NIX_LDFLAGS="$NIX_LDFLAGS -Wl,-rpath,$p/lib"
  fi
  for d in "$p/lib/pkgconfig" "$p/share/pkgconfig"; do
    [ -d "$d" ] && xpkgsPkgConfigLibdir="${xpkgsPkgConfigLibdir:+$xpkgsPkgConfigLibdir:}$d"
  done
done
export xpkgsPkgConfigLibdir
# A dynamic package finds its own libraries through its RUNPATH, whether or not its
# build system (libtool does; plain Makefiles such as ncurses' do not) says so.
if [ -n "${xpkgsDynamic-}" ]; then
  for o in ${outputs:-out}; do NIX_LDFLAGS="$NIX_LDFLAGS -Wl,-rpath,${!o}/lib"; done
fi
# nativeBuildInputs may carry headers, libraries and .pc files for the build compiler.
export NIX_CFLAGS_COMPILE_FOR_BUILD="${NIX_CFLAGS_COMPILE_FOR_BUILD-}"
export NIX_LDFLAGS_FOR_BUILD="${NIX_LDFLAGS_FOR_BUILD-}"
xpkgsPkgConfigLibdirForBuild=""
for p in ${nativeBuildInputs-}; do
  [ -d "$p/include" ] && NIX_CFLAGS_COMPILE_FOR_BUILD="$NIX_CFLAGS_COMPILE_FOR_BUILD -isystem $p/include"
  [ -d "$p/lib" ] && NIX_LDFLAGS_FOR_BUILD="$NIX_LDFLAGS_FOR_BUILD -L$p/lib -Wl,-rpath,$p/lib"
  for d in "$p/lib/pkgconfig" "$p/share/pkgconfig"; do
    [ -d "$d" ] && xpkgsPkgConfigLibdirForBuild="${xpkgsPkgConfigLibdirForBuild:+$xpkgsPkgConfigLibdirForBuild:}$d"
  done
done
export xpkgsPkgConfigLibdirForBuild

# Answers to configure tests that cannot run while cross compiling (the platform's), and
# the recipe's configureCacheVars: autoconf reads them from CONFIG_SITE.
if [ -n "${xpkgsConfigSite-}" ]; then
  printf '%s\n' "$xpkgsConfigSite" >"$NIX_BUILD_TOP/config.site"
  export CONFIG_SITE="$NIX_BUILD_TOP/config.site"
fi

read -ra configureFlagsArray <<<"${configureFlags-}"
read -ra makeFlagsArray <<<"${makeFlags-}"
read -ra installFlagsArray <<<"${installFlags-}"
read -ra checkFlagsArray <<<"${checkFlags-}"
cmakeFlagsArray=()
mesonFlagsArray=()
preConfigurePhases=()

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
for a in configureFlagsArray makeFlagsArray installFlagsArray checkFlagsArray; do
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

# config.sub and config.guess older than the triple: replace them with autotools-dev's.
updateConfigScripts() {
  local f name
  while IFS= read -r -d '' f; do
    name="${f##*/}"
    [ -f "/usr/share/misc/$name" ] || continue
    if [ "$name" = config.sub ]; then
      "$f" "${xpkgsHostPlatform}" >/dev/null 2>&1 && "$f" "${xpkgsBuildPlatform}" >/dev/null 2>&1 && continue
    else
      "$f" >/dev/null 2>&1 && continue
    fi
    echo "replacing $f, which does not know ${xpkgsHostPlatform}, with /usr/share/misc/$name"
    cp -f "/usr/share/misc/$name" "$f"
  done < <(find . \( -name config.sub -o -name config.guess \) -type f -print0)
}

configurePhase() {
  runHook preConfigure
  local script="${configureScript:-./configure}"
  if [ ! -e "$script" ] && [ -z "${configureScript-}" ] && { [ -f configure.ac ] || [ -f configure.in ]; }; then
    echo "configure: this source has configure.ac but no configure script; add autoreconfHook to nativeBuildInputs, which runs autoreconf first" >&2
    exit 1
  fi
  if [ -x "$script" ] || [ -n "${configureScript-}" ]; then
    updateConfigScripts
    local prefixFlag=(--prefix="$out")
    [ -n "${dontAddPrefix-}" ] && prefixFlag=()
    # A hand-written configure that takes the compiler as an argument (`CC=*)` in its
    # option loop, as GNU ed's and lzip's do) and otherwise picks `gcc` itself.
    local toolFlags=() v
    if [ -f "$script" ] && ! grep -q 'Generated by GNU Autoconf' "$script"; then
      for v in CC CXX; do
        grep -Eq "^[[:space:]]*$v=\*\)" "$script" && [ -n "${!v-}" ] && toolFlags+=("$v=${!v}")
      done
    fi
    echo "configure flags: ${prefixFlag[*]} ${configureFlagsArray[*]} ${toolFlags[*]}"
    "$script" "${prefixFlag[@]}" "${configureFlagsArray[@]}" "${toolFlags[@]}"
  elif [ -f CMakeLists.txt ]; then
    echo "configure: this source is built with CMake (CMakeLists.txt); add cmake to nativeBuildInputs" >&2
    exit 1
  elif [ -f meson.build ]; then
    echo "configure: this source is built with Meson (meson.build); add meson to nativeBuildInputs" >&2
    exit 1
  elif [ -f Makefile ] || [ -f makefile ] || [ -f GNUmakefile ]; then
    # A plain Makefile often names its compiler (`CC = gcc`), which beats the environment:
    # make is given the platform's tools on its command line, before the recipe's makeFlags
    # (the last assignment wins), as Buildroot does for its generic packages.
    # `LD = gcc` (a compiler driver as linker) gets the platform's compiler too. And the GNU
    # directory variables the Makefile itself defines (`sbindir = /sbin`) point into the
    # output, as configure's --prefix would have.
    local v mk tools=()
    for mk in GNUmakefile makefile Makefile; do [ -f "$mk" ] && break; done
    for v in CC CXX AR RANLIB; do [ -n "${!v-}" ] && tools+=("$v=${!v}"); done
    grep -Eq '^LD[[:space:]]*[:?]?=[[:space:]]*(gcc|cc)[[:space:]]*$' "$mk" && tools+=("LD=$CC")
    local -A dirs=([prefix]="$out" [exec_prefix]="$out" [bindir]="$out/bin" [sbindir]="$out/sbin"
      [libdir]="$out/lib" [libexecdir]="$out/libexec" [includedir]="$out/include"
      [datarootdir]="$out/share" [datadir]="$out/share" [mandir]="$out/share/man"
      [infodir]="$out/share/info" [sysconfdir]="$out/etc")
    for v in prefix exec_prefix bindir sbindir libdir libexecdir includedir datarootdir datadir mandir infodir sysconfdir; do
      grep -Eq "^$v[[:space:]]*[:?]?=" "$mk" && tools+=("$v=${dirs[$v]}")
    done
    makeFlagsArray=("${tools[@]}" "${makeFlagsArray[@]}")
    echo "no configure script: a plain Makefile; make gets ${tools[*]}"
  elif [ -z "${buildPhase-}" ]; then
    echo "configure: no build system found in $PWD: looked for ./configure, configure.ac, CMakeLists.txt, meson.build and a Makefile. Set configureScript, or replace buildPhase and installPhase" >&2
    exit 1
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
    echo "build: no build.ninja and no Makefile in $PWD: the configure phase made neither; replace buildPhase if this package builds another way" >&2
    exit 1
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

# ---- setup hooks ------------------------------------------------------------
# A nativeBuildInput may bring a hook (cmake, meson, pkg-config, autoreconfHook): sourced
# here with its own path as $1, it may define phases and add to preConfigurePhases.
for p in ${nativeBuildInputs-}; do
  if [ -f "$p/nix-support/setup-hook" ]; then
    # shellcheck disable=SC1090,SC1091
    source "$p/nix-support/setup-hook" "$p"
  fi
done

# ---- run --------------------------------------------------------------------
cd "$NIX_BUILD_TOP"
echo "xpkgs stdenv: building ${name} for ${xpkgsHostPlatform-?} on ${xpkgsBuildPlatform-?}"
for phase in ${phases:-unpackPhase patchPhase configurePhase buildPhase checkPhase installPhase fixupPhase}; do
  case "$phase" in
    unpackPhase) [ -n "${dontUnpack-}" ] && continue ;;
    patchPhase) [ -n "${dontPatch-}" ] && continue ;;
    configurePhase)
      [ -n "${dontConfigure-}" ] && continue
      for h in "${preConfigurePhases[@]}"; do
        echo "=== $h"
        "$h"
      done
      ;;
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
