import assert from "node:assert/strict";
import {
  formatDuration,
  parseBandwidth,
  parseDuration,
  parseMicros,
  parseRate,
  parseSize,
  UnitError,
} from "../../src/drill/duration.ts";

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

/** Valid inputs with their value, and invalid inputs with what the message must say. */
const UNIT_GRAMMARS: Array<{
  what: string;
  unit: string;
  parse: (text: string | number) => number;
  valid: [string | number, number][];
  invalid: [string | number, RegExp][];
}> = [
  {
    what: "short durations",
    unit: "microseconds",
    parse: parseMicros,
    valid: [
      ["500us", 500],
      ["2ms", 2_000],
      ["1.5ms", 1_500],
      ["0.1s", 100_000],
      ["0", 0],
      [0, 0],
    ],
    invalid: [
      ["5", /bare number is ambiguous; add a unit, e.g. "5us"/],
      [5, /bare number is ambiguous/],
      ["-1us", /must not be negative/],
      ["-0", /must not be negative/],
      ["0.5us", /must be whole microseconds/],
      ["10ns", /expected a short duration like "500us"/],
      ["1m", /expected a short duration/],
    ],
  },
  {
    what: "sizes",
    unit: "bytes",
    parse: parseSize,
    valid: [
      [512, 512],
      ["512", 512],
      ["512B", 512],
      ["64KB", 64_000],
      ["1MB", 1_000_000],
      ["1.5MB", 1_500_000],
      ["2GB", 2_000_000_000],
      ["1KiB", 1_024],
      ["1MiB", 1_048_576],
      [0, 0],
    ],
    invalid: [
      [-1, /must not be negative, got -1/],
      ["-1KB", /must not be negative/],
      [1.5, /expected a size like 512/],
      ["1.5B", /must be whole bytes/],
      ["64kb", /expected a size like 512/],
      ["1TB", /expected a size/],
    ],
  },
  {
    what: "bandwidths",
    unit: "KB/s",
    parse: parseBandwidth,
    valid: [
      ["64KB/s", 64],
      ["1MB/s", 1_000],
      ["1.5MB/s", 1_500],
      ["1000B/s", 1],
    ],
    invalid: [
      ["0", /must be greater than 0 \(Toxiproxy reads 0 as no limit/],
      [0, /must be greater than 0/],
      ["0KB/s", /must be greater than 0/],
      [64, /bare number is ambiguous; add a unit, e.g. "64KB\/s"/],
      [-1, /must not be negative/],
      ["-64KB/s", /must not be negative/],
      ["64KiB/s", /must be whole KB\/s/],
      ["500B/s", /must be whole KB\/s/],
      ["64KB", /expected a bandwidth like "64KB\/s"/],
      ["64KB/m", /expected a bandwidth/],
    ],
  },
];

for (const grammar of UNIT_GRAMMARS) {
  describe(`drill ${grammar.what}`, () => {
    for (const [text, value] of grammar.valid) {
      it(`reads ${JSON.stringify(text)} as ${value} ${grammar.unit}`, () => {
        assert.equal(grammar.parse(text), value);
      });
    }
    for (const [text, message] of grammar.invalid) {
      it(`refuses ${JSON.stringify(text)} with a message saying why`, () => {
        assert.throws(
          () => grammar.parse(text),
          (err: Error) => err instanceof UnitError && message.test(err.message),
        );
      });
    }
  });
}
