// What every link fault shares: which links (region, kinds), which way, how often; one Toxiproxy toxic
// per selected link and stream, removed again by the heal. The latency fault and the other toxics
// (bandwidth, blackhole, ...) are each a kind of their own built on this.
import { withDefault, optional, type Fields, type Shape } from "../drill/schema/fields.ts";
import { list } from "../drill/schema/list.ts";
import { fraction, oneOf } from "../drill/schema/scalars.ts";
import { regionRef } from "../drill/format/common.ts";
import type { ProxyControl, ToxicSpec } from "../toxiproxy/client.ts";
import type { LinkInfo } from "../topology/topology.ts";
import {
  defineFaultKind,
  type FaultBase,
  type FaultKind,
  type FaultTiming,
  type FaultWording,
  type Heal,
} from "./kind.ts";
import { LINK_KINDS, type LinkKind } from "./vocabulary.ts";

export { LINK_KINDS, type LinkKind } from "./vocabulary.ts";

/**
 * Which way the toxic acts on a link. upstream = from the connecting side to the listening side
 * (client -> app, app -> db, standby -> primary); downstream = the replies (db -> app, primary's WAL
 * stream -> standby); both = each direction gets its own toxic.
 */
export const LINK_DIRECTIONS = ["upstream", "downstream", "both"] as const;
export type LinkDirection = (typeof LINK_DIRECTIONS)[number];

/** Which links a fault applies to. Omitted fields match everything. */
export interface LinkSelector {
  /** Links that start or end in this region. */
  region?: string;
  /** Link kinds; all kinds when omitted. */
  links?: LinkKind[];
}

/** The normalised fields every link fault has. */
export interface LinkFields {
  target: LinkSelector;
  direction: LinkDirection;
  /** Probability (0..1) per connection and direction. */
  toxicity: number;
}

export const LINK_FIELDS = {
  region: optional(regionRef, { description: "Only links that start or end in this region; omitted = all." }),
  links: optional(
    list(oneOf(LINK_KINDS), {
      empty: `expected at least one link kind of: ${LINK_KINDS.join(", ")} (omit links for all)`,
      check: ({ items, complete }) => (complete ? [...new Set(items as LinkKind[])] : undefined),
      schema: { uniqueItems: true },
    }),
    { description: "Link kinds; omitted = all." },
  ),
  direction: withDefault(oneOf(LINK_DIRECTIONS), "both", {
    description:
      "upstream = from the connecting side (clients -> app, app -> db, standby -> primary); downstream = " +
      "the replies, including the WAL stream; both = one toxic each way.",
  }),
  toxicity: withDefault(fraction(), 1, {
    description: "Probability that the toxic applies to a given connection (per direction).",
  }),
};
type LinkFieldSpecs = typeof LINK_FIELDS;

function linkFieldsOf({ region, links, direction, toxicity }: Shape<LinkFieldSpecs>): LinkFields {
  const target: LinkSelector = {
    ...(region === undefined ? {} : { region }),
    ...(links === undefined ? {} : { links }),
  };
  return { target, direction, toxicity };
}

/** "us-east client+app-db links, upstream only, toxicity 0.5" (direction and toxicity only when not the default). */
export function describeLinks(f: LinkFields): string {
  const where = `${f.target.region ?? "all regions"} ${(f.target.links ?? LINK_KINDS).join("+")} links`;
  const direction = f.direction === "both" ? "" : `, ${f.direction} only`;
  const toxicity = f.toxicity === 1 ? "" : `, toxicity ${f.toxicity}`;
  return `${where}${direction}${toxicity}`;
}

/** The links a link fault applies to: those touching the region (all when absent) of the selected kinds. */
export function linkTargets(links: LinkInfo[], target: LinkSelector): LinkInfo[] {
  return links.filter(
    (l) =>
      (target.region === undefined || l.from === target.region || l.to === target.region) &&
      (target.links === undefined || (target.links as readonly string[]).includes(l.kind)),
  );
}

/** Toxiproxy streams for a direction: both = one toxic per stream. */
export function streamsOf(direction: LinkDirection): ToxicSpec["stream"][] {
  return direction === "both" ? ["upstream", "downstream"] : [direction];
}

/**
 * Puts every toxic on every link and returns the heal that removes exactly those. If adding one fails,
 * the ones already added are removed before the error is rethrown: a fault that did not start leaves
 * nothing behind.
 */
