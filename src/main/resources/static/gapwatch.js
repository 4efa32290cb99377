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

function signIn(message, notice) {
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
  show(el("h1", {}, "Sign in"), message ? el("p", { class: notice ? "notice" : "problem" }, message) : null,
    el("p", { class: "muted" }, "A viewer token reads; an operator token also triggers runs and sweeps. The demo's admin token is in $GAPWATCH_HOME/demo.token."),
    form);
}

function signOut(message, notice) {
  sessionStorage.removeItem(TOKEN_KEY);
  history.replaceState(null, "", location.pathname + "#/"); // no hashchange: the message below stays
  signIn(message, notice);
}

// ---- overview

async function overview(shown) {
  const at = navigation;
  const [agents, queued, running, latestRuns, sweeps, active, suspected] = await Promise.all([
    api("/api/v1/agents"),
    api("/api/v1/runs?state=QUEUED&size=1"),
    api("/api/v1/runs?state=RUNNING&size=1"),
    api("/api/v1/runs?size=10"),
    api("/api/v1/sweeps?size=1").catch(() => null),
    api("/api/v1/regressions?state=ACTIVE").catch(() => null),
    api("/api/v1/regressions?state=SUSPECTED").catch(() => null),
  ]);
  // suspected ones are being confirmed by re-runs: shown too, so a regression is visible from its first sweep
  const regressions = active && suspected ? { items: active.items.concat(suspected.items), total: active.total } : null;
  const latest = sweeps && sweeps.items && sweeps.items.length ? await api("/api/v1/sweeps/" + sweeps.items[0].id) : null;
  if (at !== navigation) return; // the reader went elsewhere meanwhile
  // Live: looked at again every 5 s, drawn again only when a run, the sweep or a regression moved (not for a
  // heartbeat's "last seen"), so what the reader is looking at does not jump for nothing.
  const moved = JSON.stringify([queued.total, running.total, latestRuns.items.map(r => [r.id, r.state, r.verdict]),
    latest && [latest.id, latest.state, latest.progress], regressions && regressions.items.map(g => [g.id, g.state, g.bisection])]);
  refresh = setTimeout(() => { if (location.hash === "" || location.hash === "#/") overview(moved).catch(() => {}); }, 5000);
  if (moved === shown) return;
  const targets = agents.flatMap(a => (a.targets || []).map(t => el("tr", {},
    el("td", {}, a.name), el("td", {}, t.kernelRelease, " ", simLabel(t.backend === "sim")), el("td", {}, t.backend),
    el("td", {}, t.accelerator || ""), el("td", {}, when(a.lastSeenAt)), el("td", {}, a.revokedAt ? "revoked" : "enrolled"))));
  show(el("h1", {}, "Overview"),
    el("div", { class: "cards" },
      el("div", { class: "card" }, el("div", { class: "big", id: "queue-depth" }, queued.total), "runs queued"),
      el("div", { class: "card" }, el("div", { class: "big" }, running.total), "runs running"),
      el("div", { class: "card" }, el("div", { class: "big" }, agents.length), "agents"),
      el("div", { class: "card" }, el("div", { class: "big", id: "active-regressions" }, regressions ? regressions.total : "–"), "active regressions",
        suspected && suspected.total ? el("div", { class: "muted" }, suspected.total + " suspected") : null)),
    el("section", {}, el("h2", {}, "Latest sweep"), latest ? sweepGrid(latest) : el("p", { class: "muted" }, "no sweep yet")),
    el("section", {}, el("h2", {}, "Active and suspected regressions"), regressions ? regressionTable(regressions.items) : el("p", { class: "muted" }, "not available")),
    el("section", {}, el("h2", {}, "Latest runs"), runTable(latestRuns.items, "latest-runs"), el("p", {}, el("a", { href: "#/runs" }, "all runs ›"))),
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
  show(el("h1", {}, "Sweep " + id + " " + s.state, " ", simLabel(s.simulated)), sweepGrid(s),
    s.unserved && s.unserved.length ? el("section", {}, el("h2", {}, "Cells no agent serves"),
      table(["kernel", "backend", "reason"], s.unserved.map(u => el("tr", {}, el("td", {}, u.kernel), el("td", {}, u.backend || ""), el("td", {}, u.reason || "")))))
      : null,
    el("p", {}, el("a", { href: "#/runs?sweep=" + id }, "its runs")));
  if (s.state !== "COMPLETED" && s.state !== "CANCELLED") refresh = setTimeout(() => { if (location.hash === "#/sweeps/" + id) route(); }, 3000);
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
  show(el("h1", {}, "Runs"), runTable(runs.items, "runs"),
    pager("#/runs" + (filter.toString() ? "?" + filter : ""), page, runs.total, 25));
}

function runTable(items, id) {
  return table(["run", "state", "verdict", "variant", "gap ms", "kernel", "backend", "created"], items.map(r => el("tr", {},
    el("td", {}, el("a", { href: "#/runs/" + r.id }, r.id)), el("td", {}, r.state), el("td", {}, verdict(r.verdict)),
    el("td", {}, r.variant), el("td", { class: "num" }, r.gapMs), el("td", {}, r.target.kernelRelease || "any", " ", simLabel(r.target.simulated)),
    el("td", {}, r.target.backend || ""), el("td", {}, when(r.createdAt)))), id);
}

let refresh = null;
let navigation = 0; // counts route changes: a refresh that comes back after one draws nothing

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
    el("td", {}, g.id, " ", g.kind || "", " ", simLabel(g.simulated)), el("td", {}, g.state),
    el("td", {}, el("a", { href: "#/series?" + new URLSearchParams({ kernel: g.kernel, variant: g.variant, gapMs: g.gapMs, ...(g.baselineKernel ? { compare: g.baselineKernel } : {}) }), title: "its series" }, g.kernel)),
    el("td", {}, g.variant), el("td", { class: "num" }, g.gapMs), el("td", {}, g.baselineKernel || ""), el("td", {}, when(g.firstSeenAt)),
    el("td", {}, g.bisection ? el("a", { href: "#/bisections/" + g.bisection.id }, g.bisection.state + (g.bisection.firstBad ? ": first bad " + g.bisection.firstBad : "")) : ""))), "regressions");
}

