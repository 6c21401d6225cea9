// The database engines a drill can name in `database.engine`. Apart from the registry so the drill
// format can list them without loading an engine (an engine reads the drill: that would be a circle).
export const ENGINE_NAMES = ["postgres"] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];
