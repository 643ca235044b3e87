// a11y.mjs -- axe-core (npm, evaluated in the page through playwright, so
// the page's own Content-Security-Policy stays in force) on a page as it
// is shown: its serious and critical violations, as text. Without the
// package (an old node_modules) it answers null and the caller skips.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

let source;
try {
  source = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
} catch {
  source = null;
}
export const axeAvailable = () => source !== null;

export async function axeViolations(page) {
  if (!source) return null;
  if (!(await page.evaluate(() => typeof window.axe === "object"))) await page.evaluate(source);
  const res = await page.evaluate(() => window.axe.run(document, {
    resultTypes: ["violations"],
    runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
  }));
  return res.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
}