function stateFilter(base, states, current) {
  return el("p", { class: "filters" }, "state: ", ["", ...states].map(st => st === current
    ? el("strong", {}, st || "all") : el("a", { href: base + (st ? "?state=" + st : "") }, st || "all")));
}

async function regressionsPage(params) {
  const state = params.get("state") || "", page = Number(params.get("page") || 0);
  const list = await api("/api/v1/regressions?size=25&page=" + page + (state ? "&state=" + state : ""));
  show(el("h1", {}, "Regressions"),
    stateFilter("#/regressions", ["SUSPECTED", "ACTIVE", "ACKNOWLEDGED", "FIXED", "DISMISSED"], state),
    regressionTable(list.items),
    pager("#/regressions" + (state ? "?state=" + state : ""), page, list.total, 25));
}

// How far a bisection got: steps decided, and the range of kernels still open between last good and first bad.
function bisectionProgress(b) {
  const decided = (b.steps || []).filter(s => s.verdict).length;
  if (b.state !== "RUNNING") return decided + " steps";
  const i = b.kernels.indexOf(b.lastGood), j = b.kernels.indexOf(b.bad);
  return decided + " steps decided, " + Math.max(0, j - i - 1) + " kernels left between " + b.lastGood + " and " + b.bad;
}

async function bisectionsPage(params) {
  const page = Number(params.get("page") || 0);
  const list = await api("/api/v1/bisections?size=25&page=" + page);
  show(el("h1", {}, "Bisections"), table(["bisection", "state", "good", "bad", "variant", "progress", "first bad"], list.items.map(b => el("tr", {},
    el("td", {}, el("a", { href: "#/bisections/" + b.id }, b.id), " ", simLabel(b.simulated)), el("td", {}, b.state), el("td", {}, b.good),
    el("td", {}, b.bad), el("td", {}, b.variant + " @ " + b.gapMs + " ms"), el("td", {}, bisectionProgress(b)),
    el("td", {}, b.firstBad ? el("strong", {}, b.firstBad) : (b.firstBadCandidates || []).length ? "one of " + b.firstBadCandidates.join(", ") : ""))), "bisections"),
    pager("#/bisections", page, list.total, 25));
}

