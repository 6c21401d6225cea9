// The measurement and summary types live in src/summary/types.ts; re-exported here for the modules
// that have always imported them from the checkers.
export type * from "../summary/types.ts";
