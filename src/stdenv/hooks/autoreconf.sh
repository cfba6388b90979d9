# autoreconfHook's setup hook: regenerate the build system (configure, Makefile.in,
# ltmain.sh, config.sub) before the configure phase, as Nixpkgs' autoreconfHook does.
autoreconfPhase() {
  local flags
  read -ra flags <<<"${autoreconfFlags:---install --force --verbose}"
  echo "autoreconf ${flags[*]}"
  autoreconf "${flags[@]}"
}
[ -n "${dontAutoreconf-}" ] || preConfigurePhases+=(autoreconfPhase)