async function bisectionPage(id) {
  const b = await api("/api/v1/bisections/" + id);
  const runLink = rid => rid ? el("a", { href: "#/runs/" + rid }, "run " + rid) : "";
  show(el("h1", {}, "Bisection " + id + " ", el("span", { class: b.state === "FOUND" ? "verdict PASS" : b.state === "FAILED" ? "verdict FAIL" : "muted" }, b.state), " ", simLabel(b.simulated)),
    el("p", {}, "Between good " + b.good + " and bad " + b.bad + ", " + b.variant + " at " + b.gapMs + " ms on " + b.backend
      + ", " + b.iterations + " iterations a run" + (b.regressionId ? ", for regression " + b.regressionId : "") + "."),
    b.firstBad ? el("p", { class: "answer" }, "The first bad kernel is ", el("strong", {}, b.firstBad), " (the last good one " + b.lastGood + ").")
      : (b.firstBadCandidates || []).length ? el("p", { class: "answer" }, "The first bad kernel is one of ", el("strong", {}, b.firstBadCandidates.join(", ")),
        ": the kernels between could not be tested (the last good one " + b.lastGood + ").")
      : el("p", { class: "muted", id: "bisection-progress" }, bisectionProgress(b)),
    b.reason && b.state === "FAILED" ? el("p", { class: "problem" }, b.reason) : null,
    el("p", { class: "muted" }, "Kernels bisected over: " + b.kernels.join(" · ")),
    el("h2", {}, "Steps"),
    el("p", { class: "muted" }, "Each step runs its kernel twice (the run and its re-verification); both must agree."),
    table(["step", "kernel", "role", "verdict", "runs", "why"], (b.steps || []).map(s => el("tr", {},
      el("td", { class: "num" }, s.step), el("td", {}, s.kernel), el("td", {}, s.role),
      el("td", {}, s.verdict ? el("span", { class: "verdict " + (s.verdict === "good" ? "PASS" : s.verdict === "bad" ? "FAIL" : "SKIP") }, s.verdict === "skipped" ? "skipped (untestable)" : s.verdict) : el("span", { class: "muted" }, "running…")),
      el("td", {}, runLink(s.runId), " ", runLink(s.verifyRunId)), el("td", { class: "wrap" }, s.detail || ""))), "bisection-steps"));
  if (b.state === "RUNNING") refresh = setTimeout(() => { if (location.hash === "#/bisections/" + id) route(); }, 3000);
}

// ---- series

// A kernel release as numbers, to order kernels of one series (sim:6.12.111 < sim:6.12.112).
const versionParts = k => (k.match(/\d+/g) || []).map(Number);
function versionAtLeast(k, than) {
  const a = versionParts(k), b = versionParts(than);
  for (let i = 0; i < Math.max(a.length, b.length); i++) if ((a[i] || 0) !== (b[i] || 0)) return (a[i] || 0) > (b[i] || 0);
  return true;
}

// A regression of a kernel series covers its kernel and the later kernels of that series (the fault stays).
function regressionsOf(items, s) {
  return items.filter(g => g.variant === s.variant && g.gapMs === s.gapMs && g.backend === s.backend
    && (g.kernel === s.kernel || (g.kernelSeries && s.kernel.startsWith(g.kernelSeries + ".") && versionAtLeast(s.kernel, g.kernel))));
}

const RANGES = [["all", "whole history", 0], ["1d", "last day", 1], ["7d", "last 7 days", 7], ["30d", "last 30 days", 30], ["365d", "last year", 365]];

