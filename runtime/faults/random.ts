/**
 * A seeded random stream for the fault injector: the same seed and stream name give the same
 * draws, so the same schedule drops the same messages. sfc32 (Chris Doty-Humphrey's small fast
 * counter generator) seeded through a string hash: Math.random cannot be seeded.
 */
export function seededRandom(seed: number, stream: string): () => number {
  let a = hash(`${seed}|a|${stream}`);
  let b = hash(`${seed}|b|${stream}`);
  let c = hash(`${seed}|c|${stream}`);
  let d = 1;
  const next = () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  // The first draws of sfc32 still echo the seed: warm it up.
  for (let i = 0; i < 12; i++) next();
  return next;
}

/**
 * The seed of one edge under a fault seeded `seed` (the deployer's, deploy/faults/network.ts):
 * every edge draws its own stream, cluster members' alike-named ports too.
 */
export function edgeSeed(seed: number, edge: string): number {
  return hash(`${seed}|${edge}`);
}

/** FNV-1a, 32 bits. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
