// A population mix: one profile name for every client (`resolver: shared`), or shares by profile that
// add up to 100% (`resolver: { shared: 60%, fixed: 30%, none: 10% }`).
import { isMap } from "yaml";
import { UnitError } from "../duration.ts";
import { named, type ValueSpec } from "../schema/spec.ts";

const SHARE_EXAMPLE = 'a share like "60%" or 0.6';

/** "60%" or 0.6 -> 0.6; anything outside 0..100% is refused. */
export function parseShare(value: string | number): number {
  const share =
    typeof value === "number"
      ? value
      : /^\s*[0-9]+(?:\.[0-9]+)?\s*%\s*$/.test(value)
        ? Number.parseFloat(value) / 100
        : Number.NaN;
  if (!Number.isFinite(share)) throw new UnitError(`expected ${SHARE_EXAMPLE}, got ${JSON.stringify(value)}`);
  if (share < 0 || share > 1) throw new UnitError(`must be from 0% to 100%, got ${JSON.stringify(value)}`);
  return share;
}

/** Shares are exact to this much when they are added up (0.1% of a population). */
const SUM_TOLERANCE = 0.001;

export function mix<const P extends string>(
  name: string,
  profiles: readonly P[],
): ValueSpec<Partial<Record<P, number>>> {
  return named(name, {
    read(field, scope) {
      const { reader } = scope;
      if (!isMap(field.node)) {
        const one = reader.oneOf(field, profiles);
        return one === undefined ? undefined : ({ [one]: 1 } as Partial<Record<P, number>>);
      }
      const m = reader.mapping(field, scope.level, profiles);
      if (m === undefined) return undefined;
      const out: Partial<Record<P, number>> = {};
      let complete = true;
      for (const key of m.keys() as P[]) {
        const value = m.require(key, SHARE_EXAMPLE);
        const share = value && reader.measure(value, parseShare, SHARE_EXAMPLE);
        if (share === undefined) complete = false;
        else out[key] = share;
      }
      // An unknown profile was already reported; a sum without it would only add noise.
      if (!complete || m.keys().length !== field.node.items.length) return undefined;
      const total = Object.values<number | undefined>(out).reduce<number>((sum, s) => sum + (s ?? 0), 0);
      if (Math.abs(total - 1) > SUM_TOLERANCE) {
        const shown = `${Math.round(total * 1000) / 10}%`;
        reader.report(field, `the shares must add up to 100%, got ${shown}`);
        return undefined;
      }
      return out;
    },
    schema: () => ({
      description: `One of ${profiles.join(", ")} for every client, or shares by profile adding up to 100%.`,
      anyOf: [
        { enum: [...profiles] },
        {
          type: "object",
          propertyNames: { enum: [...profiles] },
          minProperties: 1,
          additionalProperties: {
            anyOf: [
              { type: "string", pattern: "^\\s*[0-9]+(?:\\.[0-9]+)?\\s*%\\s*$" },
              { type: "number", minimum: 0, maximum: 1 },
            ],
          },
        },
      ],
    }),
    written: (value) => {
      const entries = Object.entries(value);
      if (entries.length === 1 && entries[0]?.[1] === 1) return entries[0][0];
      return Object.fromEntries(entries.map(([k, v]) => [k, `${Math.round((v as number) * 1000) / 10}%`]));
    },
  });
}