async function seriesPage(params) {
  const kernel = params.get("kernel") || "", other = params.get("compare") || "";
  const variant = params.get("variant") || "clock-realtime", gapMs = params.get("gapMs") || "10", range = params.get("range") || "all";
  const [agents, sweeps] = await Promise.all([api("/api/v1/agents"), api("/api/v1/sweeps?size=10").catch(() => null)]);
  const known = [...new Set(agents.flatMap(a => (a.targets || []).map(t => t.kernelRelease))
    .concat(sweeps ? sweeps.items.flatMap(s => s.kernels) : []))].sort((a, b) => versionAtLeast(a, b) ? 1 : -1);
  const field = (name, input, help) => el("label", {}, name, input, el("span", { class: "field-error", "data-field": name }),
    help ? el("span", { class: "muted" }, help) : null);
  const form = el("form", { class: "inline", id: "series-form" },
    field("kernel", el("input", { name: "kernel", value: kernel, list: "kernels", placeholder: "sim:6.12.112", required: "" })),
    field("variant", el("select", { name: "variant" }, ["clock-realtime", "clock-frozen", "clock-guest"].map(v =>
      el("option", { value: v, selected: v === variant ? "" : null }, v)))),
    field("gapMs", el("input", { name: "gapMs", value: gapMs, inputmode: "numeric", size: 6 })),
    field("compare", el("input", { name: "compare", value: other, list: "kernels", placeholder: "none" }), "a second kernel, side by side"),
    field("range", el("select", { name: "range" }, RANGES.map(([v, label]) => el("option", { value: v, selected: v === range ? "" : null }, label)))),
    el("button", { class: "primary", type: "submit" }, "Show"),
    el("datalist", { id: "kernels" }, known.map(k => el("option", { value: k }))));
  form.addEventListener("submit", ev => {
    ev.preventDefault();
    const q = new URLSearchParams();
    for (const [k, v] of new FormData(form)) if (String(v).trim()) q.set(k, String(v).trim());
    location.hash = "#/series?" + q;
  });
  const intro = el("p", { class: "muted" }, "errorNs (steal delta minus the midpoint of its host bracket) of one kernel, variant and gap over time, "
    + "downsampled by the server: per time bucket the median, and the p5..p95 band. Change points and regressions are marked.");
  if (!kernel) { show(el("h1", {}, "Series"), intro, form); return; }

  const days = (RANGES.find(r => r[0] === range) || RANGES[0])[2];
  const window_ = days ? { from: new Date(Date.now() - days * 864e5).toISOString(), to: new Date().toISOString() } : {};
  const points = k => api("/api/v1/series/points?" + new URLSearchParams({ kernel: k, variant, gapMs, buckets: 200, ...window_ })).catch(e => e);
  const [a, b, compared, regressions] = await Promise.all([points(kernel), other ? points(other) : null,
    other ? api("/api/v1/compare?" + new URLSearchParams({ base: other, head: kernel, variant, gapMs })).catch(e => e) : null,
    api("/api/v1/regressions?size=500").catch(() => ({ items: [] }))]);

  const panels = [[a, "kernel"], [b, "compare"]].filter(([s]) => s);
  for (const [s, name] of panels) {
    if (s instanceof Problem) {
      const slot = form.querySelector('[data-field="' + (s.body.field === "kernel" ? name : s.body.field) + '"]');
      const message = s.body.errors && s.body.errors.length ? s.body.errors[0].message : s.message;
      if (slot) slot.textContent = (name === "compare" ? other : kernel) + ": " + message.replace(/^no measurements of kernel '[^']*'/, "no measurements");
    }
  }
  const drawn = panels.filter(([s]) => !(s instanceof Problem));
  const all = drawn.flatMap(([s]) => s.points);
  const yRange = all.length ? [Math.min(...all.map(p => p.p5ErrorNs)) / 1e6, Math.max(...all.map(p => p.p95ErrorNs)) / 1e6] : null;
  const sideBySide = drawn.length === 2 && view.clientWidth >= 900;
  const holders = drawn.map(([s]) => {
    const chart = el("div", { class: "chart series-chart" });
    const marks = regressionsOf(regressions.items || [], s);
    const section = el("section", { class: "series-panel" },
      el("h2", {}, s.kernel, " ", simLabel(s.simulated), el("span", { class: "muted" }, " " + s.variant + " @ " + s.gapMs + " ms, " + s.backend)),
      el("p", { class: "muted" }, s.measurements + " measurements in " + s.points.length + " of " + s.buckets + " time buckets of " + duration(s.bucketMs)
        + " · " + when(s.from) + " – " + when(s.to)),
      chart,
      markerTable(s, marks),
      el("details", {}, el("summary", {}, "the numbers per bucket"),
        table(["bucket start", "n", "runs", "median ms", "p5 ms", "p95 ms", "min ms", "max ms"], s.points.map(p => el("tr", {},
          el("td", {}, when(p.start)), el("td", { class: "num" }, p.n), el("td", { class: "num" }, p.runs),
          el("td", { class: "num" }, ms(p.medianErrorNs)), el("td", { class: "num" }, ms(p.p5ErrorNs)), el("td", { class: "num" }, ms(p.p95ErrorNs)),
          el("td", { class: "num" }, ms(p.minErrorNs)), el("td", { class: "num" }, ms(p.maxErrorNs)))))));
    return { s, chart, section, marks };
  });
  show(el("h1", {}, "Series"), intro, form,
    compared && !(a instanceof Problem) && !(b instanceof Problem) ? verdictBox(compared, kernel, other) : null,
    el("div", { class: sideBySide ? "side-by-side" : "", id: "series-panels" }, holders.map(h => h.section)));
  // drawn once in the page, so each chart takes the width its column really has
  window.gapwatchSeriesCharts = holders.map(h => drawSeriesChart(h.chart, h.s, h.marks, yRange, h.chart.clientWidth));
}

