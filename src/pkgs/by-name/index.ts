/** Every package recipe, by attribute name. One file a recipe. */
import type { Recipe } from "../package-set.js";
import { bash } from "./bash.js";
import { binutilsUnwrapped } from "./binutils-unwrapped.js";
import { busybox } from "./busybox.js";
import { bzip2 } from "./bzip2.js";
import { coreutils } from "./coreutils.js";
import { curl } from "./curl.js";
import { cxxProbe } from "./cxx-probe.js";
import { dropbear } from "./dropbear.js";
import { e2fsprogs } from "./e2fsprogs.js";
import { ethtool } from "./ethtool.js";
import { expat } from "./expat.js";
import { file } from "./file.js";
import { fmt } from "./fmt.js";
import { gdb } from "./gdb.js";
import { gdbserver } from "./gdbserver.js";
import { gmp } from "./gmp.js";
import { fio } from "./fio.js";
import { hello } from "./hello.js";
import { htop } from "./htop.js";
import { i2cTools } from "./i2c-tools.js";
import { iproute2 } from "./iproute2.js";
import { iputils } from "./iputils.js";
import { jq } from "./jq.js";
import { less } from "./less.js";
import { libevent } from "./libevent.js";
import { libpcap } from "./libpcap.js";
import { lsof } from "./lsof.js";
import { lz4 } from "./lz4.js";
import { mpfr } from "./mpfr.js";
import { nano } from "./nano.js";
import { ncdu } from "./ncdu.js";
import { ncurses } from "./ncurses.js";
import { ninja } from "./ninja.js";
import { oniguruma } from "./oniguruma.js";
import { openssl } from "./openssl.js";
import { pcre2 } from "./pcre2.js";
import { pkgconf } from "./pkgconf.js";
import { procps } from "./procps.js";
import { pv } from "./pv.js";
import { readline } from "./readline.js";
import { rsync } from "./rsync.js";
import { socat } from "./socat.js";
import { spdlog } from "./spdlog.js";
import { sqlite } from "./sqlite.js";
import { strace } from "./strace.js";
import { tcpdump } from "./tcpdump.js";
import { tmux } from "./tmux.js";
import { tree } from "./tree.js";
import { xz } from "./xz.js";
import { zlib } from "./zlib.js";
import { zstd } from "./zstd.js";

export const recipes: Readonly<Record<string, Recipe>> = {
  bash,
  "binutils-unwrapped": binutilsUnwrapped,
  busybox,
  bzip2,
  coreutils,
  curl,
  "cxx-probe": cxxProbe,
  dropbear,
  e2fsprogs,
  ethtool,
  expat,
  file,
  fmt,
  gdb,
  gdbserver,
  gmp,
  fio,
  hello,
  htop,
  "i2c-tools": i2cTools,
  iproute2,
  iputils,
  jq,
  less,
  libevent,
  libpcap,
  lsof,
  lz4,
  mpfr,
  nano,
  ncdu,
  ncurses,
  ninja,
  oniguruma,
  openssl,
  pcre2,
  pkgconf,
  procps,
  pv,
  readline,
  rsync,
  socat,
  spdlog,
  sqlite,
  strace,
  tcpdump,
  tmux,
  tree,
  xz,
  zlib,
  zstd,
};
