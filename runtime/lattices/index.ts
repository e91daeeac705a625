export { type Lattice, LatticeBase, joined } from "./lattice.js";
export { Max, Min, type Ordered } from "./ord.js";
export { SetUnion } from "./set-union.js";
export { MapUnion } from "./map-union.js";
export { DomPair, lastWriterWins, type LastWriterWins } from "./dom-pair.js";
export { WithBot } from "./with-bot.js";
export { Pair } from "./pair.js";
