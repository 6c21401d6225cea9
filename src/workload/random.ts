// A seeded pseudo-random generator, so a drill's client population (who uses which resolver, how old
// each cached answer is) can be repeated exactly from the seed in its report. sfc32: small, fast, and
// good enough for assigning profiles and phases; not for anything secret.

export type Random = () => number;

/** A generator of floats in [0, 1) from a 32-bit seed. */
export function seededRandom(seed: number): Random {
  let a = 0x9e3779b9;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seed >>> 0;
  const next = (): number => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    const t = (a + b + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
  // The first outputs still echo the constants: discard them.
  for (let i = 0; i < 12; i++) next();
  return next;
}

/** A fresh seed when the drill names none: any 32-bit value, reported so the run can be repeated. */
export function newSeed(): number {
  return Math.floor(Math.random() * 4294967296) >>> 0;
}

/** Fisher-Yates with the given generator: the same seed gives the same order. */
export function shuffled<T>(items: readonly T[], random: Random): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
