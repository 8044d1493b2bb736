"use strict";
(function () {
  // Everything the page shows comes from one JSON document, polled every two seconds. Values are only ever set as
  // text (never as HTML): paths, consumer ids and messages come from clients and table rows.
  const pollMs = 2000;
  const code = new URLSearchParams(location.search).get("code");
  const dataUrl = "/_gateway/console/data" + (code ? "?code=" + encodeURIComponent(code) : "");
  const $ = (id) => document.getElementById(id);

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  function cell(row, label, content, className) {
    const td = el("td", null, className);
    td.dataset.label = label;
    if (content instanceof Node) td.appendChild(content); else td.appendChild(el("span", content));
    row.appendChild(td);
    return td;
  }

  function pill(text, kind) { return el("span", text, "pill pill-" + kind); }
  function ms(value) { return value === null || value === undefined ? "–" : (value < 10 ? value.toFixed(1) : Math.round(value)) + " ms"; }
  function percent(part, whole) { return whole ? (100 * part / whole).toFixed(part === whole || part === 0 ? 0 : 1) + " %" : "–"; }
  function time(iso) { return iso ? new Date(iso).toLocaleTimeString() : "never"; }

  function replaceRows(tbody, rows, columns, emptyText) {
    tbody.replaceChildren(...rows);
    if (rows.length === 0) {
      const tr = el("tr");
      const td = el("td", emptyText, "empty");
      td.colSpan = columns;
      tr.appendChild(td);
      tbody.appendChild(tr);
    }
  }

  // A sparkline of requests per second over the window, scaled to its own peak.
  function sparkline(counts) {
    const ns = "http://www.w3.org/2000/svg";
    const width = 120, height = 28, peak = Math.max(1, ...counts);
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    svg.setAttribute("class", "spark");
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", "requests per second over the last minute, peak " + Math.max(...counts));
    const base = document.createElementNS(ns, "line");
    base.setAttribute("x1", "0"); base.setAttribute("x2", String(width));
    base.setAttribute("y1", String(height - 1)); base.setAttribute("y2", String(height - 1));
    svg.appendChild(base);
    const line = document.createElementNS(ns, "polyline");
    const step = width / Math.max(1, counts.length - 1);
    line.setAttribute("points", counts.map((c, i) => (i * step).toFixed(1) + "," + (height - 2 - (c / peak) * (height - 4)).toFixed(1)).join(" "));
    svg.appendChild(line);
    return svg;
  }

  function renderStatus(data) {
    const status = $("status");
    const text = { ok: "Tables loaded", storage_unreachable: "Storage unreachable", not_loaded: "Tables not loaded yet" }[data.status] || data.status;
    status.textContent = text;
    status.className = "pill pill-" + (data.status === "ok" ? "ok" : "bad");
    $("updated").textContent = "Updated " + time(data.generatedAt) + " · tables read " + time(data.loadedAt) + " · refreshes every 2 s";
    const storage = $("storage");
    storage.hidden = !data.storageError;
    storage.textContent = data.storageError ? "The tables cannot be read; the last routes loaded keep serving. " + data.storageError : "";
  }

  function renderProblems(problems) {
    $("problems-section").hidden = problems.length === 0;
    $("problems").replaceChildren(...problems.map((p) => {
      const li = el("li", null, p.severity);
      const where = el("div", null, "where");
      where.append(pill(p.severity, p.severity), " ", p.table + " row " + p.partitionKey + " / " + p.rowKey + (p.column ? ", column " + p.column : ""));
      li.appendChild(where);
      li.appendChild(el("p", p.message, "fix"));
      if (p.servingLastValidVersion) li.appendChild(el("p", "Its last valid version keeps serving until the row is fixed.", "muted"));
      return li;
    }));
  }

  function renderRoutes(data) {
    const rows = data.routes.map((r) => {
      const t = r.traffic;
      const tr = el("tr", null, t.errors > 0 ? "row-bad" : "");
      tr.dataset.route = r.route;
      cell(tr, "Route", el("strong", r.route));
      cell(tr, "Path", el("code", r.methods + " " + r.path + " → " + r.target));
      const rate = el("div");
      rate.append(sparkline(t.perSecond), el("span", (t.requests / data.windowSeconds).toFixed(2) + " req/s", "num"));
      cell(tr, "Requests / s", rate);
      cell(tr, "Last minute", t.requests + " requests", "num");
      cell(tr, "Errors (5xx)", t.errors + " (" + percent(t.errors, t.requests) + ")", "num");
      cell(tr, "p50", ms(t.p50Ms), "num");
      cell(tr, "p95", ms(t.p95Ms), "num");
      cell(tr, "Rate limit", r.rateLimit ? r.rateLimit.limits + " by " + r.rateLimit.by : "none");
      return tr;
    });
    replaceRows($("routes"), rows, 8, "No routes are served: add a row to the Routes table.");
    const u = data.unmatched;
    $("unmatched").textContent = u.requests > 0 ? u.requests + (u.requests === 1 ? " request" : " requests") + " in the last minute matched no route (404, 405)." : "";
  }

  function renderBackends(backends) {
    const rows = backends.map((b) => {
      const tr = el("tr", null, b.health === "unhealthy" || b.circuitOpen ? "row-bad" : "");
      tr.dataset.backend = b.backend;
      const name = el("div");
      name.append(el("strong", b.backend), el("br"), el("span", b.url, "mono muted"));
      cell(tr, "Backend", name);
      cell(tr, "Pool", b.pool);
      cell(tr, "Health", pill(b.health, b.health));
      cell(tr, "Latency", ms(b.latencyMs), "num");
      cell(tr, "In flight", b.inFlight, "num");
      cell(tr, "Circuit", b.circuitOpen ? pill("open: skipped", "open") : pill("closed", "closed"));
      cell(tr, "Last probe", b.checkedAt ? time(b.checkedAt) + (b.lastError ? ": " + b.lastError : "") : "no probe yet");
      return tr;
    });
    replaceRows($("backends"), rows, 7, "No backends: add rows to the Backends table or a Backend column to a route.");
  }

  function renderLimits(routes) {
    const limited = routes.filter((r) => r.rateLimit);
    const cards = limited.map((r) => {
      const card = el("div", null, "limit");
      card.dataset.route = r.route;
      card.appendChild(el("h3", r.route));
      card.appendChild(el("div", r.rateLimit.limits + " by " + r.rateLimit.by + " · " + r.traffic.limited + " refused in the last minute", "muted"));
      if (r.traffic.topConsumers.length === 0) card.appendChild(el("div", "No callers in the last minute.", "empty"));
      for (const c of r.traffic.topConsumers) {
        const usage = c.requests / r.rateLimit.perMinute;
        const row = el("div", null, "usage");
        row.append(el("span", (c.isAddress ? "address " : "") + c.name, "mono"),
          el("span", c.requests + " req" + (c.limited ? ", " + c.limited + " refused" : ""), "num"));
        const bar = el("div", null, "bar" + (usage >= 1 ? " full" : ""));
        const fill = el("span");
        fill.style.width = Math.min(100, usage * 100).toFixed(0) + "%";
        bar.appendChild(fill);
        bar.title = Math.round(usage * 100) + " % of " + r.rateLimit.perMinute + " a minute";
        row.appendChild(bar);
        card.appendChild(row);
      }
      return card;
    });
    $("limits").replaceChildren(...cards);
    if (cards.length === 0) $("limits").appendChild(el("p", "No route is rate limited (RateLimit column).", "empty"));
  }

  function renderFailures(failures) {
    const rows = failures.map((f) => {
      const tr = el("tr");
      cell(tr, "Time", time(f.at), "num");
      cell(tr, "Status", f.status, "num");
      cell(tr, "Code", el("code", f.outcome));
      cell(tr, "Route", f.route || "none");
      cell(tr, "Request", el("code", f.method + " " + f.path));
      cell(tr, "Caller", f.consumer || "–");
      cell(tr, "Took", ms(f.elapsedMs), "num");
      cell(tr, "Trace id", el("code", f.traceId));
      return tr;
    });
    replaceRows($("failures"), rows, 8, "No failures recorded since the gateway started.");
  }

  async function poll() {
    try {
      const response = await fetch(dataUrl, { cache: "no-store", headers: { Accept: "application/json" } });
      if (!response.ok) throw new Error("the console's data answered " + response.status);
      const data = await response.json();
      $("connection").hidden = true;
      renderStatus(data);
      renderProblems(data.problems);
      renderRoutes(data);
      renderBackends(data.backends);
      renderLimits(data.routes);
      renderFailures(data.recentFailures);
    } catch (error) {
      const banner = $("connection");
      banner.hidden = false;
      banner.textContent = "Cannot reach the gateway (" + error.message + "); the numbers below are from the last successful refresh. Retrying every 2 s.";
    } finally {
      setTimeout(poll, pollMs);
    }
  }

  poll();
})();
