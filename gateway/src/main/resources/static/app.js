// Trawl dashboard. One WebSocket, subscribed to every job ("*") and, on a job's page, to that job with detail.
// Incoming snapshots only mark rows dirty; one requestAnimationFrame pass updates the dirty rows in place, so
// a thousand jobs changing many times a second cost one DOM pass per frame. The socket reconnects with
// exponential backoff and resumes: "*" answers with every job's latest snapshot, a job with since_version.
(function () {
  'use strict';
  const TERMINAL = ['completed', 'completed_with_failures', 'failed', 'cancelled'];
  const HEARTBEAT_MS = 15000;
  const LOG_LINES = 300;

  const jobs = new Map();      // id -> latest snapshot
  const rows = new Map();      // id -> {tr, cells...}
  const dirty = new Set();     // ids whose row needs repainting
  let frameRequested = false;
  let socket = null;
  let backoffMs = 500;
  let lastHeard = 0;
  let current = null;          // id of the job page shown, or null
  let childRefresh = null;

  const $ = (id) => document.getElementById(id);
  const tbody = $('jobs');
  const debug = window.trawlDebug = { connects: 0, lastSubmitted: null, dropConnection: () => socket && socket.close() };

  // ---- connection ------------------------------------------------------------------------------------------
  function token() { return localStorage.getItem('trawl.token') || ''; }

  function connect() {
    const scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
    const query = token() ? '?token=' + encodeURIComponent(token()) : '';
    const ws = socket = new WebSocket(scheme + location.host + location.pathname.replace(/[^/]*$/, '') + 'ws' + query);
    ws.onopen = () => {
      backoffMs = 500;
      lastHeard = Date.now();
      debug.connects++;
      setConnection(true);
      send({ op: 'subscribe', job_id: '*' });
      if (current) subscribeJob(current);
    };
    ws.onmessage = (event) => { lastHeard = Date.now(); receive(JSON.parse(event.data)); };
    ws.onclose = () => {
      if (socket !== ws) return;
      setConnection(false);
      const wait = backoffMs * (0.75 + Math.random() / 2);
      backoffMs = Math.min(backoffMs * 2, 10000);
      setTimeout(connect, wait);
    };
    ws.onerror = () => ws.close();
  }

  function send(message) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  }

  // the server pings too; this notices a connection that died without a close (sleeping laptop, proxy)
  setInterval(() => {
    if (!socket || socket.readyState !== WebSocket.OPEN) return;
    if (Date.now() - lastHeard > 3 * HEARTBEAT_MS) { socket.close(); return; }
    send({ op: 'ping' });
  }, HEARTBEAT_MS);

  function receive(message) {
    switch (message.type) {
      case 'snapshot':
        if (Array.isArray(message.jobs)) message.jobs.forEach(upsert);
        else if (message.found && message.id) upsert(message);
        break;
      case 'parent_job_progress': upsert(message); break;
      case 'removed': removeJob(message.job_id); break;
      case 'job_log': if (message.job_id === current) { $('log').replaceChildren(); message.items.forEach(logLine); } break;
      case 'child_progress': if (message.job_id === current) { logLine(message); scheduleChildRefresh(); } break;
      case 'child_progress_dropped': if (current) loadLog(current); break;
      case 'error': console.warn('gateway:', message.message); break;
      default: break; // heartbeat, pong, unsubscribed
    }
  }

  function setConnection(online) {
    $('connection').className = 'badge ' + (online ? 'online' : 'offline');
    $('connection').textContent = online ? 'live' : 'reconnecting…';
  }

  // ---- jobs list ---------------------------------------------------------------------------------------------
  function upsert(snapshot) {
    const held = jobs.get(snapshot.id);
    if (held && snapshot.version <= held.version) return;
    jobs.set(snapshot.id, snapshot);
    dirty.add(snapshot.id);
    if (!frameRequested) { frameRequested = true; requestAnimationFrame(paint); }
  }

  // a deleted job: its row goes, and its page, if open, gives way to the list
  function removeJob(id) {
    jobs.delete(id);
    dirty.delete(id);
    const row = rows.get(id);
    if (row) { row.tr.remove(); rows.delete(id); }
    $('job-count').textContent = jobs.size ? '(' + jobs.size + ')' : '';
    if (id === current) location.hash = '';
  }

  function paint() {
    frameRequested = false;
    const fresh = [];
    dirty.forEach((id) => {
      const job = jobs.get(id);
      let row = rows.get(id);
      if (!row) { row = newRow(job); rows.set(id, row); fresh.push(job); }
      fill(row, job);
      if (id === current) showJob(job);
    });
    dirty.clear();
    if (fresh.length) place(fresh);
    $('job-count').textContent = jobs.size ? '(' + jobs.size + ')' : '';
  }

  const newestFirst = (a, b) => (b.created_at || '').localeCompare(a.created_at || '') || b.id.localeCompare(a.id);

  // new rows go where they sort; a big batch (the first snapshot) is laid out in one fragment
  function place(fresh) {
    const empty = tbody.querySelector('tr.empty');
    if (empty) empty.remove();
    if (fresh.length > 50 || rows.size === fresh.length) {
      const all = [...jobs.values()].sort(newestFirst);
      const fragment = document.createDocumentFragment();
      all.forEach((job) => fragment.append(rows.get(job.id).tr));
      tbody.replaceChildren(fragment);
      return;
    }
    fresh.sort(newestFirst).reverse().forEach((job) => {
      let before = tbody.firstChild;
      while (before && newestFirst(jobs.get(before.dataset.jobId), job) < 0) before = before.nextSibling;
      tbody.insertBefore(rows.get(job.id).tr, before);
    });
  }

  function newRow(job) {
    const tr = document.createElement('tr');
    tr.dataset.jobId = job.id;
    const name = document.createElement('a');
    name.href = '#job/' + encodeURIComponent(job.id);
    const status = document.createElement('span');
    const bar = document.createElement('div'); bar.className = 'bar';
    const fill = document.createElement('div'); bar.append(fill);
    const text = document.createElement('div'); text.className = 'text'; text.dataset.field = 'progress_text';
    const progress = document.createElement('div'); progress.append(bar, text);
    const documents = document.createElement('span'); documents.dataset.field = 'document_count';
    const eta = document.createElement('span');
    const cancel = cancelButton(job.id);
    tr.append(...[name, status, progress, documents, eta, cancel].map((content) => {
      const td = document.createElement('td'); td.append(content); return td;
    }));
    return { tr, name, status, fill, text, documents, eta, cancel };
  }

  function fill(row, job) {
    const terminal = TERMINAL.includes(job.status);
    const percent = Math.floor((job.progress || 0) * 100);
    row.name.textContent = job.name || job.id;
    row.name.title = job.id;
    row.status.className = 'badge ' + job.status + (job.warning ? ' warning' : '');
    row.status.textContent = job.status.replaceAll('_', ' ');
    row.status.title = job.warning || '';
    row.fill.style.width = percent + '%';
    row.text.textContent = percent + '% · ' + job.progress_text + activityText(job);
    row.documents.textContent = String(job.document_count);
    row.eta.textContent = terminal ? '' : job.stopping ? 'stopping' : eta(job.eta_seconds);
    row.eta.title = etaTitle(job);
    row.cancel.hidden = terminal || job.stopping;
  }

  // a reported job's fine-grained progress (docs/reporter.md), e.g. " · library-scan: scanning 3/10 (30%)"
  function activityText(job) {
    const a = job.activity;
    if (!a) return job.job_type && job.job_type !== 'crawl' ? ' · ' + job.job_type : '';
    const count = a.total > 0 ? ' ' + a.current + '/' + a.total : '';
    const pct = a.percentage === null || a.percentage === undefined ? '' : ' (' + Math.floor(a.percentage) + '%)';
    return ' · ' + (job.job_type || 'job') + ': ' + (a.message || '') + count + pct;
  }

  // why there is no ETA (eta_reason), and how many pages the scheduler holds back (queued)
  function etaTitle(job) {
    const parts = [];
    if (job.eta_reason) parts.push('no ETA yet: ' + job.eta_reason.replace(/_/g, ' '));
    if (job.queued) parts.push(job.queued + ' of the pending pages queued by flow control');
    return parts.join('; ');
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
    button.onclick = (event) => { event.preventDefault(); cancel(id, button); };
    return button;
  }

  function cancel(id, button) {
    button.disabled = true;
    api('/api/jobs/' + encodeURIComponent(id) + '/cancel', { method: 'POST' })
      .then((response) => { if (!response.ok) button.disabled = false; });
  }

  function api(path, options) {
    const headers = Object.assign({}, (options && options.headers) || {});
    if (token()) headers.Authorization = 'Bearer ' + token();
    return fetch(path.replace(/^\//, ''), Object.assign({}, options, { headers }));
  }

  // ---- job page ----------------------------------------------------------------------------------------------
  function route() {
    const match = location.hash.match(/^#job\/(.+)$/);
    const id = match ? decodeURIComponent(match[1]) : null;
    if (current && current !== id) send({ op: 'unsubscribe', job_id: current });
    current = id;
    $('list-view').hidden = !!id;
    $('job-view').hidden = !id;
    if (!id) return;
    $('log').replaceChildren();
    $('children').replaceChildren();
    $('documents').replaceChildren();
    if (jobs.has(id)) showJob(jobs.get(id));
    subscribeJob(id);
    loadChildren();
  }

  function subscribeJob(id) {
    const held = jobs.get(id);
    send({ op: 'subscribe', job_id: id, detail: true, since_version: held ? held.version : null });
  }

  function showJob(job) {
    const terminal = TERMINAL.includes(job.status);
    $('job-name').textContent = job.name || job.id;
    $('job-status').className = 'badge ' + job.status;
    $('job-status').textContent = job.status.replaceAll('_', ' ');
    $('job-bar').style.width = Math.floor((job.progress || 0) * 100) + '%';
    $('job-progress-text').textContent = job.progress_text + activityText(job);
    $('job-documents').textContent = job.document_count;
    $('job-eta').textContent = terminal ? '–' : job.stopping ? 'stopping' : eta(job.eta_seconds);
    $('job-eta').title = etaTitle(job);
    $('job-version').textContent = job.version;
    $('job-cancel').hidden = terminal || job.stopping;
    scheduleChildRefresh();
  }

  $('job-cancel').onclick = () => current && cancel(current, $('job-cancel'));
  $('child-filter').onchange = () => loadChildren();

  // children and documents are read over REST, at most once a second while the job changes
  function scheduleChildRefresh() {
    if (childRefresh) return;
    childRefresh = setTimeout(() => { childRefresh = null; loadChildren(); }, 1000);
  }

  function loadChildren() {
    const id = current;
    if (!id) return;
    const status = $('child-filter').value;
    api('/api/jobs/' + encodeURIComponent(id) + '/children?size=1000' + (status ? '&status=' + status : ''))
      .then((r) => r.json()).then((page) => {
        if (id !== current) return;
        $('child-count').textContent = '(' + page.total + ')';
        $('children').replaceChildren(...page.items.map((c) => tr(link(c.url, c.url), String(c.depth),
          badgeOf(c.status), c.reason || '')));
      });
    api('/api/jobs/' + encodeURIComponent(id) + '/documents?size=1000').then((r) => r.json()).then((page) => {
      if (id !== current) return;
      $('document-count').textContent = '(' + page.total + ')';
      $('documents').replaceChildren(...page.items.map((d) => tr(d.title || '(untitled)', link(d.url, d.url),
        String(d.bytes), link('api/documents/' + encodeURIComponent(d.id) + '/markdown', 'Markdown'))));
    });
  }

  function loadLog(id) {
    api('/api/jobs/' + encodeURIComponent(id) + '/log?limit=' + LOG_LINES).then((r) => r.json()).then((log) => {
      if (id !== current) return;
      $('log').replaceChildren();
      log.items.forEach(logLine);
    });
  }

  function logLine(t) {
    const li = document.createElement('li');
    li.className = t.status;
    li.textContent = (t.at || '').slice(11, 23) + ' ' + t.status.padEnd(9) + ' ' + t.url
      + (t.reason ? ' — ' + t.reason : '') + (t.attempt > 1 ? ' (attempt ' + t.attempt + ')' : '');
    const log = $('log');
    log.prepend(li);
    while (log.childElementCount > LOG_LINES) log.lastChild.remove();
  }

  function tr(...cells) {
    const row = document.createElement('tr');
    cells.forEach((content) => {
      const td = document.createElement('td');
      if (typeof content === 'string') { td.textContent = content; td.className = 'url'; } else td.append(content);
      row.append(td);
    });
    return row;
  }

  function link(href, text) {
    const a = document.createElement('a');
    a.href = href; a.textContent = text; a.target = '_blank'; a.rel = 'noopener';
    return a;
  }

  function badgeOf(status) {
    const span = document.createElement('span');
    span.className = 'badge ' + status;
    span.textContent = status;
    return span;
  }

  // ---- submit and token ----------------------------------------------------------------------------------------
  $('submit').addEventListener('submit', (event) => {
    event.preventDefault();
    const form = event.target;
    const result = $('submit-result');
    const body = { seeds: [form.seed.value], max_depth: Number(form.max_depth.value),
      max_pages: Number(form.max_pages.value) };
    if (form.name.value.trim()) body.name = form.name.value.trim();
    result.textContent = '';
    api('/api/jobs', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
      .then((response) => response.json().then((json) => ({ ok: response.ok, json })))
      .then(({ ok, json }) => {
        if (ok) { debug.lastSubmitted = json.id; upsert(json); form.seed.value = ''; } else { result.textContent = json.detail; }
      })
      .catch(() => { result.textContent = 'gateway unreachable'; });
  });

  $('token').value = token();
  $('token').addEventListener('change', (event) => {
    localStorage.setItem('trawl.token', event.target.value.trim());
    if (socket) socket.close(); // reconnect with the new token
  });

  window.addEventListener('hashchange', route);
  route();
  connect();
})();
