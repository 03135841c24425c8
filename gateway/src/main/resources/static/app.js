// Trawl dashboard: one WebSocket subscribed to every job ("*"), reconnecting with backoff. A reconnect resubscribes
// and gets a fresh snapshot of all jobs; per job only a higher version replaces what is shown.
(function () {
  'use strict';
  const jobs = new Map();          // id -> latest snapshot shown
  const tbody = document.getElementById('jobs');
  const connection = document.getElementById('connection');
  let backoffMs = 500;

  function connect() {
    const scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
    const ws = new WebSocket(scheme + location.host + '/ws');
    ws.onopen = () => {
      backoffMs = 500;
      setConnection(true);
      ws.send(JSON.stringify({ op: 'subscribe', job_id: '*' }));
    };
    ws.onmessage = (event) => {
      const message = JSON.parse(event.data);
      if (message.type === 'snapshot' && Array.isArray(message.jobs)) {
        message.jobs.forEach(upsert);
      } else if (message.type === 'parent_job_progress' || (message.type === 'snapshot' && message.found)) {
        upsert(message);
      } else if (message.type === 'error') {
        console.warn('gateway:', message.message);
      }
      render();
    };
    ws.onclose = () => {
      setConnection(false);
      setTimeout(connect, backoffMs);
      backoffMs = Math.min(backoffMs * 2, 10000);
    };
    ws.onerror = () => ws.close();
  }

  function upsert(snapshot) {
    const held = jobs.get(snapshot.id);
    if (!held || snapshot.version > held.version) {
      jobs.set(snapshot.id, snapshot);
    }
  }

  function render() {
    const rows = [...jobs.values()].sort((a, b) => (b.created_at || '').localeCompare(a.created_at || '')
        || b.id.localeCompare(a.id));
    if (rows.length === 0) {
      return;
    }
    tbody.replaceChildren(...rows.map(row));
  }

  function row(job) {
    const tr = document.createElement('tr');
    const terminal = !['pending', 'running'].includes(job.status);
    const percent = Math.round((job.progress || 0) * 100);
    tr.append(
      cell(job.name || job.id, job.id),
      cell(badge(job.status, job.warning)),
      cell(progress(percent, job.progress_text)),
      cell(String(job.document_count)),
      cell(terminal ? '' : eta(job.eta_seconds)),
      cell(terminal ? '' : cancelButton(job.id)));
    return tr;
  }

  function cell(content, title) {
    const td = document.createElement('td');
    if (typeof content === 'string') td.textContent = content; else td.append(content);
    if (title) td.title = title;
    return td;
  }

  function badge(status, warning) {
    const span = document.createElement('span');
    span.className = 'badge ' + status + (warning ? ' warning' : '');
    span.textContent = status.replaceAll('_', ' ');
    if (warning) span.title = warning;
    return span;
  }

  function progress(percent, text) {
    const wrap = document.createElement('div');
    const bar = document.createElement('div');
    bar.className = 'bar';
    const fill = document.createElement('div');
    fill.style.width = percent + '%';
    bar.append(fill);
    const label = document.createElement('div');
    label.className = 'text';
    label.textContent = percent + '% · ' + text;
    wrap.append(bar, label);
    return wrap;
  }

  function eta(seconds) {
    if (seconds === null || seconds === undefined) return '–';
    if (seconds < 60) return seconds + ' s';
    if (seconds < 3600) return Math.round(seconds / 60) + ' min';
    return (seconds / 3600).toFixed(1) + ' h';
  }

  function cancelButton(id) {
    const button = document.createElement('button');
    button.className = 'cancel';
    button.textContent = 'Cancel';
    button.onclick = () => {
      button.disabled = true;
      fetch('/api/jobs/' + encodeURIComponent(id) + '/cancel', { method: 'POST' })
        .then(response => { if (!response.ok) button.disabled = false; });
    };
    return button;
  }

  function setConnection(online) {
    connection.className = 'badge ' + (online ? 'online' : 'offline');
    connection.textContent = online ? 'live' : 'reconnecting…';
  }

  document.getElementById('submit').addEventListener('submit', (event) => {
    event.preventDefault();
    const form = event.target;
    const result = document.getElementById('submit-result');
    const body = {
      seeds: [form.seed.value],
      max_depth: Number(form.max_depth.value),
      max_pages: Number(form.max_pages.value)
    };
    result.textContent = '';
    fetch('/api/jobs', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
      .then(response => response.json().then(json => ({ ok: response.ok, json })))
      .then(({ ok, json }) => {
        if (ok) { upsert(json); render(); form.seed.value = ''; } else { result.textContent = json.detail; }
      })
      .catch(() => { result.textContent = 'gateway unreachable'; });
  });

  connect();
})();