function duration(msValue) {
  const units = [[864e5, "d"], [36e5, "h"], [6e4, "min"], [1e3, "s"]];
  for (const [size, unit] of units) if (msValue >= size) return (msValue / size).toFixed(msValue % size ? 1 : 0) + " " + unit;
  return msValue + " ms";
}

function markerTable(s, regressions) {
  const rows = s.changePoints.map(c => el("tr", {}, el("td", {}, "change point"), el("td", {}, when(c.at)),
    el("td", { class: "wrap" }, "median error " + ms(c.meanBeforeNs) + " → " + ms(c.meanAfterNs) + " ms (p " + c.pValue.toExponential(1) + ")")))
    .concat(regressions.map(g => el("tr", {}, el("td", {}, "regression " + g.id, el("br"), el("span", { class: "verdict FAIL" }, g.state), " ", simLabel(g.simulated)),
      el("td", {}, when(g.firstSeenAt)), el("td", { class: "wrap" }, g.kind + " since " + g.kernel + (g.baselineKernel ? ", against " + g.baselineKernel : "")
        + (g.bisection ? " · bisection " + g.bisection.state + (g.bisection.firstBad ? ": first bad " + g.bisection.firstBad : "") : "")))));
  return rows.length ? table(["marked", "at", "what"], rows, null) : el("p", { class: "muted" }, "no change point or regression in this range");
}

function verdictBox(c, head, base) {
  if (c instanceof Problem) return el("div", { class: "problem", id: "compare-verdict" }, "Compare: " + c.message);
  return el("section", { id: "compare-verdict", class: "verdict-box" },
    el("h2", {}, "Compare ", head, " against ", base, " ", simLabel(c.simulated)),
    table(["backend", "variant", "gap ms", "verdict", "median error ms (base → head)", "p (errorNs)", "why"], c.series.map(r => {
      const rank = (r.tests || []).find(t => t.metric === "errorNs") || (r.tests || [])[0];
      return el("tr", {}, el("td", {}, r.backend), el("td", {}, r.variant), el("td", { class: "num" }, r.gapMs),
        el("td", {}, el("span", { class: "category " + r.category }, r.category)),
        el("td", { class: "num" }, ms(r.base.medianErrorNs) + " → " + ms(r.head.medianErrorNs)),
        el("td", { class: "num" }, rank && rank.pValue !== null ? rank.pValue.toExponential(1) : ""),
        el("td", { class: "wrap" }, r.reason || ""));
    }), "compare"));
}

