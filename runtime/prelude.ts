/**
 * Bundled ahead of every deployed program (ESM evaluates imports in order): stack traces map to
 * the .ts sources, and the control channel is open before user code runs, so a deployer that
 * dies while the program is still starting up is noticed too.
 */
import "./source-maps.js";
import { openControl } from "./control.js";

openControl();
