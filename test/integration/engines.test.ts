// Every registered engine, driven only through the engine-neutral interfaces (src/engines/types.ts)
// on real servers: what the runner, the controller, the monitor and the topologies rely on. A new
// engine runs this suite as soon as it is in the registry.
import assert from "node:assert/strict";
import { loadDrill } from "../../src/drill/load.ts";
import { engineFor, engineNames } from "../../src/engines/registry.ts";
import type { DatabaseEngine, ProcessDatabaseNode } from "../../src/engines/types.ts";
import { freePort, regionAddress } from "../../src/platform/ports.ts";
import { ProcessSupervisor } from "../../src/platform/processes.ts";
import { Workspace } from "../../src/platform/workspace.ts";

for (const name of engineNames()) {
  describe(`the ${name} engine behind the neutral interfaces (integration)`, function () {
    this.timeout(60_000);
    const engine: DatabaseEngine = engineFor(name);
    let workspace: Workspace;
    let supervisor: ProcessSupervisor;
    let primary: ProcessDatabaseNode;
    let standby: ProcessDatabaseNode;

    before(async () => {
      const { database } = await loadDrill("drills/region-outage.yaml");
      const setup = await engine.prepareLocal({ ...database, engine: name });
      assert.match(setup.description, new RegExp(`^${name} \\S+`));
      workspace = await Workspace.create(`engine-${name}`);
      supervisor = new ProcessSupervisor();
      const hosts = [regionAddress(0), regionAddress(1)] as const;
      const [primaryPort, standbyPort] = await Promise.all(hosts.map((h) => freePort(h)));
      [primary, standby] = (await setup.createNodes({
        workspace,
        supervisor,
        primary: { name: "us-east", host: hosts[0], port: primaryPort! },
        standbys: [
          {
            name: "eu-west",
            host: hosts[1],
            port: standbyPort!,
            upstream: { host: hosts[0], port: primaryPort! },
          },
        ],
      })) as [ProcessDatabaseNode, ProcessDatabaseNode];
      await Promise.all([primary.start(), standby.start()]);
      await engine.waitForStandbysStreaming(primary, ["eu-west"], 15_000);
      await engine.createSchema(primary);
    });

    after(async () => {
      await supervisor?.[Symbol.asyncDispose]();
      await workspace?.remove();
    });

    it("starts a primary and a standby that streams from it", async () => {
      assert.deepEqual([primary.running, standby.running], [true, true]);
      assert.equal(await primary.role(), "primary");
      assert.equal(await standby.role(), "standby");
      assert.deepEqual(await engine.streamingStandbys(primary), ["eu-west"]);
    });

    it("writes the canary on the primary and refuses it on the standby", async () => {
      await engine.canaryWrite(primary, "us-east");
      await assert.rejects(engine.canaryWrite(standby, "eu-west"));
    });

    it("samples both nodes with positions the engine can measure against each other", async () => {
      const [onPrimary, onStandby] = await Promise.all([
        engine.sampleReplication(primary, 2000),
        engine.sampleReplication(standby, 2000),
      ]);
      assert.equal(onPrimary.role, "primary");
      assert.deepEqual(
        onPrimary.standbys.map((s) => [s.name, s.state]),
        [["eu-west", "streaming"]],
      );
      assert.equal(onPrimary.receivedPosition, undefined);
      assert.equal(onStandby.role, "standby");
      assert.deepEqual(onStandby.standbys, []);
      const behind = engine.positions.diff(onPrimary.position!, onStandby.position!);
      assert.ok(behind !== undefined && behind >= 0, `standby ${behind} bytes behind`);
      assert.ok(engine.positions.compare(onStandby.receivedPosition!, onStandby.position!) >= 0);
    });

    it("tells the candidate chooser where the standby stands, and that the primary is none", async () => {
      const position = await engine.standbyPosition(standby, 2000);
      assert.equal(position.role, "standby");
      assert.ok(position.received !== null && position.replayed !== null);
      assert.equal((await engine.standbyPosition(primary, 2000)).role, "primary");
    });

    it("reads the final state of each node", async () => {
      const [ofPrimary, ofStandby] = await Promise.all([
        engine.readFinalState(primary),
        engine.readFinalState(standby),
      ]);
      assert.deepEqual([ofPrimary.role, ofPrimary.ids], ["primary", []]);
      assert.deepEqual([ofStandby.role, ofStandby.ids], ["standby", []]);
      assert.ok(engine.positions.diff(ofPrimary.position, ofStandby.position)! >= 0);
    });

    it("promotes the standby after the primary dies, which then takes the canary", async () => {
      await primary.kill();
      assert.equal(primary.running, false);
      await assert.rejects(primary.ping(1000));
      await standby.promote();
      assert.equal(await standby.role(), "primary");
      assert.equal(typeof (await standby.setSynchronousStandbys([])), "string");
      await engine.canaryWrite(standby, "eu-west");
      await standby.ping(1000);
    });
  });
}
