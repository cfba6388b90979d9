/**
 * For tests: a real S3 server on loopback, OpenStack Swift (Debian's
 * python3-swift, 2.30) with its s3api middleware in front of tempauth, and a
 * memcached for tempauth's tokens and the proxy's cache. Everything lives in
 * one fresh temp folder (swift.conf, the servers' configs, the rings, the
 * logs) plus the one device folder under /dev/shm: Swift keeps an object's
 * metadata in a user xattr, larger than the root ext4 here takes. Every
 * daemon (memcached, account, container, object and proxy servers) runs as
 * the current user, in the foreground (`workers = 0`: one process, no
 * forked workers), bound to 127.0.0.1 on a port of its own. Nothing under
 * /etc/swift is read, and nothing goes to syslog: each daemon's log is
 * `<name>.log` in the temp folder.
 *
 * The client must be made like this (`@aws-sdk/client-s3` 3.x):
 *
 *     new S3Client({
 *       endpoint: fixture.endpoint,
 *       region: fixture.region,
 *       credentials: { accessKeyId: fixture.accessKeyId, secretAccessKey: fixture.secretAccessKey },
 *       forcePathStyle: true,
 *       requestChecksumCalculation: "WHEN_REQUIRED",
 *       responseChecksumValidation: "WHEN_REQUIRED",
 *     })
 *
 * `requestChecksumCalculation: "WHEN_REQUIRED"` is the one that matters: by
 * default the SDK sends a streamed body (a Readable) as `aws-chunked` with a
 * trailing CRC32, which Swift 2.30's s3api refuses (501 NotImplemented,
 * "Transfering payloads in multiple chunks using aws-chunked is not
 * supported"). Swift sends no `x-amz-checksum-*` back, so the response side
 * has nothing to validate either way; WHEN_REQUIRED keeps the SDK from
 * asking for it. DeleteObjects (multi-object delete) also needs a
 * Content-MD5 header, which SDK v3 no longer sends: use DeleteObject.
 */
import { S3Client } from "@aws-sdk/client-s3";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { randomBytes } from "node:crypto";
import { createSocket } from "node:dgram";
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { request } from "node:http";
import { connect, createServer, type Server } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";

export interface S3Fixture {
  /** The proxy's address, e.g. "http://127.0.0.1:PORT". */
  endpoint: string;
  /** "us-east-1", s3api's `location`. */
  region: string;
  /** tempauth's "account:user" and its key. */
  accessKeyId: string;
  secretAccessKey: string;
  /** For checks after stop: the folders the fixture made, and every daemon's port by name. */
  dirs: string[];
  ports: Record<string, number>;
  /** Kill the proxy server process (SIGKILL), to simulate a dying server mid-upload. */
  killProxy(): void;
  /** Start the proxy again on the same port; resolves when it answers. */
  restartProxy(): Promise<void>;
  /** Kills every daemon and removes every folder the fixture made. */
  stop(): Promise<void>;
}

/** Debian's python, the one python3-swift is for (a pyenv python3 may come first on PATH). */
const python = "/usr/bin/python3";
const memcached = "/usr/bin/memcached";
const install = "apt-get install python3-swift memcached";

/** null with a reason when swift is not installed (so tests can skip with that reason). */
export function swiftAvailable(): string | null {
  if (!existsSync(python)) return `${python} is missing (${install})`;
  const r = spawnSync(
    python,
    ["-c", "import swift.common.middleware.s3api.s3api, swift.proxy.server, swift.obj.server"],
    { encoding: "utf8" },
  );
  if (r.status !== 0) {
    const why = r.error?.message ?? r.stderr.trim().split("\n").pop();
    return `OpenStack Swift is not installed (${install}): ${why}`;
  }
  if (!existsSync(memcached)) return `memcached is not installed (${install})`;
  if (!existsSync("/dev/shm")) return "no /dev/shm for Swift's device folder";
  return null;
}

/**
 * Runs one Swift server, or builds the rings with swift-ring-builder's own
 * code, against the fixture's swift.conf: Swift takes that file's path from a
 * module global (/etc/swift/swift.conf), read when its first modules load.
 * Before the rings, it checks that the device folder takes xattrs as large as
 * Swift's metadata (ext4 takes about 4 KiB per file; tmpfs, since Linux 6.6, more).
 */
