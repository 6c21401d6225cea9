// Hostile input for the drill, matrix and suite loaders (issue 13, item 6): any text, any JSON-ish
// value and mutations of the real files in drills/ give a loaded file or the loader's own validation
// error naming the file; never another exception. Each property has a fixed number of runs.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { parse, stringify } from "yaml";
import { DrillValidationError, parseDrill, type DrillProblem } from "../../src/drill/load.ts";
import { MatrixValidationError, parseMatrix, planMatrix } from "../../src/matrix/load.ts";
import { parseSuite, SuiteValidationError } from "../../src/suite/load.ts";
import { main } from "../../src/cli/main.ts";
import { MAX_YAML_BYTES, MAX_YAML_DEPTH } from "../../src/drill/yaml-guard.ts";

const FILE = "fuzz/drill.yaml";
const RUNS = 60;

const DRILLS = readdirSync("drills")
  .filter((f) => f.endsWith(".yaml"))
  .map((f) => ({ name: f, text: readFileSync(join("drills", f), "utf8") }));
const PLAIN_DRILLS = DRILLS.filter((d) => /^regions:/m.test(d.text));
const MATRICES = DRILLS.filter((d) => /^parameters:/m.test(d.text));
const BASE = readFileSync("drills/region-outage.yaml", "utf8");

type Loader = (text: string) => unknown;
const LOADERS: Record<string, { load: Loader; error: new (...args: never[]) => Error }> = {
  drill: { load: (t) => parseDrill(t, FILE), error: DrillValidationError },
  matrix: {
    load: (t) => planMatrix(parseMatrix(t, FILE), BASE),
    error: MatrixValidationError,
  },
  suite: { load: (t) => parseSuite(t, FILE), error: SuiteValidationError },
};

/** The loader's result, or its validation error with every problem naming the file and saying something. */
function loadsOrExplains(kind: string, text: string): void {
  const { load, error } = LOADERS[kind]!;
  try {
    load(text);
  } catch (err) {
    if (!(err instanceof error)) {
      assert.fail(
        `${kind} loader threw ${(err as Error).stack ?? String(err)}\nfor input ${JSON.stringify(text)}`,
      );
    }
    const problems = (err as unknown as { problems: DrillProblem[] }).problems;
    assert.ok(problems.length > 0, "a validation error lists at least one problem");
    for (const p of problems) {
      assert.ok(p.file === FILE || p.file.endsWith(".yaml"), `problem names a file: ${JSON.stringify(p)}`);
      assert.ok(p.message.length > 0);
    }
  }
}

const yamlChars = fc.constantFrom(..."abc: -[]{},&*!|>'\"#?%@`\n\t 01.e~<=\\\u00a0\uFEFF".split(""));
const yamlText = fc.string({ unit: yamlChars, maxLength: 200 });

/** A real file with lines deleted, duplicated, truncated or a value replaced. */
function mutated(sources: { text: string }[]): fc.Arbitrary<string> {
  const scalar = fc.oneof(
    fc.constantFrom(
      "-1",
      "0",
      "1e309",
      "99999999999999999999",
      "NaN",
      "~",
      "[]",
      "{}",
      '""',
      "!!binary x",
      "*x",
      "&x y",
    ),
    fc.constantFrom("-5s", "0s", "1000000h", "1e9/s", "999999999ms", "abc", "primary", "127.0.0.1:1"),
    fc.string({ maxLength: 12 }),
  );
  const mutation = fc.oneof(
    fc.record({ kind: fc.constant("delete" as const), at: fc.nat() }),
    fc.record({ kind: fc.constant("duplicate" as const), at: fc.nat() }),
    fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
    fc.record({ kind: fc.constant("value" as const), at: fc.nat(), value: scalar }),
  );
  return fc
    .tuple(fc.constantFrom(...sources), fc.array(mutation, { minLength: 1, maxLength: 4 }))
    .map(([source, mutations]) => {
      const lines = source.text.split("\n");
      for (const m of mutations) {
        const i = m.at % Math.max(1, lines.length);
        if (m.kind === "delete") lines.splice(i, 1);
        else if (m.kind === "duplicate") lines.splice(i, 0, lines[i] ?? "");
        else if (m.kind === "truncate") lines[i] = (lines[i] ?? "").slice(0, m.at % 17);
        else lines[i] = (lines[i] ?? "").replace(/:\s.*$/, `: ${m.value}`);
      }
      return lines.join("\n");
    });
}

/** A real file parsed, one value somewhere inside replaced by any JSON value, written back. */
function retyped(sources: { text: string }[]): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom(...sources), fc.nat(), fc.jsonValue({ maxDepth: 3 }))
    .map(([source, at, value]) => {
      const data = parse(source.text) as unknown;
      const slots: { holder: Record<string, unknown>; key: string }[] = [];
      const walk = (node: unknown): void => {
        if (typeof node !== "object" || node === null) return;
        for (const [key, child] of Object.entries(node)) {
          slots.push({ holder: node as Record<string, unknown>, key });
          walk(child);
        }
      };
      walk(data);
      const slot = slots[at % slots.length]!;
      slot.holder[slot.key] = value;
      return stringify(data);
    });
}

