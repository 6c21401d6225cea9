// The platform, docker and app sections of a drill file, and the command line's --platform override.
import assert from "node:assert/strict";
import { resolve } from "node:path";
import {
  DrillValidationError,
  formatProblem,
  loadDrill,
  parseDrill,
  type DrillOverrides,
} from "../../src/drill/load.ts";
import { OUTAGE_MODES } from "../../src/drill/types.ts";

const TWO_REGIONS = `name: byo
regions:
  - { name: us-east, role: primary }
  - { name: eu-west, role: standby }
`;

function formattedProblems(text: string, overrides: DrillOverrides = {}): string[] {
  try {
    parseDrill(text, "drill.yaml", overrides);
  } catch (err) {
    if (err instanceof DrillValidationError) return err.problems.map(formatProblem);
    throw err;
  }
  assert.fail("expected the drill to be rejected");
}

describe("drill platform, docker and app sections", () => {
  it("reads a docker drill with its images and its own app, templates kept for the platform to fill in", () => {
    const drill = parseDrill(
      `${TWO_REGIONS}platform: docker
docker:
  images: { postgres: "postgres:17", toxiproxy: failover-drill/toxiproxy:embedded }
app:
  image: registry.example:5000/shop/orders:2.3
  command: [./orders, --listen, "0.0.0.0:{{ PORT }}"]
  port: 9000
  healthPath: /ready
  writePath: /orders/{{id}}?sync=1
  env: { ORDERS_DB: "{{DATABASE_URL}}", EMPTY: "", DEBUG: "true" }
`,
      "drills/shop/orders.yaml",
    );
    assert.equal(drill.platform, "docker");
    assert.deepEqual(drill.docker, {
      postgresImage: "postgres:17",
      toxiproxyImage: "failover-drill/toxiproxy:embedded",
    });
    assert.deepEqual(drill.app, {
      image: "registry.example:5000/shop/orders:2.3",
      command: ["./orders", "--listen", "0.0.0.0:{{ PORT }}"],
      workingDir: resolve("drills/shop"),
      port: 9000,
      healthPath: "/ready",
      writePath: "/orders/{{id}}?sync=1",
      env: { ORDERS_DB: "{{DATABASE_URL}}", EMPTY: "", DEBUG: "true" },
    });
  });

  it("gives the app the absolute directory of the drill file it was loaded from", async () => {
    const drill = await loadDrill("drills/region-outage.yaml");
    assert.equal(drill.app.workingDir, resolve("drills"));
    assert.ok(drill.app.workingDir.startsWith("/"));
  });

  it("reads every region-outage mode", () => {
    const faults = OUTAGE_MODES.map(
      (mode, i) => `  - { at: ${i + 1}s, type: region-outage, region: eu-west, mode: ${mode} }`,
    );
    const drill = parseDrill(`${TWO_REGIONS}faults:\n${faults.join("\n")}\n`, "d.yaml");
    assert.deepEqual(
      drill.faults.map((f) => (f.type === "region-outage" ? f.mode : f.type)),
      ["kill", "stop", "pause", "network"],
    );
  });

  it("refuses app.image on the local platform, whether written or the default", () => {
    const expected = ["drill.yaml:5:15 app.image: needs platform: docker; on local use app.command"];
    assert.deepEqual(formattedProblems(`${TWO_REGIONS}app: { image: shop/orders:2 }\n`), expected);
    assert.deepEqual(
      formattedProblems(`${TWO_REGIONS}app: { image: shop/orders:2 }\nplatform: local\n`),
      expected,
    );
  });

  it("validates with the --platform override applied, in both directions", () => {
    const local = `${TWO_REGIONS}app: { image: shop/orders:2 }\n`;
    const drill = parseDrill(local, "drill.yaml", { platform: "docker" });
    assert.equal(drill.platform, "docker");
    assert.equal(drill.app.image, "shop/orders:2");

    const docker = `${TWO_REGIONS}platform: docker\napp: { image: shop/orders:2 }\n`;
    assert.equal(parseDrill(docker, "drill.yaml").platform, "docker");
    assert.deepEqual(formattedProblems(docker, { platform: "local" }), [
      "drill.yaml:6:15 app.image: needs platform: docker (--platform local); on local use app.command",
    ]);
    assert.equal(parseDrill(TWO_REGIONS, "drill.yaml", { platform: "docker" }).platform, "docker");
  });

  it("still reports a bad platform in the file when the command line overrides it", () => {
    assert.deepEqual(formattedProblems(`${TWO_REGIONS}platform: podman\n`, { platform: "docker" }), [
      'drill.yaml:5:11 platform: expected one of: local, docker, external, got "podman"',
    ]);
  });

  it("reports each unknown template variable in a value, with the known names", () => {
    const problems = formattedProblems(`${TWO_REGIONS}app: { env: { X: "{{REGOIN}}-{{HOST}}-{{ZONE}}" } }\n`);
    assert.equal(problems.length, 2, problems.join("\n"));
    assert.match(
      problems[0] ?? "",
      /app\.env\.X: unknown template variable \{\{REGOIN\}\}; did you mean \{\{REGION\}\}\?/,
    );
    assert.match(
      problems[1] ?? "",
      /unknown template variable \{\{ZONE\}\}; expected one of: \{\{REGION\}\}, \{\{HOST\}\}, \{\{PORT\}\}, \{\{DATABASE_URL\}\}, \{\{DATABASE_HOST\}\}, \{\{DATABASE_PORT\}\}$/,
    );
  });

  it("refuses env values that YAML reads as booleans, naming the field", () => {
    assert.deepEqual(formattedProblems(`${TWO_REGIONS}app:\n  env:\n    DEBUG: true\n`), [
      "drill.yaml:7:12 app.env.DEBUG: expected a quoted string (env values are text), got true",
    ]);
  });

  it("refuses {{id}} written with spaces in writePath, which the workload would not fill in", () => {
    assert.deepEqual(formattedProblems(`${TWO_REGIONS}app: { writePath: "/w/{{ id }}" }\n`), [
      "drill.yaml:5:19 app.writePath: unexpected template {{ id }}; write it without spaces: {{id}}",
    ]);
  });

  it("hints at quoting when a template in a flow list breaks the YAML", () => {
    const [problem] = formattedProblems(`${TWO_REGIONS}app: { command: [node, --port={{PORT}}] }\n`);
    assert.match(
      problem ?? "",
      /^drill\.yaml:5:\d+ YAML syntax error: .*\(quote text with templates: "\.\.\.\{\{PORT\}\}\.\.\."\)$/,
    );
  });

  it("suggests docker.images for an image given directly under docker", () => {
    assert.deepEqual(
      formattedProblems(`${TWO_REGIONS}docker: { toxiproxy: ghcr.io/shopify/toxiproxy:2.12.0 }\n`),
      [
        'drill.yaml:5:11 docker.toxiproxy: unknown field "toxiproxy"; "toxiproxy" belongs in docker.images; expected one of: images',
      ],
    );
  });

  it("accepts images by digest and with a registry port, and refuses uppercase names", () => {
    const digest = `postgres@sha256:${"0123456789abcdef".repeat(4)}`;
    const drill = parseDrill(
      `${TWO_REGIONS}docker: { images: { postgres: "${digest}", toxiproxy: "localhost:5000/toxiproxy:2.12.0" } }\n`,
      "d.yaml",
    );
    assert.deepEqual(drill.docker, {
      postgresImage: digest,
      toxiproxyImage: "localhost:5000/toxiproxy:2.12.0",
    });
    const [problem] = formattedProblems(
      `${TWO_REGIONS}docker: { images: { toxiproxy: Shopify/Toxiproxy } }\n`,
    );
    assert.match(
      problem ?? "",
      /docker\.images\.toxiproxy: expected an image reference .*got "Shopify\/Toxiproxy"/,
    );
  });
});