// The median over time with the p5..p95 band between, change points (dashed) and regressions (red) as lines.
function drawSeriesChart(target, s, marks, yRange, width) {
  const half = s.bucketMs / 2000;
  // Empty buckets are not sent. Where measurements stopped for much longer than they usually come (5 times the
  // median spacing: a nightly series is joined night to night, bursts minutes apart are not), a null breaks the
  // lines and the band rather than drawing a level nobody measured across the gap.
  const starts = s.points.map(p => Date.parse(p.start));
  const spacing = starts.slice(1).map((t, i) => t - starts[i]).sort((a, b) => a - b);
  const usual = spacing.length ? spacing[Math.floor(spacing.length / 2)] : 0;
  const rows = [];
  s.points.forEach((p, i) => {
    rows.push(p);
    if (i + 1 < starts.length && starts[i + 1] - starts[i] > Math.max(5 * usual, s.bucketMs)) {
      rows.push({ start: new Date(starts[i] + s.bucketMs).toISOString() });
    }
  });
  const x = rows.map(p => Date.parse(p.start) / 1000 + half);
  const val = (p, k) => p[k] === undefined ? null : p[k] / 1e6;
  const lines = s.changePoints.map(c => ({ t: Date.parse(c.at) / 1000, color: "#bf8700", dash: [6, 4], label: "change point" }))
    .concat(marks.map(g => ({ t: Date.parse(g.firstSeenAt) / 1000, color: "#cf222e", dash: [], label: "regression " + g.id })));
  const ts = x.concat(lines.map(l => l.t));
  const pad = ts.length && Math.max(...ts) > Math.min(...ts) ? (Math.max(...ts) - Math.min(...ts)) * 0.03 : 1800;
  const data = [x, rows.map(p => val(p, "p5ErrorNs")), rows.map(p => val(p, "p95ErrorNs")), rows.map(p => val(p, "medianErrorNs"))];
  const chart = new uPlot({
    width: Math.max(260, Math.min(1100, width)), height: 300,
    scales: {
      x: { time: true, range: () => [Math.min(...ts) - pad, Math.max(...ts) + pad] },
      y: { range: (u, min, max) => { const [lo, hi] = yRange || [min, max]; const m = (hi - lo) * 0.1 || 0.5; return [lo - m, hi + m]; } },
    },
    axes: [{}, { label: "errorNs (ms)" }],
    series: [{ label: "time" },
      { label: "p5", stroke: "#8c959f", width: 1, points: { show: false } },
      { label: "p95", stroke: "#cf222e", width: 1, dash: [4, 3], points: { show: false } },
      { label: "median", stroke: "#0969da", width: 2, points: { size: 6, fill: "#0969da" } }],
    bands: [{ series: [2, 1], fill: "rgba(9, 105, 218, 0.15)" }],
    hooks: { draw: [u => {
      const ctx = u.ctx, r = devicePixelRatio;
      ctx.save();
      for (const l of lines) {
        const cx = u.valToPos(l.t, "x", true);
        ctx.strokeStyle = l.color; ctx.fillStyle = l.color; ctx.lineWidth = 2 * r; ctx.setLineDash(l.dash.map(d => d * r));
        ctx.beginPath(); ctx.moveTo(cx, u.bbox.top); ctx.lineTo(cx, u.bbox.top + u.bbox.height); ctx.stroke();
        ctx.font = (11 * r) + "px system-ui, sans-serif"; ctx.fillText(l.label, cx + 4 * r, u.bbox.top + 12 * r);
      }
      ctx.restore();
    }] },
  }, data, target);
  chart.gapwatchMarks = lines; // the browser tests read what was marked, and how many buckets the server sent
  chart.gapwatchBuckets = s.points.length;
  return chart;
}

// ---- trigger a run or a sweep

// A problem+json's errors next to the fields they name (matrix.gapsMs[1] -> gapsMs); the rest above the button.
function showProblems(form, e, slotOf) {
  const errors = (e.body && e.body.errors && e.body.errors.length) ? e.body.errors : [{ field: e.body && e.body.field, message: e.message }];
  const rest = [];
  for (const x of errors) {
    const name = x.field ? slotOf(x.field) : null;
    const slot = name && form.querySelector('[data-field="' + name + '"]');
    if (slot) slot.textContent = (slot.textContent ? slot.textContent + "; " : "") + x.field + ": " + x.message;
    else rest.push(x.field ? x.field + ": " + x.message : x.message);
  }
  if (rest.length) form.querySelector(".form-problem").replaceChildren(el("p", { class: "problem" }, (e.status ? "HTTP " + e.status + ": " : "") + rest.join("; ")));
}

function clearProblems(form) {
  form.querySelectorAll(".field-error").forEach(s => s.textContent = "");
  form.querySelector(".form-problem").replaceChildren();
}

const asNumber = v => /^-?\d+$/.test(v.trim()) ? Number(v) : v;
const field = (name, input, help) => el("label", {}, name, input, el("span", { class: "field-error", "data-field": name }),
  help ? el("span", { class: "muted" }, help) : null);

