// gapwatch's built-in page: plain JavaScript over the public REST API (/api/v1), charts with uPlot.
// The bearer token lives in this tab's session storage only; a link with #token=... (the demo prints one) signs
// in, and the fragment is removed at once (a fragment is never sent to a server).
"use strict";

const TOKEN_KEY = "gapwatch.token";
const view = document.getElementById("view");

function token() { return sessionStorage.getItem(TOKEN_KEY); }

class Problem extends Error {
  constructor(status, body) {
    super((body && (body.detail || body.title)) || ("HTTP " + status));
    this.status = status;
    this.body = body || {};
  }
}

async function api(path, options = {}) {
  const headers = { "Authorization": "Bearer " + token(), "Accept": "application/json" };
  if (options.body) headers["Content-Type"] = "application/json";
  const response = await fetch(path, { ...options, headers });
  if (response.status === 401) { signOut("Your token was refused (401): sign in again."); throw new Problem(401); }
  const text = await response.text();
  const body = text ? JSON.parse(text) : null;
  if (!response.ok) throw new Problem(response.status, body);
  return body;
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined) continue;
    if (k === "class") node.className = v; else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c instanceof Node ? c : String(c));
  return node;
}

const ms = ns => ns === null || ns === undefined ? "" : (ns / 1e6).toFixed(3);
const when = t => t ? new Date(t).toLocaleString() : "";
const verdict = v => v ? el("span", { class: "verdict " + v }, v) : el("span", { class: "muted" }, "…");
const simLabel = simulated => simulated ? el("span", { class: "sim", title: "the sim backend: a model, not a kernel" }, "simulated") : null;

function table(headers, rows, id) {
  return el("div", { class: "table-wrap" }, el("table", { id },
    el("thead", {}, el("tr", {}, headers.map(h => el("th", { class: h.endsWith(" ms") || h === "n" ? "num" : null }, h)))),
    el("tbody", {}, rows.length ? rows : el("tr", {}, el("td", { colspan: headers.length, class: "muted" }, "none")))));
}

function show(...nodes) { view.replaceChildren(...nodes.filter(n => n !== null && n !== undefined)); }

function problemBox(e) {
  return el("p", { class: "problem" }, e.status ? "HTTP " + e.status + ": " + e.message : String(e.message || e));
}

// ---- sign in / out

function signIn(message) {
  document.getElementById("nav").hidden = true;
  const input = el("input", { id: "token", type: "password", autocomplete: "off", placeholder: "gw_...", required: "" });
  const form = el("form", { class: "stack", id: "sign-in" },
    el("label", {}, "API token", input),
    el("button", { class: "primary", type: "submit" }, "Sign in"));
  form.addEventListener("submit", ev => {
    ev.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, input.value.trim());
    route();
  });
  show(el("h1", {}, "Sign in"), message ? el("p", { class: "problem" }, message) : null,
    el("p", { class: "muted" }, "A viewer token reads; an operator token also triggers runs. The demo's admin token is in $GAPWATCH_HOME/demo.token."),
    form);
}

function signOut(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  history.replaceState(null, "", location.pathname + "#/"); // no hashchange: the message below stays
  signIn(message);
}

// ---- overview

async function overview() {
  const [agents, queued, running, sweeps, regressions] = await Promise.all([
    api("/api/v1/agents"),
    api("/api/v1/runs?state=QUEUED&size=1"),
    api("/api/v1/runs?state=RUNNING&size=1"),
    api("/api/v1/sweeps?size=1").catch(() => null),
    api("/api/v1/regressions?state=ACTIVE").catch(() => null),
  ]);
  const latest = sweeps && sweeps.items && sweeps.items.length ? await api("/api/v1/sweeps/" + sweeps.items[0].id) : null;
  const targets = agents.flatMap(a => (a.targets || []).map(t => el("tr", {},
    el("td", {}, a.name), el("td", {}, t.kernelRelease, " ", simLabel(t.backend === "sim")), el("td", {}, t.backend),
    el("td", {}, t.accelerator || ""), el("td", {}, when(a.lastSeenAt)), el("td", {}, a.revokedAt ? "revoked" : "enrolled"))));
  show(el("h1", {}, "Overview"),
    el("div", { class: "cards" },
      el("div", { class: "card" }, el("div", { class: "big", id: "queue-depth" }, queued.total), "runs queued"),
      el("div", { class: "card" }, el("div", { class: "big" }, running.total), "runs running"),
      el("div", { class: "card" }, el("div", { class: "big" }, agents.length), "agents"),
      el("div", { class: "card" }, el("div", { class: "big" }, regressions ? regressions.items.length : "–"), "active regressions")),
    el("section", {}, el("h2", {}, "Latest sweep"), latest ? sweepGrid(latest) : el("p", { class: "muted" }, "no sweep yet")),
    el("section", {}, el("h2", {}, "Active regressions"), regressions ? regressionTable(regressions.items) : el("p", { class: "muted" }, "not available")),
    el("section", {}, el("h2", {}, "Agents and their targets"),
      table(["agent", "kernel", "backend", "accelerator", "last seen", "state"], targets, "targets")));
}

