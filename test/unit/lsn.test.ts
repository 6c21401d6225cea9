import assert from "node:assert/strict";
import { pickCandidate, type CandidatePosition } from "../../src/managers/builtin/candidate.ts";
import { compareLsn, lsnDiff, lsnPositions, parseLsn } from "../../src/engines/postgres/lsn.ts";

describe("WAL positions (LSN)", () => {
  it("parses the high and low halves as one 64-bit position", () => {
    assert.equal(parseLsn("0/0"), 0n);
    assert.equal(parseLsn("0/3000148"), 0x3000148n);
    assert.equal(parseLsn("16/B374D848"), (0x16n << 32n) + 0xb374d848n);
    assert.equal(parseLsn("FFFFFFFF/FFFFFFFF"), 2n ** 64n - 1n);
  });

  it("accepts lower-case hex as pg_lsn input does", () => {
    assert.equal(parseLsn("16/b374d848"), parseLsn("16/B374D848"));
  });

  it("orders by the high half first, where plain string order goes wrong", () => {
    assert.equal(compareLsn("9/FFFFFFFF", "10/0"), -1);
    assert.equal(compareLsn("10/0", "9/FFFFFFFF"), 1);
    assert.equal(compareLsn("A/0", "9/0"), 1);
  });

  it("orders by the low half numerically, not by its string length", () => {
    assert.equal(compareLsn("0/9000000", "0/10000000"), -1);
    assert.equal(compareLsn("0/3000148", "0/3000060"), 1);
    assert.equal(compareLsn("0/03000148", "0/3000148"), 0);
  });

  it("sorts a list of positions ascending", () => {
    const sorted = ["16/B374D848", "0/3000148", "9/0", "10/0", "0/3000060"].sort(compareLsn);
    assert.deepEqual(sorted, ["0/3000060", "0/3000148", "9/0", "10/0", "16/B374D848"]);
  });

  it("computes the byte distance like pg_wal_lsn_diff", () => {
    assert.equal(lsnDiff("0/3000148", "0/3000060"), 0xe8);
    assert.equal(lsnDiff("1/0", "0/FFFFFFFF"), 1);
    assert.equal(lsnDiff("0/0", "1/0"), -(2 ** 32));
  });

  it("rejects text that is not a WAL position, naming the error", () => {
    for (const bad of ["", "16", "16/", "/1", "G/0", "1/2/3", "123456789/0", " 0/1"]) {
      assert.throws(() => parseLsn(bad), { name: "LsnError" }, bad);
    }
  });
});

describe("candidate choice", () => {
  const standby = (region: string, receivedLsn: string, replayedLsn: string): CandidatePosition => ({
    region,
    eligible: true,
    receivedLsn,
    replayedLsn,
  });

  it("chooses the standby that received the most WAL", () => {
    const candidates = [
      standby("eu-west", "0/3000148", "0/3000148"),
      standby("ap-south", "0/9000000", "0/3000000"),
      standby("sa-east", "0/5000000", "0/5000000"),
    ];
    const choice = pickCandidate(candidates, lsnPositions);
    assert.deepEqual(choice, {
      region: "ap-south",
      receivedLsn: "0/9000000",
      replayedLsn: "0/3000000",
      candidates,
    });
  });

  it("compares received positions as numbers across the high half", () => {
    const choice = pickCandidate(
      [standby("a", "9/FFFFFFFF", "9/FFFFFFFF"), standby("b", "10/0", "10/0")],
      lsnPositions,
    );
    assert.equal(choice?.region, "b");
  });

  it("breaks a tie on received WAL by the replay position", () => {
    const choice = pickCandidate(
      [standby("a", "0/5000000", "0/4000000"), standby("b", "0/5000000", "0/5000000")],
      lsnPositions,
    );
    assert.equal(choice?.region, "b");
  });

  it("breaks a full tie by region order", () => {
    const choice = pickCandidate(
      [standby("b", "0/5000000", "0/5000000"), standby("a", "0/5000000", "0/5000000")],
      lsnPositions,
    );
    assert.equal(choice?.region, "b");
  });

  it("never chooses an ineligible node, however far ahead it claims to be", () => {
    const candidates: CandidatePosition[] = [
      {
        region: "us-east",
        eligible: false,
        receivedLsn: "FF/0",
        replayedLsn: "FF/0",
        reason: "not in recovery",
      },
      { region: "ap-south", eligible: false, receivedLsn: null, replayedLsn: null, reason: "not running" },
      standby("eu-west", "0/1000000", "0/1000000"),
    ];
    assert.equal(pickCandidate(candidates, lsnPositions)?.region, "eu-west");
  });

  it("chooses nobody when no standby is eligible", () => {
    assert.equal(pickCandidate([], lsnPositions), undefined);
    assert.equal(
      pickCandidate(
        [{ region: "eu-west", eligible: false, receivedLsn: null, replayedLsn: null, reason: "unreachable" }],
        lsnPositions,
      ),
      undefined,
    );
  });
});
