import fs from "node:fs";
import { execa } from "execa";

/**
 * Renders `svgFile` to `pngFile` with rsvg-convert (Debian's librsvg2-bin): an SVG parser that is
 * not the one that wrote it, and a picture a person can look at. Returns the PNG's size in pixels.
 * Without rsvg-convert this fails, never skips: a plot nobody could render is not a tested plot.
 */
export async function renderSvg(svgFile: string, pngFile: string): Promise<{ width: number; height: number; bytes: number }> {
  const result = await execa("rsvg-convert", ["--format", "png", "--output", pngFile, svgFile], { reject: false });
  if ((result as { code?: string }).code === "ENOENT") throw new Error("rsvg-convert is missing: install Debian's librsvg2-bin (apt-get install librsvg2-bin)");
  if (result.exitCode !== 0) throw new Error(`rsvg-convert could not render ${svgFile} (exit ${result.exitCode}): ${result.stderr}`);
  const png = fs.readFileSync(pngFile);
  // A PNG starts with its 8-byte signature, then the IHDR chunk: width and height, big-endian, at 16 and 20.
  if (!png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) throw new Error(`${pngFile} is not a PNG`);
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20), bytes: png.length };
}
