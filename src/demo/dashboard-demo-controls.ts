// The fault controls `switchyard demo` adds to the dashboard: one row per region and provider of the
// simulated fleet with hang / refuse / 429 / slow / heal buttons (POST demo/fault) and the fault it
// shows now (GET demo/faults, polled). Plain strings, as in dashboard-page.ts, so CSP hashes are stable.
import type { PageExtra } from '../../routes/dashboard-page.js';

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

const SCRIPT = `
(function () {
  'use strict';
  var panel = document.getElementById('demo-controls');
  var body = document.getElementById('demo-targets');
  var note = document.getElementById('demo-note');
  var LABELS = { hang: 'hang', refuse: 'refuse', '429': '429', slow: 'slow', heal: 'heal' };

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function render(doc) {
    var frag = document.createDocumentFragment();
    doc.targets.forEach(function (t) {
      var tr = el('tr');
      tr.setAttribute('data-target', t.key);
      var name = el('td', null, t.key);
      name.title = t.upstreams.join(', ');
      var now = el('span', 'now' + (t.fault === 'none' ? '' : ' faulty'), t.fault === 'none' ? 'healthy' : t.fault);
      now.setAttribute('data-fault', t.fault);
      var buttons = el('td');
      doc.faults.forEach(function (f) {
        var b = el('button', f === 'heal' ? 'heal' : null, LABELS[f] || f);
        b.type = 'button';
        b.setAttribute('data-fault', f);
        b.addEventListener('click', function () { act(t.key, f); });
        buttons.appendChild(b);
        buttons.appendChild(document.createTextNode(' '));
      });
      var nowCell = el('td');
      nowCell.appendChild(now);
      tr.appendChild(name);
      tr.appendChild(nowCell);
      tr.appendChild(buttons);
      frag.appendChild(tr);
    });
    body.replaceChildren(frag);
  }

  function load() {
    return fetch('demo/faults', { cache: 'no-store' })
      .then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); })
      .then(render)
      .catch(function (e) { note.textContent = 'fault controls unreachable: ' + e.message; });
  }

  function act(target, fault) {
    note.textContent = fault + ' ' + target + '…';
    fetch('demo/fault', { method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ target: target, fault: fault }) })
      .then(function (r) { return r.json(); })
      .then(function (answer) {
        note.textContent = answer.error ? answer.error : fault + ': ' + answer.upstreams.join(', ');
        return load();
      })
      .catch(function (e) { note.textContent = 'failed: ' + e.message; });
  }

  panel.hidden = false;
  load();
  setInterval(load, 2000);
})();
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

export const DEMO_CONTROLS: PageExtra = { html: HTML, script: SCRIPT, style: STYLE };
