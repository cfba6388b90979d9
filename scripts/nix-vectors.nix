# Derivations whose drvPath, outPath and .drv text Nix computes, for
# test/vectors/nix-derivations.json. Regenerate with `npm run vectors`.
let
  drv = builtins.derivation;
  sys = "x86_64-linux";
  zeros = "0000000000000000000000000000000000000000000000000000000000000000";
  plain = drv { name = "plain"; system = sys; builder = "/bin/sh"; };
  multi = drv {
    name = "multi-1.0"; system = sys; builder = "/bin/sh";
    args = [ "-c" "echo" ]; outputs = [ "out" "dev" "lib" ];
  };
  fodFlat = drv {
    name = "hello-2.10.tar.gz"; system = sys; builder = "builtin:fetchurl";
    url = "mirror://debian/pool/main/h/hello/hello_2.10.orig.tar.gz";
    outputHashMode = "flat"; outputHashAlgo = "sha256";
    outputHash = "31e066137a962676e89f69d1b65382de95a7ef7d914b8cb956f41ea72e0f516b";
  };
  fodSameHash = drv {
    name = "hello-2.10.tar.gz"; system = sys; builder = "builtin:fetchurl";
    url = "https://example.invalid/hello-2.10.tar.gz";
    outputHashMode = "flat"; outputHashAlgo = "sha256";
    outputHash = "31e066137a962676e89f69d1b65382de95a7ef7d914b8cb956f41ea72e0f516b";
  };
  fodRec = drv {
    name = "src-tree"; system = sys; builder = "/bin/sh"; args = [ "-c" "mkdir $out" ];
    outputHashMode = "recursive"; outputHashAlgo = "sha256"; outputHash = zeros;
  };
  file = builtins.toFile "builder.sh" "echo hello > $out\n";
in {
  plain = plain;
  with-args = drv { name = "with-args"; system = sys; builder = "/bin/sh"; args = [ "-e" "-c" "exit 0" ]; };
  escapes = drv {
    name = "escapes"; system = sys; builder = "/bin/sh";
    quote = "say \"hi\""; backslash = "a\\b"; newline = "line1\nline2"; tab = "a\tb";
    cr = "a\rb"; unicode = "grüße → ☃"; empty = "";
  };
  other-system = drv { name = "other-system"; system = "aarch64-linux"; builder = "/bin/sh"; };
  multi = multi;
  unsorted-outputs = drv { name = "unsorted"; system = sys; builder = "/bin/sh"; outputs = [ "dev" "out" "bin" ]; };
  odd-name = drv { name = "odd+name_v1.2-3?=x"; system = sys; builder = "/bin/sh"; };
  fod-flat-hex = fodFlat;
  fod-flat-same-hash = fodSameHash;
  fod-flat-nix32 = drv {
    name = "nix32-hash"; system = sys; builder = "builtin:fetchurl"; url = "http://x/y";
    outputHashAlgo = "sha256"; outputHash = "1jzjf5ajqgn5a5kz1jjaryxa2yih0h5wimn8mqx3wacs2hgvb0fd";
  };
  fod-flat-sri = drv {
    name = "sri-hash"; system = sys; builder = "builtin:fetchurl"; url = "http://x/z";
    outputHash = "sha256-MeBmE3qWJnbom+99kUuMuVb0Hqfb5Li8ah9BrqBe8Ws=";
  };
  fod-flat-sha1 = drv {
    name = "sha1-file"; system = sys; builder = "builtin:fetchurl"; url = "http://x/w";
    outputHashAlgo = "sha1"; outputHash = "0123456789abcdef0123456789abcdef01234567";
  };
  fod-flat-sha512 = drv {
    name = "sha512-file"; system = sys; builder = "builtin:fetchurl"; url = "http://x/v";
    outputHashAlgo = "sha512"; outputHash = zeros + zeros;
  };
  fod-recursive-sha256 = fodRec;
  fod-recursive-sha1 = drv {
    name = "rec-sha1"; system = sys; builder = "/bin/sh";
    outputHashMode = "recursive"; outputHashAlgo = "sha1"; outputHash = "0123456789abcdef0123456789abcdef01234567";
  };
  dep-on-plain = drv { name = "dep-on-plain"; system = sys; builder = "/bin/sh"; args = [ "-c" "cat ${plain}" ]; };
  dep-on-dev = drv { name = "dep-on-dev"; system = sys; builder = "/bin/sh"; inc = "${multi.dev}/include"; };
  dep-on-two-outputs = drv {
    name = "dep-on-two"; system = sys; builder = "/bin/sh"; outputs = [ "out" "doc" ];
    inc = "${multi.dev}/include"; libdir = "${multi.lib}/lib";
  };
  dep-on-fod = drv { name = "hello-2.10"; system = sys; builder = "/bin/sh"; src = fodFlat; };
  dep-on-fod-same-hash = drv { name = "hello-2.10"; system = sys; builder = "/bin/sh"; src = fodSameHash; };
  dep-on-rec-fod = drv { name = "uses-tree"; system = sys; builder = "/bin/sh"; src = fodRec; };
  builder-from-dep = drv { name = "builder-from-dep"; system = sys; builder = "${plain}/bin/sh"; };
  with-input-src = drv { name = "with-src"; system = sys; builder = "/bin/sh"; args = [ file ]; };
  chain = drv {
    name = "chain-top"; system = sys; builder = "/bin/sh";
    mid = drv { name = "chain-mid"; system = sys; builder = "/bin/sh"; low = plain; src = fodRec; };
  };
  fod-with-input = drv {
    name = "fod-with-input"; system = sys; builder = "${plain}/bin/fetch";
    outputHashMode = "flat"; outputHashAlgo = "sha256"; outputHash = zeros;
  };
}
