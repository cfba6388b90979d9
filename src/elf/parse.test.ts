import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { ElfFormatError, isStaticallyLinked, machineNames, parseElf } from "./parse.js";

describe("ELF parser", () => {
  it("reads a host binary as GNU readelf does", () => {
    const path = "/usr/bin/ls";
    const elf = parseElf(readFileSync(path));
    const readelf = execFileSync("readelf", ["-h", "-l", "-d", path], { encoding: "utf8" });
    assert.equal(elf.class, 64);
    assert.equal(machineNames[elf.machine], "x86-64");
    const interp = /Requesting program interpreter: (.*)\]/.exec(readelf)![1];
    assert.equal(elf.interpreter, interp);
    const needed = [...readelf.matchAll(/\(NEEDED\)\s+Shared library: \[(.*)\]/g)].map((m) => m[1]);
    assert.deepEqual(elf.needed, needed);
    assert.equal(isStaticallyLinked(elf), false);
    const entry = /Entry point address:\s+0x([0-9a-f]+)/.exec(readelf)![1]!;
    assert.equal(elf.entry, parseInt(entry, 16));
  });
  it("throws ElfFormatError, never anything else, on truncated and corrupt input", () => {
    const bytes = readFileSync("/usr/bin/ls");
    for (const n of [0, 3, 10, 20, 60, 100, 1000, 5000]) {
      try {
        parseElf(bytes.subarray(0, n));
      } catch (e) {
        assert.ok(e instanceof ElfFormatError, `${n}: ${String(e)}`);
      }
    }
    let seed = 7;
    for (let i = 0; i < 2000; i++) {
      const copy = Buffer.from(bytes.subarray(0, 16384));
      for (let k = 0; k < 8; k++) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        copy[seed % 128]! ^= (seed >> 8) & 0xff;
      }
      try {
        parseElf(copy);
      } catch (e) {
        assert.ok(e instanceof ElfFormatError, String(e));
      }
    }
  });
});