function newRunPage() {
  const runForm = el("form", { class: "stack", id: "new-run" },
    field("variant", el("select", { name: "variant" }, ["clock-realtime", "clock-frozen", "clock-guest"].map(v => el("option", { value: v }, v)))),
    field("gapMs", el("input", { name: "gapMs", value: "10", inputmode: "numeric" }), "1 to 60000"),
    field("iterations", el("input", { name: "iterations", value: "3", inputmode: "numeric" }), "1 to 1000"),
    field("kernel", el("input", { name: "kernel", placeholder: "any" }), "a kernel an agent serves, e.g. 6.12.117+deb12-amd64 or sim:6.12-model"),
    field("backend", el("select", { name: "backend" }, ["", "sim", "kvm", "lab"].map(v => el("option", { value: v }, v || "any")))),
    el("div", { class: "form-problem", id: "form-problem" }),
    el("button", { class: "primary", type: "submit" }, "Trigger run"));
  runForm.addEventListener("submit", async ev => {
    ev.preventDefault();
    clearProblems(runForm);
    const f = new FormData(runForm);
    const target = {};
    if (f.get("kernel")) target.kernel = f.get("kernel");
    if (f.get("backend")) target.backend = f.get("backend");
    const body = { variant: f.get("variant"), gapMs: asNumber(f.get("gapMs")), iterations: asNumber(f.get("iterations")), target };
    try {
      const run = await api("/api/v1/runs", { method: "POST", body: JSON.stringify(body) });
      location.hash = "#/runs/" + run.id;
    } catch (e) {
      showProblems(runForm, e, name => name.replace(/^target\./, "").replace(/^kernelRelease$/, "kernel"));
    }
  });

  const list = v => v.split(/[\s,]+/).filter(Boolean);
  const sweepForm = el("form", { class: "stack", id: "new-sweep" },
    field("kernels", el("input", { name: "kernels", placeholder: "every kernel the agents serve" }), "comma-separated, e.g. sim:6.12.107, sim:6.12.111"),
    el("fieldset", {}, el("legend", {}, "variants"), ["clock-realtime", "clock-frozen", "clock-guest"].map(v =>
      el("label", { class: "check" }, el("input", { type: "checkbox", name: "variants", value: v, checked: v === "clock-guest" ? null : "" }), v)),
      el("span", { class: "field-error", "data-field": "variants" })),
    field("gapsMs", el("input", { name: "gapsMs", value: "10" }), "comma-separated, each 1 to 60000"),
    field("iterations", el("input", { name: "iterations", value: "5", inputmode: "numeric" }), "per run, 1 to 1000"),
    field("repeats", el("input", { name: "repeats", value: "1", inputmode: "numeric" }), "runs per cell, 1 to 100"),
    field("backend", el("select", { name: "backend" }, ["", "sim", "kvm", "lab"].map(v => el("option", { value: v }, v || "any")))),
    field("baseline", el("input", { name: "baseline", placeholder: "none" }), "compare every kernel with this one's series"),
    el("div", { class: "form-problem" }),
    el("button", { class: "primary", type: "submit" }, "Trigger sweep"));
  sweepForm.addEventListener("submit", async ev => {
    ev.preventDefault();
    clearProblems(sweepForm);
    const f = new FormData(sweepForm);
    const matrix = { variants: f.getAll("variants"), gapsMs: list(f.get("gapsMs")).map(asNumber),
      iterations: asNumber(f.get("iterations")), repeats: asNumber(f.get("repeats")) };
    if (f.get("kernels").trim()) matrix.kernels = list(f.get("kernels"));
    if (f.get("backend")) matrix.backend = f.get("backend");
    const body = { matrix };
    if (f.get("baseline").trim()) body.baseline = { kernel: f.get("baseline").trim() };
    try {
      const sweep = await api("/api/v1/sweeps", { method: "POST", body: JSON.stringify(body) });
      location.hash = "#/sweeps/" + sweep.id;
    } catch (e) {
      showProblems(sweepForm, e, name => name.replace(/^matrix\./, "").replace(/\[\d+\]$/, "").replace(/^baseline(\.kernel)?$/, "baseline"));
    }
  });
  show(el("h1", {}, "Trigger a run or a sweep"), el("p", { class: "muted" }, "Operators and admins may trigger; a viewer's token is refused (403)."),
    el("div", { class: "forms" }, el("section", {}, el("h2", {}, "A run"), runForm), el("section", {}, el("h2", {}, "A sweep"), sweepForm)));
}

// ---- routing

async function route() {
  clearTimeout(refresh);
  navigation++;
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
    else if (parts[0] === "series") await seriesPage(params);
    else if (parts[0] === "regressions") await regressionsPage(params);
    else if (parts[0] === "bisections" && parts[1]) await bisectionPage(parts[1]);
    else if (parts[0] === "bisections") await bisectionsPage(params);
    else if (parts[0] === "new") newRunPage();
    else show(el("h1", {}, "Not found"), el("p", {}, el("a", { href: "#/" }, "Overview")));
  } catch (e) {
    if (e.status !== 401) show(el("h1", {}, "Could not load this page"), problemBox(e));
  }
}

document.getElementById("sign-out").addEventListener("click", () => signOut("Signed out: the token is forgotten by this tab.", true));
window.addEventListener("hashchange", route);
route();
