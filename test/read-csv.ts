import { execa } from "execa";

/** The rows of a CSV file as Python's csv module reads it: a parser that is not the one under test. */
export async function readCsvWithPython(file: string): Promise<string[][]> {
  const script = "import csv, json, sys\nwith open(sys.argv[1], newline='') as f: print(json.dumps(list(csv.reader(f))))";
  const { stdout } = await execa("python3", ["-c", script, file]);
  return JSON.parse(stdout) as string[][];
}
