// The fault controls `switchyard demo` adds to the dashboard: one row per region and provider of the
// simulated fleet with hang / refuse / 429 / slow / heal buttons (POST demo/fault) and the fault it
// shows now (GET demo/faults, polled); its script is dashboard-demo-script.ts. The style is a plain
// string, as in dashboard-page.ts, so the page is byte-for-byte what its CSP hash says.

import { inlineScript } from '../../routes/dashboard/inline-script.js';
import type { PageExtra } from '../../routes/dashboard-page.js';
import { demoControlsScript } from './dashboard-demo-script.js';

const STYLE = `
#demo-controls { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px;
  margin: 14px 20px 0; }
#demo-controls h2 { margin: 0 0 4px; font-size: 16px; }
#demo-controls table { border-collapse: collapse; font-size: 13px; margin-top: 6px; }
#demo-controls td { padding: 3px 8px 3px 0; }
#demo-controls button { font: inherit; font-size: 12px; padding: 2px 10px; border-radius: 4px; cursor: pointer;
  border: 1px solid #9ca3af; background: #f9fafb; }
#demo-controls button.heal { border-color: var(--ok); color: var(--ok); }
#demo-controls .now { font-weight: 600; min-width: 70px; display: inline-block; }
#demo-controls .now.faulty { color: var(--bad); }
`;

const HTML = [
  '<section id="demo-controls" hidden>',
  '<h2>Demo fault controls</h2>',
  '<div class="muted">Break a region or a provider of the simulated fleet, watch its domain open and the',
  ' traffic move, then heal it and watch it come back.</div>',
  '<table><tbody id="demo-targets"></tbody></table>',
  '<div id="demo-note" class="muted"></div>',
  '</section>',
].join('');

export const DEMO_CONTROLS: PageExtra = {
  html: HTML,
  script: inlineScript(demoControlsScript),
  style: STYLE,
};
