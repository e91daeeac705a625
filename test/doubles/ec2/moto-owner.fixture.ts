// A test process that starts moto and is then killed with SIGKILL by moto.test.ts: moto must die with it.
import { startMoto } from "./moto.js";

const moto = await startMoto();
console.log(`moto pid ${moto.pid}`);
setInterval(() => {}, 2 ** 30);