const launcher = `import os, sys
from swift.common import utils

utils.SWIFT_CONF_FILE = sys.argv[1]
what = sys.argv[2]
if what == "rings":
    import xattr
    folder, device_folder = sys.argv[3], sys.argv[4]
    probe = os.path.join(device_folder, "xattr-probe")
    open(probe, "w").close()
    try:
        for i in range(32):
            xattr.setxattr(probe, "user.swift.metadata%d" % i, b"x" * 254)
    except OSError as e:
        sys.exit("%s takes no 8 KiB of user xattrs, as Swift needs: %s" % (device_folder, e))
    finally:
        os.unlink(probe)
    from swift.cli.ringbuilder import main
    for spec in sys.argv[5:]:
        kind, port = spec.split("=")
        builder = "%s/%s.builder" % (folder, kind)
        device = "r1z1-127.0.0.1:%s/d0" % port
        for args in (["create", "10", "1", "1"], ["add", device, "1"], ["rebalance"]):
            try:
                main(["swift-ring-builder", builder] + args)
            except SystemExit as e:
                if e.code not in (None, 0):
                    sys.exit("swift-ring-builder %s %s: exit %s" % (builder, " ".join(args), e.code))
else:
    from swift.common.wsgi import run_wsgi
    sys.exit(run_wsgi(sys.argv[3], what, verbose=True))
`;

/** Free ports on 127.0.0.1: all bound at once (so they differ), then let go. */
async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<Server>((resolve, reject) => {
          const s = createServer();
          s.once("error", reject);
          s.listen(0, "127.0.0.1", () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => {
    const a = s.address();
    if (a === null || typeof a === "string") throw new Error("no port");
    return a.port;
  });
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

const tcpAnswers = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect({ host: "127.0.0.1", port });
    s.setTimeout(1000, () => s.destroy());
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
    s.once("close", () => resolve(false));
  });