// ---- sweeps

function sweepGrid(s) {
  const variants = s.matrix.variants, gaps = s.matrix.gapsMs;
  const columns = variants.flatMap(v => gaps.map(g => ({ v, g })));
  const rows = s.kernels.map(k => el("tr", {}, el("th", {}, k),
    columns.map(({ v, g }) => {
      const c = (s.outcome || []).find(x => x.kernel === k && x.variant === v && x.gapMs === g);
      if (!c) return el("td", {}, "");
      const acc = c.accuracy ? "median error " + ms(c.accuracy.medianErrorNs) + " ms, in bracket " + Math.round(100 * c.accuracy.withinBracketRate) + " %" : "no measurement yet";
      const label = c.verdict ? c.verdict + (c.asExpected === true && c.expectedVerdict === "FAIL" ? " ✓" : "") : c.finished + "/" + c.runs;
      return el("td", { title: acc }, el("span", { class: "cell " + (c.verdict || "pending") }, label),
        c.accuracy ? el("div", { class: "muted" }, ms(c.accuracy.medianErrorNs) + " ms") : null);
    })));
  return el("div", {},
    el("p", {}, el("a", { href: "#/sweeps/" + s.id }, "Sweep " + s.id), " ", s.state, " ", simLabel(s.simulated), " ",
      el("span", { class: "muted" }, progressText(s.progress) + " · " + when(s.createdAt))),
    el("div", { class: "table-wrap" }, el("table", { id: "sweep-grid" },
      el("thead", {}, el("tr", {}, el("th", {}, "kernel"), columns.map(({ v, g }) => el("th", {}, v + " @ " + g + " ms")))),
      el("tbody", {}, rows))),
    el("p", { class: "muted" }, "✓ on a FAIL: the negative control (clock-frozen) failed, as it must. Cell text below: the median steal error."));
}

function progressText(p) {
  const done = (p.byState.COMPLETED || 0) + (p.byState.CANCELLED || 0);
  return done + " of " + p.runs + " runs ended" + Object.entries(p.byVerdict || {}).map(([v, n]) => ", " + n + " " + v).join("");
}

async function sweepsPage(params) {
  const page = Number(params.get("page") || 0);
  const sweeps = await api("/api/v1/sweeps?size=20&page=" + page);
  show(el("h1", {}, "Sweeps"),
    table(["sweep", "state", "progress", "kernels", "created"], sweeps.items.map(s => el("tr", {},
      el("td", {}, el("a", { href: "#/sweeps/" + s.id }, s.id), " ", simLabel(s.simulated)), el("td", {}, s.state),
      el("td", {}, progressText(s.progress)), el("td", {}, s.kernels.length), el("td", {}, when(s.createdAt)))), "sweeps"),
    pager("#/sweeps", page, sweeps.total, 20));
}

async function sweepPage(id) {
  const s = await api("/api/v1/sweeps/" + id);
  show(el("h1", {}, "Sweep " + id, " ", simLabel(s.simulated)), sweepGrid(s),
    s.unserved && s.unserved.length ? el("section", {}, el("h2", {}, "Cells no agent serves"),
      table(["kernel", "backend", "reason"], s.unserved.map(u => el("tr", {}, el("td", {}, u.kernel), el("td", {}, u.backend || ""), el("td", {}, u.reason || "")))))
      : null,
    el("p", {}, el("a", { href: "#/runs?sweep=" + id }, "its runs")));
}

