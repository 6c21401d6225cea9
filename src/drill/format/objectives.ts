// Objectives: `metric: "<operator> <limit>"`, one per metric, the limit in the metric's unit.
import { findMetric, METRIC_NAMES, METRICS, type MetricUnit } from "../../objectives/metrics.ts";
import { OBJECTIVE_EXAMPLES, ObjectiveError, parseObjective, type Objective } from "../objective.ts";
import { closest } from "../suggest.ts";
import type { JsonSchema, ValueSpec } from "../schema/spec.ts";
import { DURATION_PATTERN, RATE_PATTERN } from "./units.ts";

const OPERATOR = "(?:<=|>=|==|!=|<|>)";
/** What a limit looks like per unit (the JSON Schema mirrors parseObjective; the schema test checks it). */
const LIMIT_PATTERNS: Readonly<Record<MetricUnit, { def: string; pattern: string }>> = {
  ms: { def: "msObjective", pattern: `^\\s*${OPERATOR}\\s*(?:${DURATION_PATTERN})\\s*$` },
  count: { def: "countObjective", pattern: `^\\s*${OPERATOR}\\s*[0-9]+\\s*$` },
  boolean: { def: "booleanObjective", pattern: "^\\s*(?:==|!=)\\s*(?:true|false)\\s*$" },
  "per-second": { def: "perSecondObjective", pattern: `^\\s*${OPERATOR}\\s*${RATE_PATTERN}\\s*$` },
};

export const OBJECTIVES: ValueSpec<Objective[]> = {
  read(field, scope) {
    const r = scope.reader;
    const m = r.mapping(field, scope.level, undefined);
    if (m === undefined) return undefined;
    const objectives: Objective[] = [];
    let complete = true;
    for (const metric of m.keys()) {
      const definition = findMetric(metric);
      const keyField = m.keyField(metric);
      if (definition === undefined && keyField) {
        const guess = closest(metric, METRIC_NAMES);
        const hint = guess === undefined ? "" : `did you mean "${guess}"? `;
        r.report(keyField, `unknown metric "${metric}"; ${hint}expected one of: ${METRIC_NAMES.join(", ")}`);
        complete = false;
        continue;
      }
      const value = m.require(metric, `an objective like "${OBJECTIVE_EXAMPLES[definition?.unit ?? "ms"]}"`);
      const text = value && r.string(value);
      if (value === undefined || text === undefined) {
        complete = false;
        continue;
      }
      try {
        objectives.push(parseObjective(metric, text));
      } catch (err) {
        if (!(err instanceof ObjectiveError)) throw err;
        r.report(value, err.message);
        complete = false;
      }
    }
    return complete ? objectives : undefined;
  },
  schema(builder) {
    const properties: Record<string, JsonSchema> = {};
    for (const metric of METRICS) {
      const { def, pattern } = LIMIT_PATTERNS[metric.unit];
      const examples = [OBJECTIVE_EXAMPLES[metric.unit]];
      properties[metric.name] = builder.ref(def, () => ({ type: "string", pattern, examples }));
    }
    return { type: "object", additionalProperties: false, properties };
  },
  written: (objectives) => Object.fromEntries(objectives.map((o) => [o.metric, o.source])),
};
