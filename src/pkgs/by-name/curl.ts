import { recipe } from "../package-set.js";

export const curl = recipe<"openssl" | "zlib">(
  ({ stdenv, fetchurl, openssl, zlib, "pkg-config": pkgConfig }) =>
    stdenv.mkDerivation({
      pname: "curl",
      version: "7.88.1",
      src: fetchurl({
        url: "mirror://debian/pool/main/c/curl/curl_7.88.1.orig.tar.gz",
        name: "curl-7.88.1.tar.gz",
        hash: "sha256:cdb38b72e36bc5d33d5b8810f8018ece1baa29a8f215b4495e495ded82bbf3c7",
      }),
      nativeBuildInputs: [pkgConfig],
      buildInputs: [openssl, zlib],
      configureFlags: [
        "--with-openssl",
        "--with-zlib",
        "--without-zstd",
        "--without-brotli",
        "--without-libpsl",
        "--without-libidn2",
        "--without-nghttp2",
        "--without-libssh2",
        "--without-librtmp",
        "--disable-ldap",
        "--disable-ldaps",
        "--without-gssapi",
        "--disable-manual",
        // A cross configure skips looking for the CA bundle: name the device's.
        "--with-ca-bundle=/etc/ssl/certs/ca-certificates.crt",
        "--with-random=/dev/urandom",
      ],
      meta: {
        description: "Transfers data with URLs: the curl tool and libcurl, with OpenSSL and zlib",
        homepage: "https://curl.se/",
        license: "curl",
        mainProgram: "curl",
        // Reads the file:// URL of the root directory: URL parsing and the file protocol.
        smokeTest: { args: ["-sS", "-I", "file:///"], expect: "Last-Modified: " },
      },
    }),
);
