// One proxied TCP connection: the client socket, the upstream socket and two links, one per
// direction, each running its direction's toxic chain. Toxics added, updated or removed through the
// API take effect on live connections too, as in Toxiproxy.
//
// Closing follows Toxiproxy (link.go): when a link's source closes, its chain is flushed and then its
// destination socket is closed completely, not half-closed. Closing that socket ends the other link,
// which flushes and closes the first socket in turn. So a client that half-closes gets no reply, and
// a toxic that closes its stream (timeout, limit_data) closes the whole connection.
import net from "node:net";
import type { Socket } from "node:net";
import {
  type Chunk,
  monotonicMs,
  type StageOutput,
  type ToxicAttributes,
  type ToxicKind,
  type ToxicStage,
} from "./toxics/kind.ts";
import { PassThroughStage } from "./toxics/stage.ts";

export type StreamDirection = "upstream" | "downstream";

/** A toxic as configured on a proxy; links read it when they create their stage. */
export interface ToxicDefinition {
  readonly name: string;
  readonly type: string;
  /** The stream as the client wrote it (Toxiproxy echoes it back unchanged, e.g. "UpStream"). */
  readonly stream: string;
  readonly direction: StreamDirection;
  readonly kind: ToxicKind;
  toxicity: number;
  attributes: ToxicAttributes;
}

/**
 * Bytes a link may hold between reading and writing (inside toxics or not yet accepted by the
 * destination) before it stops reading its source. Toxiproxy's latency toxic buffers up to 1024
 * chunks of 32 KiB; 32 MiB keeps >= 100 MB/s flowing through a 100 ms latency toxic.
 */
const LINK_HIGH_WATER_BYTES = 32 * 1024 * 1024;

interface ChainEntry {
  readonly toxic: ToxicDefinition;
  stage: ToxicStage;
  /** Whether the toxicity roll made the toxic act on this link. */
  active: boolean;
  readonly state: Record<string, unknown>;
}

export interface LinkHooks {
  /** The chain has ended: deliver what was written to the sink, then close it completely. */
  closeSink(): void;
  /** Reset both sockets (reset_peer). */
  resetConnection(): void;
}

/** One direction of a connection: source socket -> toxic stages -> sink socket, with backpressure. */
export class Link {
  private entries: ChainEntry[] = [];
  private held = 0;
  private paused = false;
  private inputEnded = false;
  private outputEnded = false;
  private destroyed = false;
  private readonly onData = (data: Buffer): void => {
    this.held += data.length;
    this.forward(undefined, { data, time: monotonicMs() });
    this.updateFlow();
  };

  constructor(
    private readonly source: Socket,
    private readonly sink: Socket,
    toxics: readonly ToxicDefinition[],
    private readonly hooks: LinkHooks,
  ) {
    for (const toxic of toxics) this.entries.push(this.createEntry(toxic));
  }

  start(): void {
    this.source.on("data", this.onData);
    this.source.on("end", () => this.endInput());
    this.sink.on("drain", () => this.updateFlow());
    this.source.resume();
  }

  /** Nothing more will be read from the source (it closed, failed, or we closed it). */
  endInput(): void {
    if (this.inputEnded || this.destroyed) return;
    this.inputEnded = true;
    this.source.off("data", this.onData);
    this.forwardEnd(undefined);
  }

  addToxic(toxic: ToxicDefinition): void {
    if (this.destroyed || this.outputEnded) return;
    this.entries.push(this.createEntry(toxic));
  }

  /** As Toxiproxy, an update restarts the toxic on each link, rolling its toxicity again. */
  updateToxic(toxic: ToxicDefinition): void {
    const entry = this.entries.find((e) => e.toxic === toxic);
    if (entry === undefined) return;
    const active = Math.random() < toxic.toxicity;
    if (active === entry.active) {
      entry.stage.update(toxic.attributes);
      return;
    }
    // The roll changed: the old stage hands on what it holds, in place, before the new one starts.
    const old = entry.stage;
    old.drain();
    old.destroy();
    entry.stage = this.createStage(entry, active);
  }

  removeToxic(toxic: ToxicDefinition): void {
    const entry = this.entries.find((e) => e.toxic === toxic);
    if (entry === undefined) return;
    // Drain first, while the entry still routes to its successor, so held data keeps its place.
    entry.stage.drain();
    if (toxic.kind.closesOnRemove) this.forwardEnd(entry);
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
    const entry: ChainEntry = {
      toxic,
      stage: undefined as unknown as ToxicStage,
      active: false,
      state: {},
    };
    entry.stage = this.createStage(entry, Math.random() < toxic.toxicity);
    return entry;
  }

  private createStage(entry: ChainEntry, active: boolean): ToxicStage {
    entry.active = active;
    const output: StageOutput = {
      push: (chunk) => this.forward(entry, chunk),
      drop: (bytes) => this.release(bytes),
      end: () => this.forwardEnd(entry),
    };
    const context = {
      output,
      now: monotonicMs,
      state: entry.state,
      resetConnection: () => this.hooks.resetConnection(),
    };
    // Toxicity is the probability that a toxic acts on a given link (Toxiproxy rolls per link).
    if (!active) return new PassThroughStage(context);
    return entry.toxic.kind.createStage(entry.toxic.attributes, context);
  }

