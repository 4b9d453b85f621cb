// The script of the demo's fault-control block (dashboard-demo-controls.ts embeds it with
// routes/dashboard/inline-script.ts): renders GET demo/faults, polled every 2 s, and POSTs demo/fault on a
// button. It runs in the browser from its own text, so it may use only browser globals, never an import.
import type {
  BrowserDocument,
  BrowserFetch,
  BrowserResponse,
  Elem,
} from '../../routes/dashboard/browser-dom.js';

declare const document: BrowserDocument;
declare const fetch: BrowserFetch;

/** GET demo/faults, as the block reads it. */
interface FaultsView {
  faults: string[];
  targets: { key: string; upstreams: string[]; fault: string }[];
}

/** POST demo/fault's answer. */
interface FaultAnswer {
  error?: string;
  upstreams: string[];
}

export function demoControlsScript(): void {
  const panel = document.getElementById('demo-controls')!;
  const body = document.getElementById('demo-targets')!;
  const note = document.getElementById('demo-note')!;
  const LABELS: Record<string, string> = {
    hang: 'hang',
    refuse: 'refuse',
    '429': '429',
    slow: 'slow',
    heal: 'heal',
  };

  function el(tag: string, cls?: string | null, text?: string | number | null): Elem {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function render(doc: FaultsView): void {
    const frag = document.createDocumentFragment();
    doc.targets.forEach((t) => {
      const tr = el('tr');
      tr.setAttribute('data-target', t.key);
      const name = el('td', null, t.key);
      name.title = t.upstreams.join(', ');
      const now = el(
        'span',
        `now${t.fault === 'none' ? '' : ' faulty'}`,
        t.fault === 'none' ? 'healthy' : t.fault,
      );
      now.setAttribute('data-fault', t.fault);
      const buttons = el('td');
      doc.faults.forEach((f) => {
        const b = document.createElement('button');
        if (f === 'heal') b.className = 'heal';
        b.textContent = LABELS[f] || f;
        b.type = 'button';
        b.setAttribute('data-fault', f);
        b.addEventListener('click', () => {
          act(t.key, f);
        });
        buttons.appendChild(b);
        buttons.appendChild(document.createTextNode(' '));
      });
      const nowCell = el('td');
      nowCell.appendChild(now);
      tr.appendChild(name);
      tr.appendChild(nowCell);
      tr.appendChild(buttons);
      frag.appendChild(tr);
    });
    body.replaceChildren(frag);
  }

  function load(): Promise<void> {
    return fetch('demo/faults', { cache: 'no-store' })
      .then((r: BrowserResponse) => {
        if (!r.ok) throw new Error(`HTTP ${r.status}`);
        return r.json();
      })
      .then(render)
      .catch((e: Error) => {
        note.textContent = `fault controls unreachable: ${e.message}`;
      });
  }

  function act(target: string, fault: string): void {
    note.textContent = `${fault} ${target}…`;
    fetch('demo/fault', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ target: target, fault: fault }),
    })
      .then((r: BrowserResponse) => r.json())
      .then((answer: FaultAnswer) => {
        note.textContent = answer.error ? answer.error : `${fault}: ${answer.upstreams.join(', ')}`;
        return load();
      })
      .catch((e: Error) => {
        note.textContent = `failed: ${e.message}`;
      });
  }

  panel.hidden = false;
  load();
  setInterval(load, 2000);
}
