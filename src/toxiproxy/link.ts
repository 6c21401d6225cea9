// One proxied TCP connection: the client socket, the upstream socket and two links, one per
// direction, each running its direction's toxic chain. Toxics added, updated or removed through the
// API take effect on live connections too, as in Toxiproxy.
import net from "node:net";
import type { Socket } from "node:net";
import {
  monotonicMs,
  PassThroughStage,
  type StageOutput,
  type ToxicAttributes,
  type ToxicKind,
  type ToxicStage,
} from "./toxics.ts";

export type StreamDirection = "upstream" | "downstream";

/** A toxic as configured on a proxy; links read it when they create their stage. */
export interface ToxicDefinition {
  readonly name: string;
  readonly type: string;
  readonly stream: StreamDirection;
  readonly kind: ToxicKind;
  toxicity: number;
  attributes: ToxicAttributes;
}

/**
 * Bytes a link may hold between reading and writing (inside toxics or not yet accepted by the
 * destination) before it stops reading its source. Large enough that a latency toxic keeps
 * tens of MB/s flowing; small enough to bound memory per connection.
 */
export const LINK_HIGH_WATER_BYTES = 4 * 1024 * 1024;

interface ChainEntry {
  readonly toxic: ToxicDefinition;
  stage: ToxicStage;
}

/** One direction of a connection: source socket -> toxic stages -> sink socket, with backpressure. */
export class Link {
  private entries: ChainEntry[] = [];
  private held = 0;
  private paused = false;
  private sinkEnded = false;
  private destroyed = false;

  constructor(
    private readonly source: Socket,
    private readonly sink: Socket,
    toxics: readonly ToxicDefinition[],
    private readonly destroyConnection: () => void,
  ) {
    for (const toxic of toxics) this.entries.push(this.createEntry(toxic));
  }

  start(): void {
    this.source.on("data", (chunk: Buffer) => {
      this.held += chunk.length;
      this.forward(undefined, chunk);
      this.updateFlow();
    });
    this.source.on("end", () => this.forwardEnd(undefined));
    this.sink.on("drain", () => this.updateFlow());
    this.source.resume();
  }

  addToxic(toxic: ToxicDefinition): void {
    if (this.destroyed) return;
    this.entries.push(this.createEntry(toxic));
  }

  updateToxic(toxic: ToxicDefinition, reroll: boolean): void {
    const entry = this.entries.find((e) => e.toxic === toxic);
    if (entry === undefined) return;
    if (!reroll) {
      entry.stage.update(toxic.attributes);
      return;
    }
    // The toxicity changed: roll again whether this link is affected, handing on what the old stage held.
    const old = entry.stage;
    old.flush();
    old.destroy();
    entry.stage = this.createStage(entry);
  }

  removeToxic(toxic: ToxicDefinition): void {
    const entry = this.entries.find((e) => e.toxic === toxic);
    if (entry === undefined) return;
    // Flush first, while the entry still routes to its successor, so held data keeps its place.
    entry.stage.flush();
    this.entries.splice(this.entries.indexOf(entry), 1);
    entry.stage.destroy();
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const entry of this.entries) entry.stage.destroy();
    this.entries = [];
  }

  private createEntry(toxic: ToxicDefinition): ChainEntry {
    const entry: ChainEntry = { toxic, stage: undefined as unknown as ToxicStage };
    entry.stage = this.createStage(entry);
    return entry;
  }

  private createStage(entry: ChainEntry): ToxicStage {
    const output: StageOutput = {
      push: (chunk) => this.forward(entry, chunk),
      end: () => this.forwardEnd(entry),
    };
    // Toxicity is the probability that a toxic affects a given connection (rolled per link).
    if (Math.random() >= entry.toxic.toxicity) return new PassThroughStage(output);
    return entry.toxic.kind.createStage(entry.toxic.attributes, {
      output,
      now: monotonicMs,
      destroyConnection: this.destroyConnection,
    });
  }

  /** Hands a chunk from `from` (undefined = the source) to the next stage, or to the sink. */
  private forward(from: ChainEntry | undefined, chunk: Buffer): void {
    if (this.destroyed) return;
    const index = from === undefined ? -1 : this.entries.indexOf(from);
    const next = this.entries[index + 1];
    if (next !== undefined && (from === undefined || index >= 0)) {
      next.stage.write(chunk);
      return;
    }
    this.held -= chunk.length;
    if (this.sinkEnded || this.sink.destroyed) return;
    this.sink.write(chunk);
    this.updateFlow();
  }

  private forwardEnd(from: ChainEntry | undefined): void {
    if (this.destroyed) return;
    const index = from === undefined ? -1 : this.entries.indexOf(from);
    const next = this.entries[index + 1];
    if (next !== undefined && (from === undefined || index >= 0)) {
      next.stage.end();
      return;
    }
    if (this.sinkEnded) return;
    this.sinkEnded = true;
    // Half-close: the peer's FIN is passed on once everything before it has been written.
    if (!this.sink.destroyed) this.sink.end();
  }

  private updateFlow(): void {
    if (this.destroyed) return;
    const shouldPause = this.sink.writableNeedDrain || this.held > LINK_HIGH_WATER_BYTES;
    if (shouldPause && !this.paused) {
      this.paused = true;
      this.source.pause();
    } else if (!shouldPause && this.paused) {
      this.paused = false;
      this.source.resume();
    }
  }
}

