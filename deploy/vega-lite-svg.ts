import type { TopLevelSpec } from "vega-lite";

/**
 * A vega-lite spec as SVG: compiled to vega and rendered headless. vega and vega-lite load here,
 * only when something draws (a sweep's plot, an experiment's timeline), not at every start.
 */
export async function vegaLiteSvg(spec: TopLevelSpec): Promise<string> {
  const [{ compile }, { View, parse }] = await Promise.all([import("vega-lite"), import("vega")]);
  const view = new View(parse(compile(spec).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