describe("hostile drill, matrix and suite files", function () {
  this.timeout(60_000);

  for (const kind of Object.keys(LOADERS)) {
    it(`the ${kind} loader explains or accepts any short YAML-ish text`, () => {
      fc.assert(
        fc.property(yamlText, (text) => loadsOrExplains(kind, text)),
        { numRuns: RUNS, seed: 13 },
      );
    });

    it(`the ${kind} loader explains or accepts any JSON value written as YAML`, () => {
      fc.assert(
        fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => loadsOrExplains(kind, stringify(value))),
        { numRuns: RUNS, seed: 13 },
      );
    });
  }

  it("the drill loader explains or accepts mutations of every drill in drills/", () => {
    fc.assert(
      fc.property(mutated(PLAIN_DRILLS), (text) => loadsOrExplains("drill", text)),
      { numRuns: RUNS, seed: 13 },
    );
  });

  it("the drill loader explains or accepts every drill in drills/ with one value of any type", () => {
    fc.assert(
      fc.property(retyped(PLAIN_DRILLS), (text) => loadsOrExplains("drill", text)),
      { numRuns: RUNS, seed: 13 },
    );
  });

  it("the matrix loader explains or accepts mutations of every matrix in drills/", () => {
    fc.assert(
      fc.property(fc.oneof(mutated(MATRICES), retyped(MATRICES)), (text) => loadsOrExplains("matrix", text)),
      // Each accepted matrix loads the base drill once per cell: fewer runs.
      { numRuns: RUNS / 4, seed: 13 },
    );
  });

  it("the suite loader explains or accepts mutations of drills/weekly.yaml", () => {
    const weekly = DRILLS.filter((d) => d.name === "weekly.yaml");
    fc.assert(
      fc.property(fc.oneof(mutated(weekly), retyped(weekly)), (text) => loadsOrExplains("suite", text)),
      { numRuns: RUNS, seed: 13 },
    );
  });
});

/** Nine levels of nine aliases: 9^9 strings once expanded, 10 lines on disk. */
export const ALIAS_BOMB = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ..."bcdefghi".split("").map((c, i) => {
    const prev = "abcdefghi"[i]!;
    return `${c}: &${c} [${Array(9).fill(`*${prev}`).join(",")}]`;
  }),
].join("\n");

describe("YAML bombs and giants", () => {
  const problemOf = (kind: string, text: string): string => {
    const { load, error } = LOADERS[kind]!;
    try {
      load(text);
    } catch (err) {
      assert.ok(err instanceof error, String(err));
      return (err as Error).message;
    }
    return assert.fail("accepted");
  };

  for (const kind of Object.keys(LOADERS)) {
    it(`an alias bomb as the ${kind} file is refused, naming the file and the attack`, () => {
      const message = problemOf(kind, `${ALIAS_BOMB}\nname: x\nregions: *i\nparameters: *i\nentries: *i\n`);
      assert.match(message, /fuzz\/drill\.yaml/);
      assert.match(
        message,
        /holds more than 100000 values once its aliases \(\*name\) are expanded \(as in a "billion laughs" attack\)/,
      );
    });

    it(`${MAX_YAML_DEPTH + 1}-deep flow nesting in a ${kind} file is refused before the parser runs out of stack`, () => {
      const n = 100_000;
      const message = problemOf(kind, `name: x\nregions: ${"[".repeat(n)}${"]".repeat(n)}\n`);
      assert.match(message, /fuzz\/drill\.yaml:2:1 nested more than 64 levels deep/);
    });
  }

  it("deep block nesting, one level per line or many per line, is refused", () => {
    const perLine = `name: x\nregions:\n${Array.from({ length: 400 }, (_, i) => `${" ".repeat(i)}- \n`).join("")}`;
    assert.match(problemOf("drill", perLine), /nested more than 64 levels deep/);
    assert.match(
      problemOf("drill", `name: x\nregions:\n${"- ".repeat(10_000)}a\n`),
      /nested more than 64 levels deep/,
    );
  });

  it("comments and block text between deeper lines do not hide nesting", () => {
    const lines = Array.from(
      { length: 100 },
      (_, i) => `${" ".repeat(i)}- |\n${" ".repeat(i + 2)}text\n# c\n`,
    );
    assert.match(
      problemOf("drill", `name: x\nregions:\n${lines.join("")}`),
      /nested more than 64 levels deep/,
    );
  });

  it("an alias that contains itself is refused, not followed forever", () => {
    assert.match(problemOf("drill", "name: x\nregions: &r [a, *r]\n"), /fuzz\/drill\.yaml/);
  });

  it("a file over 256 KiB is refused with the limit", () => {
    const text = `name: x\ndescription: "${"x".repeat(MAX_YAML_BYTES)}"\n`;
    assert.match(problemOf("drill", text), /the file is 256 KiB; at most 256 KiB/);
  });

  it("more than 1000 aliases are refused", () => {
    const text = `name: &n x\ndescription: [${Array(1001).fill("*n").join(", ")}]\n`;
    assert.match(problemOf("drill", text), /more than 1000 aliases/);
  });

  it("every drill, matrix and suite in drills/ is within the bounds", () => {
    for (const d of DRILLS) {
      try {
        (d.text.includes("\nentries:")
          ? LOADERS["suite"]!
          : MATRICES.includes(d)
            ? LOADERS["matrix"]!
            : LOADERS["drill"]!
        ).load(d.text);
      } catch (err) {
        assert.doesNotMatch((err as Error).message, /nested more than|aliases|at most 256 KiB/, d.name);
      }
    }
  });
});