function pager(base, page, total, size) {
  const sep = base.includes("?") ? "&" : "?";
  return el("div", { class: "pager" },
    page > 0 ? el("a", { href: base + sep + "page=" + (page - 1) }, "‹ newer") : null,
    el("span", { class: "muted" }, "page " + (page + 1) + " of " + Math.max(1, Math.ceil(total / size))),
    (page + 1) * size < total ? el("a", { href: base + sep + "page=" + (page + 1) }, "older ›") : null);
}

// ---- runs

async function runsPage(params) {
  const page = Number(params.get("page") || 0);
  const filter = new URLSearchParams();
  for (const k of ["kernel", "variant", "verdict", "state", "sweep"]) if (params.get(k)) filter.set(k, params.get(k));
  const runs = await api("/api/v1/runs?size=25&page=" + page + (filter.toString() ? "&" + filter : ""));
  show(el("h1", {}, "Runs"),
    table(["run", "state", "verdict", "variant", "gap ms", "kernel", "backend", "created"], runs.items.map(r => el("tr", {},
      el("td", {}, el("a", { href: "#/runs/" + r.id }, r.id)), el("td", {}, r.state), el("td", {}, verdict(r.verdict)),
      el("td", {}, r.variant), el("td", { class: "num" }, r.gapMs), el("td", {}, r.target.kernelRelease || "any", " ", simLabel(r.target.simulated)),
      el("td", {}, r.target.backend || ""), el("td", {}, when(r.createdAt)))), "runs"),
    pager("#/runs" + (filter.toString() ? "?" + filter : ""), page, runs.total, 25));
}

let refresh = null;

async function runPage(id) {
  const r = await api("/api/v1/runs/" + id);
  const finished = r.state === "COMPLETED" || r.state === "CANCELLED";
  const m = r.measurements || [];
  const chart = el("div", { class: "chart", id: "run-chart" });
  show(el("h1", {}, "Run " + r.id + " ", verdict(r.verdict), " ", simLabel(r.target.simulated)),
    el("p", {}, r.variant + " at " + r.gapMs + " ms, " + r.iterations + " iterations on " + (r.target.kernelRelease || "any kernel")
      + " (" + (r.target.backend || "any backend") + (r.target.accelerator ? ", " + r.target.accelerator : "") + ")"),
    el("p", { id: "run-state" }, "State " + r.state + (finished ? "" : ", iteration " + r.iterationsDone + " of " + r.iterations)
      + (r.expectedVerdict ? " · expected " + r.expectedVerdict + (r.asExpected === null ? "" : r.asExpected ? ", as expected" : ", NOT as expected") : "")),
    r.skipReason ? el("p", { class: "muted" }, "Skipped: " + r.skipReason) : null,
    r.error ? el("p", { class: "problem" }, (r.errorKind ? r.errorKind + ": " : "") + r.error) : null,
    el("h2", {}, "Steal delta of every iteration against its bracket"), chart,
    table(["iteration", "steal ms", "gap low ms", "gap high ms", "host run delay ms", "error ms", "in bracket", "pass"],
      m.map(x => el("tr", {}, el("td", { class: "num" }, x.iteration), el("td", { class: "num" }, ms(x.stealDeltaNs)),
        el("td", { class: "num" }, ms(x.gapLowNs)), el("td", { class: "num" }, ms(x.gapHighNs)),
        el("td", { class: "num" }, x.hostRunDelayNs === null ? "unavailable" : ms(x.hostRunDelayNs)),
        el("td", { class: "num" }, ms(x.errorNs)), el("td", {}, x.withinBracket ? "yes" : "no"), el("td", {}, x.pass ? "yes" : "no"))), "measurements"),
    el("h2", {}, "Downloads"),
    el("p", { class: "downloads" }, ["ktap", "junit", "kcidb"].map(f => el("a", { href: "#", "data-format": f, onclick: ev => download(ev, r.id, f) }, f.toUpperCase()))),
    el("h2", {}, "History"),
    table(["at", "event", "detail"], (r.events || []).map(e => el("tr", {}, el("td", {}, when(e.at)), el("td", {}, e.kind), el("td", {}, e.detail))), "events"));
  if (m.length) drawRunChart(chart, r);
  if (!finished) refresh = setTimeout(() => { if (location.hash === "#/runs/" + id) route(); }, 2000);
}

