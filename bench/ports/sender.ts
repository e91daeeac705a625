import { connect, sink, json, type Codec } from "hydro-deploy/runtime";
import { msgpack } from "hydro-deploy/runtime/msgpack";
import { flags, message, text } from "./messages.js";

// Sends --count messages of --bytes, --batch at a time, waiting for each batch to reach the kernel.
const { count, bytes, batch, codec } = flags();
const { out } = await connect({ out: sink(text, { codec: codec === "msgpack" ? msgpack : (json as Codec) }) });
const payload = message(Number(bytes));
for (let sent = 0; sent < Number(count);) {
  const end = Math.min(Number(count), sent + Number(batch));
  for (; sent < end; sent++) out.send(payload);
  await out.flush();
}