describe("the CLI on the nastiest files", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "fuzz-cli-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const NASTY: Record<string, string> = {
    "bomb.yaml": `${ALIAS_BOMB}\nname: x\nregions: *i\n`,
    "suite-bomb.yaml": `${ALIAS_BOMB}\nname: x\nentries: *i\n`,
    "deep.yaml": `name: x\nregions: ${"{a: ".repeat(5000)}1${"}".repeat(5000)}\n`,
    "huge.yaml": `name: x\ndescription: "${"x".repeat(2 * MAX_YAML_BYTES)}"\n`,
    "binary.yaml": "\u0000\u0001\uFFFD\uD800name: [",
  };

  it("validate /dev/zero (a file that never ends) exits 2 instead of reading forever", async () => {
    const err: string[] = [];
    const code = await main(["validate", "/dev/zero"], { out: () => {}, err: (t) => err.push(t) });
    assert.equal(code, 2);
    assert.match(
      err.join("\n"),
      /^\/dev\/zero cannot read the drill file: the file is over 256 KiB; at most 256 KiB/,
    );
  });

  for (const [name, text] of Object.entries(NASTY)) {
    it(`validate ${name} exits 2 naming the file`, async () => {
      const file = join(dir, name);
      writeFileSync(file, text);
      const err: string[] = [];
      const code = await main(["validate", file], { out: () => {}, err: (t) => err.push(t) });
      assert.equal(code, 2, err.join("\n"));
      assert.ok(err.length > 0 && err.every((line) => line.startsWith(file)), err.join("\n"));
    });
  }

  it("matrix --dry-run on an alias bomb exits 2 naming the file", async () => {
    const file = join(dir, "matrix-bomb.yaml");
    writeFileSync(file, `${ALIAS_BOMB}\nname: x\nbase: b.yaml\nparameters: *i\n`);
    const err: string[] = [];
    const code = await main(["matrix", file, "--dry-run", "--out", join(dir, "r")], {
      out: () => {},
      err: (t) => err.push(t),
    });
    assert.equal(code, 2);
    assert.match(err.join("\n"), /matrix-bomb\.yaml .*billion laughs/);
  });
});

describe("limits a hostile file cannot talk past", () => {
  const problems = (kind: string, text: string): string => {
    try {
      LOADERS[kind]!.load(text);
    } catch (err) {
      return (err as Error).message;
    }
    return assert.fail("accepted");
  };

  it("refuses a matrix of 64 million cells before building its grid, stating the limit", () => {
    const values = (unit: string) =>
      `[${Array.from({ length: 20 }, (_, i) => `${i + 1}${unit}`).join(", ")}]`;
    const text =
      `name: m\nbase: region-outage.yaml\nparameters:\n  workload.clients: ${values("")}\n` +
      `  recovery.wait: ${values("s")}\n  dns.ttl: ${values("s")}\n  workload.requestTimeout: ${values("s")}\n` +
      `  workload.duration: ${values("m")}\n  network.interRegionLatency: ${values("ms")}\n`;
    assert.match(
      problems("matrix", text),
      /parameters: make 64000000 cells x repeat 1 = 64000000 runs \(before exclusions\); at most 1000 runs \(about 11 hours/,
    );
  });

  it("refuses repeat over 100 in a matrix", () => {
    const text = "name: m\nbase: region-outage.yaml\nrepeat: 101\nparameters:\n  dns.ttl: [1s]\n";
    assert.match(problems("matrix", text), /repeat: must be at most 100, got 101/);
  });

  it("refuses any drill duration over 24 hours, saying why", () => {
    const text = BASE.replace(/duration: \S+/, "duration: 1000000h");
    assert.match(
      problems("drill", text),
      /must be at most 24h \(a drill's history and timers are sized for hours, not days\), got 1000000h/,
    );
  });

  it("refuses a suite of more than 100 entries", () => {
    const entries = Array.from({ length: 101 }, (_, i) => `  - { drill: region-outage.yaml, name: e${i} }`);
    assert.match(
      problems("suite", `name: s\nentries:\n${entries.join("\n")}\n`),
      /entries: 101 entries; at most 100/,
    );
  });
});