const healthy = (port: number) =>
  new Promise<boolean>((resolve) => {
    const req = request({ host: "127.0.0.1", port, path: "/healthcheck", timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.once("timeout", () => req.destroy());
    req.once("error", () => resolve(false));
    req.end();
  });

function tail(path: string, lines = 25): string {
  try {
    return readFileSync(path, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

const exited = (p: ChildProcess) => p.exitCode !== null || p.signalCode !== null;

function waitExit(p: ChildProcess, ms: number): Promise<void> {
  if (exited(p)) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    p.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

interface Daemon {
  name: string;
  port: number;
  command: string;
  args: string[];
  log: string;
  probe: (port: number) => Promise<boolean>;
  process: ChildProcess | null;
}

/** Starts a daemon and waits (at most 30 s, 300 tries) until it answers on its port. */
async function launch(d: Daemon): Promise<void> {
  const fd = openSync(d.log, "a");
  const p = spawn(d.command, d.args, { stdio: ["ignore", fd, fd] });
  closeSync(fd);
  d.process = p;
  const failed = (why: string) =>
    new Error(`${d.name} ${why} (127.0.0.1:${d.port}); the end of its log:\n${tail(d.log)}`);
  const deadline = Date.now() + 30_000;
  for (let i = 0; i < 300; i++) {
    if (exited(p)) throw failed(`exited (${p.exitCode ?? p.signalCode}) before it answered`);
    if (await d.probe(d.port)) return;
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  p.kill("SIGKILL");
  throw failed("did not answer within 30 s");
}

export async function startSwiftS3(): Promise<S3Fixture> {
  const root = mkdtempSync(join(tmpdir(), "xpkgs-swift-"));
  const devices = mkdtempSync("/dev/shm/xpkgs-swift-");
  const dirs = [root, devices];
  const daemons: Daemon[] = [];
  let ringBuilder: ChildProcess | null = null;
  // Swift always adds a syslog handler; aimed at this socket, its lines are dropped
  // (the same lines go to stderr, thanks to the launcher's verbose=True).
  const syslog = createSocket("udp4");
  syslog.on("message", () => {});
  syslog.unref();
  let stopped = false;
  const killAll = () => {
    for (const p of [ringBuilder, ...daemons.map((d) => d.process)]) {
      if (p !== null && !exited(p)) p.kill("SIGKILL");
    }
  };
  // If the test process ends without stop(), leave no daemon and no folder behind.
  const onExit = () => {
    killAll();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  };
  process.once("exit", onExit);
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    killAll();
    const children = [ringBuilder, ...daemons.map((d) => d.process)];
    await Promise.all(children.map((p) => (p === null ? null : waitExit(p, 5000))));
    process.removeListener("exit", onExit);
    syslog.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  };
  try {
    mkdirSync(join(devices, "d0"));
    const syslogPort = await new Promise<number>((resolve, reject) => {
      syslog.once("error", reject);
      syslog.bind(0, "127.0.0.1", () => resolve(syslog.address().port));
    });
    const [memcachePort, accountPort, containerPort, objectPort, proxyPort] = (await freePorts(
      5,
    )) as [number, number, number, number, number];
    const user = userInfo().username;
    const swiftConf = join(root, "swift.conf");
    const hash = randomBytes(8).toString("hex");
    writeFileSync(
      swiftConf,
      [
        "[swift-hash]",
        `swift_hash_path_prefix = ${hash}`,
        `swift_hash_path_suffix = ${hash}`,
        "",
        "[storage-policy:0]",
        "name = Policy-0",
        "default = yes",
        "",
        "[swift-constraints]",
        "",
      ].join("\n"),
    );
    const launcherPath = join(root, "launch.py");
    writeFileSync(launcherPath, launcher);
    const rings = join(root, "rings.log");
    const buildRings = async () => {
      const fd = openSync(rings, "w");
      const p = spawn(
        python,
        [
          launcherPath,
          swiftConf,
          "rings",
          root,
          join(devices, "d0"),
          `account=${accountPort}`,
          `container=${containerPort}`,
          `object=${objectPort}`,
        ],
        { stdio: ["ignore", fd, fd] },
      );
      closeSync(fd);
      ringBuilder = p;
      const [code] = (await once(p, "exit")) as [number | null];
      if (code !== 0) throw new Error(`swift-ring-builder failed (${code}):\n${tail(rings)}`);
    };
    const defaults = (name: string, port: number) => [
      "[DEFAULT]",
      "bind_ip = 127.0.0.1",
      `bind_port = ${port}`,
      "workers = 0",
      `user = ${user}`,
      `swift_dir = ${root}`,
      `devices = ${devices}`,
      "mount_check = false",
      `log_name = ${name}`,
      "log_level = INFO",
      "log_udp_host = 127.0.0.1",
      `log_udp_port = ${syslogPort}`,
      "",
    ];
    const server = (name: string, port: number, sections: string[]): Daemon => {
      const conf = join(root, `${name}.conf`);
      writeFileSync(conf, [...defaults(name, port), ...sections, ""].join("\n"));
      return {
        name,
        port,
        command: python,
        args: [launcherPath, swiftConf, name, conf],
        log: join(root, `${name}.log`),
        probe: tcpAnswers,
        process: null,
      };
    };
    const backend = (kind: string, port: number) =>
      server(`${kind}-server`, port, [
        "[pipeline:main]",
        `pipeline = ${kind}-server`,
        "",
        `[app:${kind}-server]`,
        `use = egg:swift#${kind}`,
      ]);
    const accessKeyId = "test:tester";
    const secretAccessKey = randomBytes(12).toString("hex");
    const filters: [string, string, ...string[]][] = [
      ["catch_errors", "catch_errors"],
      ["gatekeeper", "gatekeeper"],
      ["healthcheck", "healthcheck"],
      ["proxy-logging", "proxy_logging"],
      ["cache", "memcache", `memcache_servers = 127.0.0.1:${memcachePort}`],
      ["listing_formats", "listing_formats"],
      ["s3api", "s3api", "location = us-east-1"],
      ["tempauth", "tempauth", `user_test_tester = ${secretAccessKey} .admin`],
      ["copy", "copy"],
      ["slo", "slo"],
      ["dlo", "dlo"],
      // The proxy would add it itself (and say so in its log) if it were missing.
      ["versioned_writes", "versioned_writes"],
    ];
    const pipeline = [...filters.map((f) => f[0]), "proxy-logging", "proxy-server"];
    const proxy = server("proxy-server", proxyPort, [
      "[pipeline:main]",
      `pipeline = ${pipeline.join(" ")}`,
      "",
      "[app:proxy-server]",
      "use = egg:swift#proxy",
      "account_autocreate = true",
      "",
      ...filters.flatMap(([name, egg, ...options]) => [
        `[filter:${name}]`,
        `use = egg:swift#${egg}`,
        ...options,
        "",
      ]),
    ]);
    proxy.probe = healthy;
    const cacheArgs = ["-l", "127.0.0.1", "-p", String(memcachePort), "-U", "0", "-m", "16"];
    const cache: Daemon = {
      name: "memcached",
      port: memcachePort,
      command: memcached,
      args: user === "root" ? [...cacheArgs, "-u", "root"] : cacheArgs,
      log: join(root, "memcached.log"),
      probe: tcpAnswers,
      process: null,
    };
    daemons.push(cache);
    await Promise.all([buildRings(), launch(cache)]);
    // The proxy needs only the rings to start; the backends answer by the time it is asked.
    const servers = [
      backend("account", accountPort),
      backend("container", containerPort),
      backend("object", objectPort),
      proxy,
    ];
    daemons.push(...servers);
    await Promise.all(servers.map(launch));
    return {
      endpoint: `http://127.0.0.1:${proxyPort}`,
      region: "us-east-1",
      accessKeyId,
      secretAccessKey,
      dirs,
      ports: Object.fromEntries(daemons.map((d) => [d.name, d.port])),
      killProxy: () => {
        if (proxy.process !== null && !exited(proxy.process)) proxy.process.kill("SIGKILL");
      },
      restartProxy: async () => {
        if (stopped) throw new Error("the Swift S3 fixture was stopped");
        if (proxy.process !== null) {
          if (!exited(proxy.process)) proxy.process.kill("SIGKILL");
          await waitExit(proxy.process, 5000);
        }
        await launch(proxy);
      },
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** An S3 client for the fixture, made as its doc comment says it must be. */
export function s3ClientFor(s3: S3Fixture): S3Client {
  return new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    forcePathStyle: true,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}
