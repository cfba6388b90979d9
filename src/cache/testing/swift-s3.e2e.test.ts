// The Swift S3 fixture against the AWS SDK the cache uses: a bucket made,
// a 20 MB object and a small one put (one of them streamed), read back byte
// for byte, listed and deleted; the proxy killed and started again, and
// killed in the middle of an upload, which leaves nothing under the name;
// after stop, no folder and no port is left.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { connect } from "node:net";
import { Readable } from "node:stream";
import { test } from "node:test";
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from "@aws-sdk/client-s3";
import { s3ClientFor, startSwiftS3, swiftAvailable } from "./swift-s3.js";

const MiB = 1024 * 1024;
const md5 = (b: Buffer) => createHash("md5").update(b).digest("hex");

const clientFor = s3ClientFor;

const listens = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect({ host: "127.0.0.1", port });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });

/** Whether the port stops answering within 5 s (a SIGKILL takes a moment to land). */
async function closes(port: number): Promise<boolean> {
  for (let i = 0; i < 50; i++) {
    if (!(await listens(port))) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

/** The name of the S3 error a request fails with. */
async function s3Error(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as Error).name;
  }
  return "no error";
}

test("a real S3 server on loopback (Swift's s3api): buckets, objects, a dying proxy, nothing left after stop", async (t) => {
  const missing = swiftAvailable();
  if (missing !== null) {
    t.skip(missing);
    return;
  }
  const s3 = await startSwiftS3();
  const client = clientFor(s3);
  try {
    const Bucket = "xpkgs-cache";
    await client.send(new CreateBucketCommand({ Bucket }));
    await client.send(new HeadBucketCommand({ Bucket }));
    const buckets = await client.send(new ListBucketsCommand({}));
    assert.deepEqual(
      buckets.Buckets?.map((b) => b.Name),
      [Bucket],
    );

    const big = randomBytes(20 * MiB);
    const small = Buffer.from("StorePath: /nix/store/x-hello\n");
    const put = await client.send(new PutObjectCommand({ Bucket, Key: "nar/big", Body: big }));
    assert.equal(put.ETag, `"${md5(big)}"`, "a single PUT's ETag is the body's MD5");
    // A streamed body goes as plain HTTP, not aws-chunked (which s3api refuses).
    await client.send(
      new PutObjectCommand({
        Bucket,
        Key: "x.narinfo",
        Body: Readable.from([small]),
        ContentLength: small.length,
        ContentType: "text/x-nix-narinfo",
      }),
    );

    const head = await client.send(new HeadObjectCommand({ Bucket, Key: "nar/big" }));
    assert.equal(head.ContentLength, big.length);
    assert.equal(head.ETag, `"${md5(big)}"`);
    const get = async (Key: string) => {
      const r = await client.send(new GetObjectCommand({ Bucket, Key }));
      return Buffer.from(await r.Body!.transformToByteArray());
    };
    assert.ok((await get("nar/big")).equals(big), "the 20 MB object comes back byte for byte");
    assert.ok((await get("x.narinfo")).equals(small));
    const smallHead = await client.send(new HeadObjectCommand({ Bucket, Key: "x.narinfo" }));
    assert.equal(smallHead.ContentType, "text/x-nix-narinfo");

    const listed = await client.send(new ListObjectsV2Command({ Bucket }));
    assert.deepEqual(
      listed.Contents?.map((o) => [o.Key, o.Size]),
      [
        ["nar/big", big.length],
        ["x.narinfo", small.length],
      ],
    );
    const narOnly = await client.send(new ListObjectsV2Command({ Bucket, Prefix: "nar/" }));
    assert.deepEqual(
      narOnly.Contents?.map((o) => o.Key),
      ["nar/big"],
    );

    await client.send(new DeleteObjectCommand({ Bucket, Key: "x.narinfo" }));
    assert.equal(await s3Error(get("x.narinfo")), "NoSuchKey");

    // The proxy dies and comes back on the same port; the data was never its own.
    s3.killProxy();
    assert.ok(await closes(Number(new URL(s3.endpoint).port)), "the proxy is gone");
    await s3.restartProxy();
    assert.ok((await get("nar/big")).equals(big), "the object survives the proxy's restart");

    // Killed in the middle of an upload: the client sees an error, and nothing
    // is left under the name after the proxy comes back.
    let firstMiB!: () => void;
    const started = new Promise<void>((resolve) => (firstMiB = resolve));
    async function* slowBody() {
      for (let i = 0; i < 20; i++) {
        yield big.subarray(i * MiB, (i + 1) * MiB);
        if (i === 0) firstMiB();
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    const upload = client.send(
      new PutObjectCommand({
        Bucket,
        Key: "nar/half",
        Body: Readable.from(slowBody()),
        ContentLength: big.length,
      }),
    );
    await started;
    await new Promise((r) => setTimeout(r, 100));
    s3.killProxy();
    await assert.rejects(upload);
    await s3.restartProxy();
    assert.equal(
      await s3Error(client.send(new HeadObjectCommand({ Bucket, Key: "nar/half" }))),
      "NotFound",
    );

    assert.equal(await s3Error(client.send(new DeleteBucketCommand({ Bucket }))), "BucketNotEmpty");
    await client.send(new DeleteObjectCommand({ Bucket, Key: "nar/big" }));
    await client.send(new DeleteBucketCommand({ Bucket }));
    assert.equal(await s3Error(client.send(new HeadBucketCommand({ Bucket }))), "NotFound");
  } finally {
    client.destroy();
    await s3.stop();
  }
  for (const dir of s3.dirs) assert.equal(existsSync(dir), false, `${dir} is left`);
  assert.ok(s3.dirs.some((d) => d.startsWith("/dev/shm/")));
  assert.equal(Object.keys(s3.ports).length, 5);
  for (const [name, port] of Object.entries(s3.ports)) {
    assert.equal(await listens(port), false, `${name} still listens on ${port}`);
  }
});