async function applyToxics(proxies: ProxyControl, links: LinkInfo[], toxics: ToxicSpec[]): Promise<Heal> {
  const added: Array<{ proxy: string; toxic: string }> = [];
  const heal = async (): Promise<void> => {
    const results = await Promise.allSettled(added.map((a) => proxies.removeToxic(a.proxy, a.toxic)));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed.length > 0) throw failed[0]?.reason as Error;
  };
  // Proxies in parallel (ProxyControl serialises calls per proxy), so all links turn bad together;
  // settled, not Promise.all, so nothing is still being added when a failed start cleans up.
  const results = await Promise.allSettled(
    links.map(async (l) => {
      for (const spec of toxics) {
        await proxies.addToxic(l.proxy, spec);
        added.push({ proxy: l.proxy, toxic: spec.toxic });
      }
    }),
  );
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed !== undefined) {
    await heal().catch(() => undefined);
    throw failed.reason as Error;
  }
  return heal;
}

export interface LinkFaultSpec<
  Type extends string,
  F extends Fields,
  Out extends FaultBase<Type> & LinkFields,
> {
  type: Type;
  /** Toxiproxy's name for the toxic. */
  toxiproxyType: string;
  description: string;
  /** Its own fields, after the link fields. */
  fields: F;
  check?: FaultKind<Type, F & LinkFieldSpecs, Out>["check"];
  build(own: Shape<F>, link: LinkFields, timing: FaultTiming): Out;
  /** The toxic's attributes, under Toxiproxy's names and in its units. */
  attributes(fault: Out): Record<string, number>;
  /** What the toxic does, before " on <links>": "latency 80ms±5ms". */
  what(fault: Out, wording: FaultWording): string;
}

/** A fault kind that puts one Toxiproxy toxic per stream on every selected link. */
export function linkFaultKind<
  Type extends string,
  F extends Fields,
  Out extends FaultBase<Type> & LinkFields,
>(spec: LinkFaultSpec<Type, F, Out>): FaultKind<Type, LinkFieldSpecs & F, Out> {
  return defineFaultKind({
    type: spec.type,
    description: spec.description,
    fields: { ...LINK_FIELDS, ...spec.fields },
    ...(spec.check === undefined ? {} : { check: spec.check }),
    build: (shape, timing) =>
      spec.build(shape as Shape<F>, linkFieldsOf(shape as Shape<LinkFieldSpecs>), timing),
    describe: (fault, wording) => `${spec.what(fault, wording)} on ${describeLinks(fault)}`,
    apply(fault, { topology, index }) {
      // Names are unique per fault and stream, so the heal removes exactly these.
      const toxics = streamsOf(fault.direction).map((stream) => ({
        toxic: `fault-${index}-${fault.type}-${stream}`,
        type: spec.toxiproxyType,
        stream,
        toxicity: fault.toxicity,
        attributes: spec.attributes(fault),
      }));
      return applyToxics(topology.proxies, linkTargets(topology.layout.links, fault.target), toxics);
    },
  });
}

/** A link fault other than latency: Toxiproxy's attributes are its normalised form. */
export type ToxicFault<Type extends string = string> = FaultBase<Type> &
  LinkFields & {
    /** Toxiproxy's attribute names and units for the toxic. */
    attributes: Record<string, number>;
  };

export interface ToxicFaultSpec<Type extends string, F extends Fields> {
  type: Type;
  toxiproxyType: string;
  description: string;
  fields: F;
  check?: FaultKind<Type, F & LinkFieldSpecs, ToxicFault<Type>>["check"];
  /** The toxic's attributes from the fault's own fields. */
  attributes(own: Shape<F>): Record<string, number>;
  /** What the toxic does, before " on <links>", from its attributes. */
  what(attributes: Record<string, number>, wording: FaultWording): string;
}

/** A fault kind that is one Toxiproxy toxic with its attributes (bandwidth, blackhole, ...). */
export function toxicFaultKind<Type extends string, F extends Fields>(
  spec: ToxicFaultSpec<Type, F>,
): FaultKind<Type, LinkFieldSpecs & F, ToxicFault<Type>> {
  return linkFaultKind<Type, F, ToxicFault<Type>>({
    type: spec.type,
    toxiproxyType: spec.toxiproxyType,
    description: spec.description,
    fields: spec.fields,
    ...(spec.check === undefined ? {} : { check: spec.check }),
    build: (own, link, timing) => ({ type: spec.type, ...timing, ...link, attributes: spec.attributes(own) }),
    attributes: (fault) => fault.attributes,
    what: (fault, wording) => spec.what(fault.attributes, wording),
  });
}
