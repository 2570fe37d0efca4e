/**
 * Names what `hardhat test --coverage` left uncovered, in full (Hardhat's table cuts the list at 80 characters).
 *
 *   npm run coverage                      # runs every test with coverage, then this
 *   tsx scripts/coverage-summary.ts [lcov] # default coverage/lcov.info
 *
 * Prints, per file, line coverage and each uncovered line with its source. Hardhat 3's coverage (EDR) records
 * statements and lines, not branches, so there is no branch figure to print.
 */
import { readFileSync } from "node:fs";

interface FileCoverage {
  path: string;
  lines: Map<number, number>;
}

function parseLcov(text: string): FileCoverage[] {
  const files: FileCoverage[] = [];
  let current: FileCoverage | undefined;
  for (const line of text.split("\n")) {
    if (line.startsWith("SF:")) {
      current = { path: line.slice(3), lines: new Map() };
      files.push(current);
    } else if (line.startsWith("DA:") && current !== undefined) {
      const [lineNo, count] = line.slice(3).split(",").map(Number);
      current.lines.set(lineNo!, count!);
    }
  }
  return files;
}

const lcovPath = process.argv[2] ?? "coverage/lcov.info";
const files = parseLcov(readFileSync(lcovPath, "utf8")).sort((a, b) => a.path.localeCompare(b.path));
let covered = 0;
let total = 0;
for (const file of files) {
  const uncovered = [...file.lines]
    .filter(([, count]) => count === 0)
    .map(([lineNo]) => lineNo)
    .sort((a, b) => a - b);
  const hit = file.lines.size - uncovered.length;
  covered += hit;
  total += file.lines.size;
  const pct = file.lines.size === 0 ? 100 : (100 * hit) / file.lines.size;
  console.log(
    `${file.path}: ${pct.toFixed(2)} % of ${file.lines.size} lines${uncovered.length === 0 ? "" : `, uncovered:`}`,
  );
  if (uncovered.length === 0) continue;
  const source = readFileSync(file.path, "utf8").split("\n");
  for (const lineNo of uncovered) console.log(`  ${String(lineNo).padStart(4)}  ${source[lineNo - 1]?.trim() ?? ""}`);
}
console.log(
  `total: ${total === 0 ? "0.00" : ((100 * covered) / total).toFixed(2)} % of ${total} lines (lines and statements only: Hardhat's coverage has no branch data)`,
);