// One point per iteration: the measured steal, the bracket the host measured (low .. high + host run delay) and
// the seed's bound (the gap).
function drawRunChart(target, r) {
  const m = r.measurements;
  const x = m.map(p => p.iteration);
  const data = [x, m.map(p => p.stealDeltaNs / 1e6), m.map(p => p.gapLowNs / 1e6),
    m.map(p => (p.gapHighNs + (p.hostRunDelayNs || 0)) / 1e6), m.map(() => r.gapMs)];
  const width = Math.max(320, Math.min(1100, view.clientWidth - 20));
  const chart = new uPlot({
    width, height: 280,
    scales: { x: { time: false } },
    axes: [{ label: "iteration", incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500] }, { label: "ms" }],
    series: [{ label: "iteration" },
      { label: "steal delta", stroke: "#0969da", width: 2, points: { size: 8, fill: "#0969da" } },
      { label: "gap low", stroke: "#8c959f", dash: [4, 4], points: { show: false } },
      { label: "gap high + run delay", stroke: "#8c959f", dash: [4, 4], points: { show: false } },
      { label: "seed bound (gap)", stroke: "#cf222e", width: 1, points: { show: false } }],
  }, data, target);
  window.gapwatchRunChart = chart; // the browser tests read what was drawn
}

async function download(ev, id, format) {
  ev.preventDefault();
  const response = await fetch("/api/v1/runs/" + id + "/report?format=" + format, { headers: { "Authorization": "Bearer " + token() } });
  if (!response.ok) { alert("The " + format + " export is not available (HTTP " + response.status + ")"); return; }
  const blob = await response.blob();
  const a = el("a", { href: URL.createObjectURL(blob), download: "run-" + id + "." + (format === "kcidb" ? "json" : format === "junit" ? "xml" : "ktap") });
  document.body.append(a); a.click(); a.remove();
}

// ---- regressions and bisections

function regressionTable(items) {
  return table(["regression", "state", "kernel", "variant", "gap ms", "baseline", "since", "bisection"], items.map(g => el("tr", {},
    el("td", {}, g.id, " ", g.kind || "", " ", simLabel(g.simulated)), el("td", {}, g.state), el("td", {}, g.kernel),
    el("td", {}, g.variant), el("td", { class: "num" }, g.gapMs), el("td", {}, g.baselineKernel || ""), el("td", {}, when(g.firstSeenAt)),
    el("td", {}, g.bisection ? el("a", { href: "#/bisections/" + g.bisection.id }, g.bisection.state + (g.bisection.firstBad ? ": first bad " + g.bisection.firstBad : "")) : ""))), "regressions");
}

async function regressionsPage(params) {
  const state = params.get("state") || "";
  const page = await api("/api/v1/regressions" + (state ? "?state=" + state : ""));
  show(el("h1", {}, "Regressions"), regressionTable(page.items));
}

async function bisectionsPage() {
  const page = await api("/api/v1/bisections");
  const items = page.items || page;
  show(el("h1", {}, "Bisections"), table(["bisection", "state", "good", "bad", "variant", "first bad"], items.map(b => el("tr", {},
    el("td", {}, el("a", { href: "#/bisections/" + b.id }, b.id)), el("td", {}, b.state), el("td", {}, b.good), el("td", {}, b.bad),
    el("td", {}, b.variant + " @ " + b.gapMs + " ms"), el("td", {}, b.firstBad || ""))), "bisections"));
}

async function bisectionPage(id) {
  const b = await api("/api/v1/bisections/" + id);
  show(el("h1", {}, "Bisection " + id + " ", b.state),
    el("p", {}, "Between good " + b.good + " and bad " + b.bad + ", " + b.variant + " at " + b.gapMs + " ms"
      + (b.firstBad ? ": the first bad kernel is " + b.firstBad : "")),
    el("ol", { class: "steps", id: "bisection-steps" }, (b.steps || []).map(s => el("li", {},
      (s.kernel || "") + " " + (s.role || "") + ": " + (s.verdict || "pending"),
      s.runIds ? el("span", { class: "muted" }, " runs " + s.runIds.join(", ")) : null))));
}

