import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import net from "node:net";
import { AddressBlock, blockAddress, LEASE_PORT } from "../../src/platform/address-block.ts";
import { regionAddress } from "../../src/platform/ports.ts";

function canListen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

describe("loopback address blocks", function () {
  this.timeout(20_000);

  it("names regions and sites inside the block", () => {
    assert.equal(regionAddress(0, 7), "127.7.1.1");
    assert.equal(regionAddress(8, 0), "127.0.9.1");
    assert.equal(blockAddress(3, 100), "127.3.100.1");
    assert.throws(() => blockAddress(251, 1), RangeError);
    assert.throws(() => regionAddress(99, 0), RangeError);
  });

  it("two leases in one process get different blocks, and a released block can be leased again", async () => {
    const a = await AddressBlock.lease();
    const b = await AddressBlock.lease();
    try {
      assert.notEqual(a.block, b.block);
      assert.notEqual(a.region(0), b.region(0));
      assert.equal(await canListen(blockAddress(a.block, 254), LEASE_PORT), false);
    } finally {
      await b.release();
      await a.release();
    }
    assert.equal(await canListen(blockAddress(a.block, 254), LEASE_PORT), true);
  });

  it("a block held by a process that is killed with SIGKILL is free again at once", async () => {
    // A child holds block 250's lease (no other drill starts that high before trying 0..249 in order).
    const child = spawn(
      process.execPath,
      [
        "-e",
        `require("node:net").createServer().listen({ host: "127.250.254.1", port: ${LEASE_PORT} }, () => console.log("held"))`,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
    assert.equal(await canListen("127.250.254.1", LEASE_PORT), false);
    child.kill("SIGKILL");
    await new Promise((resolve) => child.once("exit", resolve));
    assert.equal(await canListen("127.250.254.1", LEASE_PORT), true);
  });
});
