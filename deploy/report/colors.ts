import pc from "picocolors";

/** Colour only for a terminal, never with NO_COLOR (https://no-color.org), always with FORCE_COLOR. */
export function colorsFor(stream: NodeJS.WriteStream): ReturnType<typeof pc.createColors> {
  const env = process.env;
  const enabled = env.NO_COLOR ? false : env.FORCE_COLOR ? env.FORCE_COLOR !== "0" : Boolean(stream.isTTY) && env.TERM !== "dumb";
  return pc.createColors(enabled);
}

const palette = ["cyan", "magenta", "yellow", "green", "blue", "red"] as const;

/** The same service always gets the same colour. */
export function serviceColor(colors: ReturnType<typeof pc.createColors>, service: string): (text: string) => string {
  let hash = 0;
  for (const char of service) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return colors[palette[hash % palette.length]!];
}