  /** Hands a chunk from `from` (undefined = the source) to the next stage, or to the sink. */
  private forward(from: ChainEntry | undefined, chunk: Chunk): void {
    if (this.destroyed) return;
    const index = from === undefined ? -1 : this.entries.indexOf(from);
    if (from !== undefined && index < 0) {
      this.release(chunk.data.length);
      return;
    }
    const next = this.entries[index + 1];
    if (next !== undefined) {
      next.stage.write(chunk);
      return;
    }
    this.held -= chunk.data.length;
    if (this.outputEnded || this.sink.destroyed) {
      this.updateFlow();
      return;
    }
    if (!this.sink.write(chunk.data) || this.paused) this.updateFlow();
  }

  private forwardEnd(from: ChainEntry | undefined): void {
    if (this.destroyed || this.outputEnded) return;
    const index = from === undefined ? -1 : this.entries.indexOf(from);
    if (from !== undefined && index < 0) return;
    const next = this.entries[index + 1];
    if (next !== undefined) {
      next.stage.end();
      return;
    }
    this.outputEnded = true;
    this.hooks.closeSink();
  }

  private release(bytes: number): void {
    this.held -= bytes;
    if (this.paused) this.updateFlow();
  }

  private updateFlow(): void {
    if (this.destroyed || this.inputEnded) return;
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

/** How long a socket we closed may take to hand its last bytes to a peer that does not read. */
const CLOSE_GRACE_MS = 30_000;

export interface UpstreamAddress {
  host: string;
  port: number;
}

/** A client connection accepted by a proxy, joined to a fresh connection to the upstream. */
export class ProxyConnection {
  private upstream: Socket | undefined;
  private upstreamLink: Link | undefined;
  private downstreamLink: Link | undefined;
  private finished = false;
  private readonly closeTimers: NodeJS.Timeout[] = [];

  constructor(
    private readonly client: Socket,
    private readonly toxicsFor: (direction: StreamDirection) => readonly ToxicDefinition[],
    private readonly onFinished: (connection: ProxyConnection) => void,
  ) {}

  /** The client socket must have been accepted paused (pauseOnConnect) so nothing is read early. */
  start(target: UpstreamAddress): void {
    const { client } = this;
    client.setNoDelay(true);
    // An error is followed by "close", where it is handled.
    client.on("error", () => {});
    client.on("close", () => this.socketClosed(client));
    const upstream = net.connect({
      host: target.host,
      port: target.port,
      allowHalfOpen: true,
      noDelay: true,
    });
    this.upstream = upstream;
    upstream.on("error", () => {});
    upstream.on("close", () => this.socketClosed(upstream));
    upstream.once("connect", () => {
      if (this.finished) return;
      const hooks = (sink: Socket): LinkHooks => ({
        closeSink: () => this.closeSocket(sink),
        resetConnection: () => this.reset(),
      });
      this.upstreamLink = new Link(client, upstream, this.toxicsFor("upstream"), hooks(upstream));
      this.downstreamLink = new Link(upstream, client, this.toxicsFor("downstream"), hooks(client));
      this.upstreamLink.start();
      this.downstreamLink.start();
    });
  }

  addToxic(toxic: ToxicDefinition): void {
    this.link(toxic.direction)?.addToxic(toxic);
  }

  updateToxic(toxic: ToxicDefinition): void {
    this.link(toxic.direction)?.updateToxic(toxic);
  }

  removeToxic(toxic: ToxicDefinition): void {
    this.link(toxic.direction)?.removeToxic(toxic);
  }

  /** Closes both sides now, dropping anything held (proxy disabled, deleted or server closing). */
  destroy(): void {
    this.client.destroy();
    this.upstream?.destroy();
    this.finish();
  }

  private link(direction: StreamDirection): Link | undefined {
    return direction === "upstream" ? this.upstreamLink : this.downstreamLink;
  }

  private linkReading(socket: Socket): Link | undefined {
    return socket === this.client ? this.upstreamLink : this.downstreamLink;
  }

  /** Toxiproxy's conn.Close(): what was written still goes out, then FIN; nothing more is read. */
  private closeSocket(socket: Socket): void {
    this.linkReading(socket)?.endInput();
    if (socket.destroyed) return;
    socket.destroySoon();
    // Go's Close leaves unsent bytes to the kernel; here they wait in the socket, so bound the wait.
    this.closeTimers.push(setTimeout(() => socket.destroy(), CLOSE_GRACE_MS));
  }

  private reset(): void {
    for (const socket of [this.client, this.upstream]) {
      if (socket !== undefined && !socket.destroyed) socket.resetAndDestroy();
    }
  }

  private socketClosed(socket: Socket): void {
    if (this.finished) return;
    // Not connected yet (the upstream refused, or the client gave up): close the other side too.
    if (this.upstreamLink === undefined) {
      this.destroy();
      return;
    }
    // However it closed (our close, the peer's reset, an error), nothing more is read from it.
    this.linkReading(socket)?.endInput();
    if (this.client.destroyed && this.upstream?.destroyed === true) this.finish();
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    for (const timer of this.closeTimers) clearTimeout(timer);
    this.upstreamLink?.destroy();
    this.downstreamLink?.destroy();
    this.onFinished(this);
  }
}
