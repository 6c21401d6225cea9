import assert from "node:assert/strict";
import { formatDuration, parseDuration, parseRate, UnitError } from "../../src/drill/duration.ts";

describe("drill durations", () => {
  const valid: [string | number, number][] = [
    ["500ms", 500],
    ["1s", 1_000],
    ["1.5s", 1_500],
    ["1.1s", 1_100],
    ["2m", 120_000],
    ["1h", 3_600_000],
    ["0.25ms", 0.25],
    ["0s", 0],
    ["0", 0],
    [0, 0],
    [" 20ms ", 20],
  ];
  for (const [text, ms] of valid) {
    it(`reads ${JSON.stringify(text)} as ${ms} milliseconds`, () => {
      assert.equal(parseDuration(text), ms);
    });
  }

  const invalid: [string | number, RegExp][] = [
    ["5", /bare number is ambiguous.*"5s" or "5ms"/],
    [5, /bare number is ambiguous/],
    ["-3s", /must not be negative/],
    [-3, /must not be negative/],
    ["20 millis", /expected a duration like .*got "20 millis"/],
    ["10us", /expected a duration/],
    ["1m30s", /expected a duration/],
    ["", /expected a duration/],
    [".5s", /expected a duration/],
    [Number.NaN, /expected a duration/],
  ];
  for (const [text, message] of invalid) {
    it(`refuses ${JSON.stringify(text)} with a message saying why`, () => {
      assert.throws(
        () => parseDuration(text),
        (err: Error) => err instanceof UnitError && err.name === "UnitError" && message.test(err.message),
      );
    });
  }

  const formats: [number, string][] = [
    [0, "0s"],
    [20, "20ms"],
    [0.5, "0.5ms"],
    [1_000, "1s"],
    [1_500, "1.5s"],
    [1_234, "1.234s"],
    [90_000, "90s"],
    [120_000, "2m"],
    [5_400_000, "90m"],
    [7_200_000, "2h"],
    [-2_000, "-2s"],
  ];
  for (const [ms, text] of formats) {
    it(`formats ${ms} milliseconds as "${text}" and reads it back`, () => {
      assert.equal(formatDuration(ms), text);
      if (ms >= 0) assert.equal(parseDuration(text), ms);
    });
  }
});

describe("drill rates", () => {
  const valid: [string | number, number][] = [
    ["400/s", 400],
    ["24000/m", 400],
    ["36000/h", 10],
    ["400", 400],
    [400, 400],
    ["0.5/s", 0.5],
  ];
  for (const [text, perSecond] of valid) {
    it(`reads ${JSON.stringify(text)} as ${perSecond} per second`, () => {
      assert.equal(parseRate(text), perSecond);
    });
  }

  for (const text of ["fast", "400/d", "-5/s", "400 per second", -1]) {
    it(`refuses the rate ${JSON.stringify(text)}`, () => {
      assert.throws(() => parseRate(text), /expected a rate like "400\/s"/);
    });
  }
});