export interface UpstreamAddress {
  host: string;
  port: number;
}

/** A client connection accepted by a proxy, joined to a fresh connection to the upstream. */
export class ProxyConnection {
  private upstream: Socket | undefined;
  private upstreamLink: Link | undefined;
  private downstreamLink: Link | undefined;
  private closedSockets = 0;
  private finished = false;

  constructor(
    private readonly client: Socket,
    private readonly toxicsFor: (stream: StreamDirection) => readonly ToxicDefinition[],
    private readonly onFinished: (connection: ProxyConnection) => void,
  ) {}

  /** The client socket must have been accepted paused (pauseOnConnect) so nothing is read early. */
  start(target: UpstreamAddress): void {
    const { client } = this;
    client.setNoDelay(true);
    client.on("error", () => this.destroy());
    client.on("close", (hadError) => this.socketClosed(hadError));
    const upstream = net.connect({
      host: target.host,
      port: target.port,
      allowHalfOpen: true,
      noDelay: true,
    });
    this.upstream = upstream;
    // As Toxiproxy: when the upstream cannot be reached, the client connection is closed.
    upstream.on("error", () => this.destroy());
    upstream.on("close", (hadError) => this.socketClosed(hadError));
    upstream.once("connect", () => {
      if (this.finished) return;
      upstream.setNoDelay(true);
      const destroy = (): void => this.destroy();
      this.upstreamLink = new Link(client, upstream, this.toxicsFor("upstream"), destroy);
      this.downstreamLink = new Link(upstream, client, this.toxicsFor("downstream"), destroy);
      this.upstreamLink.start();
      this.downstreamLink.start();
    });
  }

  addToxic(toxic: ToxicDefinition): void {
    this.link(toxic.stream)?.addToxic(toxic);
  }

  updateToxic(toxic: ToxicDefinition, reroll: boolean): void {
    this.link(toxic.stream)?.updateToxic(toxic, reroll);
  }

  removeToxic(toxic: ToxicDefinition): void {
    this.link(toxic.stream)?.removeToxic(toxic);
  }

  /** Closes both sides now, dropping anything held. */
  destroy(): void {
    this.client.destroy();
    this.upstream?.destroy();
    this.finish();
  }

  private link(stream: StreamDirection): Link | undefined {
    return stream === "upstream" ? this.upstreamLink : this.downstreamLink;
  }

  private socketClosed(hadError: boolean): void {
    this.closedSockets++;
    // A clean close of one side only means its two halves are done; data for the other side may
    // still be held by a toxic, so wait for both. An error tears everything down.
    if (hadError || this.closedSockets >= 2) this.destroy();
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.upstreamLink?.destroy();
    this.downstreamLink?.destroy();
    this.onFinished(this);
  }
}
