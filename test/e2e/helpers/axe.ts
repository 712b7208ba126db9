/**
 * axe-core (WCAG 2 A and AA rules) run inside the page as served. The source is evaluated through the
 * DevTools protocol (page.evaluate), which the app's strict CSP does not govern, so the page keeps its own
 * CSP while it is checked (a <script> tag would be refused as inline script, rightly).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { VIEWPORTS } from './browser.js';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

interface AxeNode {
  target: string[];
  html: string;
  failureSummary?: string;
}
interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: AxeNode[];
}

/** The violations on the page as it is now, one readable block each ("" when there are none). */
export async function axeViolations(page: Page, label: string): Promise<string[]> {
  const loaded = await page.evaluate(() => typeof (window as any).axe === 'object');
  if (!loaded) await page.evaluate(AXE_SOURCE);
  const violations: AxeViolation[] = await page.evaluate(
    async (tags) =>
      (await (window as any).axe.run(document, { runOnly: { type: 'tag', values: tags } })).violations,
    WCAG_TAGS,
  );
  return violations.map(
    (v) =>
      `${label}: ${v.id} (${v.impact}) ${v.help}\n${v.nodes
        .slice(0, 5)
        .map(
          (n) =>
            `    ${n.target.join(' ')}  ${n.html.slice(0, 160)}\n      ${(n.failureSummary ?? '').replace(/\n/g, '\n      ')}`,
        )
        .join('\n')}${v.nodes.length > 5 ? `\n    … and ${v.nodes.length - 5} more` : ''}`,
  );
}

/** Runs axe at the laptop and the phone width; leaves the page at the laptop width. */
export async function axeAtBothWidths(page: Page, label: string): Promise<string[]> {
  const found: string[] = [];
  for (const [name, size] of [
    ['1280', VIEWPORTS.laptop],
    ['390', VIEWPORTS.phone],
  ] as const) {
    await page.setViewportSize(size);
    found.push(...(await axeViolations(page, `${label} @${name}px`)));
  }
  await page.setViewportSize(VIEWPORTS.laptop);
  return found;
}