// ---- trigger a run

function newRunPage() {
  const field = (name, input, help) => el("label", {}, name, input, el("span", { class: "field-error", "data-field": name }), help ? el("span", { class: "muted" }, help) : null);
  const form = el("form", { class: "stack", id: "new-run" },
    field("variant", el("select", { name: "variant" }, ["clock-realtime", "clock-frozen", "clock-guest"].map(v => el("option", { value: v }, v)))),
    field("gapMs", el("input", { name: "gapMs", value: "10", inputmode: "numeric" }), "1 to 60000"),
    field("iterations", el("input", { name: "iterations", value: "3", inputmode: "numeric" }), "1 to 1000"),
    field("kernel", el("input", { name: "kernel", placeholder: "any" }), "a kernel an agent serves, e.g. 6.12.117+deb12-amd64 or sim:6.12-model"),
    field("backend", el("select", { name: "backend" }, ["", "sim", "kvm", "lab"].map(v => el("option", { value: v }, v || "any")))),
    el("div", { id: "form-problem" }),
    el("button", { class: "primary", type: "submit" }, "Trigger run"));
  form.addEventListener("submit", async ev => {
    ev.preventDefault();
    form.querySelectorAll(".field-error").forEach(s => s.textContent = "");
    document.getElementById("form-problem").replaceChildren();
    const f = new FormData(form);
    const asNumber = v => /^-?\d+$/.test(v) ? Number(v) : v;
    const target = {};
    if (f.get("kernel")) target.kernel = f.get("kernel");
    if (f.get("backend")) target.backend = f.get("backend");
    const body = { variant: f.get("variant"), gapMs: asNumber(f.get("gapMs")), iterations: asNumber(f.get("iterations")), target };
    try {
      const run = await api("/api/v1/runs", { method: "POST", body: JSON.stringify(body) });
      location.hash = "#/runs/" + run.id;
    } catch (e) {
      const name = (e.body.field || "").replace(/^target\./, "").replace(/^kernelRelease$/, "kernel");
      const slot = name && form.querySelector('[data-field="' + name + '"]');
      if (slot) slot.textContent = e.message; else document.getElementById("form-problem").replaceChildren(problemBox(e));
    }
  });
  show(el("h1", {}, "Trigger a run"), form);
}

// ---- routing

async function route() {
  clearTimeout(refresh);
  const fragment = location.hash.startsWith("#token=") ? new URLSearchParams(location.hash.slice(1)).get("token") : null;
  if (fragment) {
    sessionStorage.setItem(TOKEN_KEY, fragment);
    history.replaceState(null, "", location.pathname + "#/");
  }
  if (!token()) { signIn(); return; }
  document.getElementById("nav").hidden = false;
  const [path, query] = (location.hash.slice(1) || "/").split("?");
  const params = new URLSearchParams(query || "");
  const parts = path.split("/").filter(Boolean);
  try {
    if (parts.length === 0) await overview();
    else if (parts[0] === "runs" && parts[1]) await runPage(parts[1]);
    else if (parts[0] === "runs") await runsPage(params);
    else if (parts[0] === "sweeps" && parts[1]) await sweepPage(parts[1]);
    else if (parts[0] === "sweeps") await sweepsPage(params);
    else if (parts[0] === "regressions") await regressionsPage(params);
    else if (parts[0] === "bisections" && parts[1]) await bisectionPage(parts[1]);
    else if (parts[0] === "bisections") await bisectionsPage();
    else if (parts[0] === "new") newRunPage();
    else show(el("h1", {}, "Not found"), el("p", {}, el("a", { href: "#/" }, "Overview")));
  } catch (e) {
    if (e.status !== 401) show(el("h1", {}, "Could not load this page"), problemBox(e));
  }
}

document.getElementById("sign-out").addEventListener("click", () => signOut("Signed out."));
window.addEventListener("hashchange", route);
route();
