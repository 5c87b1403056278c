// The report page: linked charts (Vega-Lite, spec built by pipeline/report.py with Altair), the
// claims table, article views and speaker pages, all from the JSON embedded in this file.
// Text is only ever written with textContent / text nodes, never as HTML.
(function () {
  "use strict";
  const DATA = JSON.parse(document.getElementById("report-data").textContent);
  const SPEC = JSON.parse(document.getElementById("report-spec").textContent);
  const meta = DATA.meta, V = DATA.values, C = DATA.claims, D = DATA.docs, E = DATA.entities;
  const UNKNOWN = "unknown";
  const PAGE = 50;
  const NOUN = meta.present.change ? "quotes" : "claims";
  const app = document.getElementById("app");

  // ---------------------------------------------------------------- small DOM helpers
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v == null || v === false) continue;
      if (k === "class") node.className = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : String(v));
    }
    for (const child of children.flat()) {
      if (child == null) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }
  // replaceChildren/append would write null as the text "null": skip empty parts.
  const fill = (node, ...kids) => node.replaceChildren(...kids.flat().filter((k) => k != null));
  const txt = (value) => (value == null || value === "" ? el("span", { class: "unknown" }, UNKNOWN) : String(value));
  const safeUrl = (url) => (url && /^https?:\/\//i.test(url) ? url : null);
  const cssName = (value) => String(value).replace(/[^A-Za-z0-9_-]/g, "_");

  // ---------------------------------------------------------------- claims as rows
  const labels = meta.labels || {};
  const taxOf = meta.taxonomy_of || [];
  const state = {
    taxonomy: meta.taxonomies.length ? meta.taxonomies[0].id : null,
    filters: { q: "", speaker: "", issue: "", outlet: "", from: "", to: "", type: "", kind: "", resolution: "",
               gender: "", rule: "", change: "" },
    sort: { key: null, dir: 1 }, page: 0, view: null,
  };
  const issueName = (t) => labels[V.topic[t]] || V.topic[t];
  const rows = [];
  const byDoc = D.id.map(() => []);
  for (let i = 0; i < C.doc.length; i++) {
    const d = C.doc[i];
    const content = C.content[i] != null ? C.content[i] : D.text[d].slice(C.start[i], C.end[i]);
    const row = {
      i, doc: d, speaker: V.speaker[C.speaker[i]], outlet: V.outlet[C.outlet[i]], type: V.type[C.type[i]],
      kind: V.kind[C.kind[i]], gender: V.gender[C.gender[i]], resolution: V.resolution[C.resolution[i]],
      cue: V.cue[C.cue[i]], rule: V.rule[C.rule[i]], date: C.date[i], content, written: C.written[i],
      title: C.title[i], phrase: C.phrase[i], change: V.change[C.change[i]], changes: C.changes[i],
      issue: UNKNOWN, issues: [], t: null, search: null,
    };
    if (row.date) {
      const parsed = new Date(row.date.length <= 10 ? row.date + "T00:00:00" : row.date);
      if (!isNaN(parsed)) {
        row.t = meta.time_unit === "yearmonthdate"
          ? new Date(parsed.getFullYear(), parsed.getMonth(), parsed.getDate()).getTime()
          : new Date(parsed.getFullYear(), parsed.getMonth(), 1).getTime();
      }
    }
    rows.push(row);
    byDoc[d].push(i);
  }

  function applyTaxonomy() {
    for (const row of rows) {
      const mine = C.topics[row.i].filter((t) => taxOf[t] === state.taxonomy);
      row.issues = mine.map(issueName);
      row.issue = row.issues.length ? row.issues[0] : UNKNOWN;   // topics are ranked: the first is the main one
    }
  }
  applyTaxonomy();

  // ---------------------------------------------------------------- filters
  function haystack(row) {
    if (row.search === null) {
      row.search = [row.content, row.speaker, row.written, row.cue, row.outlet, row.issues.join(" "),
                    D.title[row.doc], D.id[row.doc]].join(" \u0001 ").toLowerCase();
    }
    return row.search;
  }
  function tablePredicate() {
    const f = state.filters;
    const words = f.q.toLowerCase().split(/\s+/).filter(Boolean);
    return (row) => {
      if (f.speaker && row.speaker !== f.speaker) return false;
      if (f.outlet && row.outlet !== f.outlet) return false;
      if (f.type && row.type !== f.type) return false;
      if (f.kind && row.kind !== f.kind) return false;
      if (f.gender && row.gender !== f.gender) return false;
      if (f.resolution && row.resolution !== f.resolution) return false;
      if (f.rule && row.rule !== f.rule) return false;
      if (f.change && row.change !== f.change) return false;
      if (f.issue && !(f.issue === UNKNOWN ? row.issues.length === 0 : row.issues.includes(f.issue))) return false;
      if (f.from && !(row.date && row.date.slice(0, 10) >= f.from)) return false;
      if (f.to && !(row.date && row.date.slice(0, 10) <= f.to)) return false;
      if (words.length) {
        const hay = haystack(row);
        for (const w of words) if (!hay.includes(w)) return false;
      }
      return true;
    };
  }

  // Selections made in the charts, read from the Vega-Lite selection stores.
  const PICKS = (SPEC && SPEC.params ? SPEC.params.map((p) => p.name) : []).filter((n) => n.startsWith("pick_"));
  function chartTuples() {
    const out = [];
    if (!state.view) return out;
    for (const name of PICKS) {
      let tuples = [];
      try { tuples = state.view.data(name + "_store") || []; } catch (e) { tuples = []; }
      if (tuples.length) out.push({ name, tuples });
    }
    return out;
  }
  function fieldValue(row, field) {
    if (field in row) return row[field];
    if (/date$/.test(field)) return row.t;     // a time unit of the date (yearmonth_date, ...)
    return undefined;
  }
  function matches(row, tuple) {
    return tuple.fields.every((f, k) => {
      const want = tuple.values[k];
      const have = fieldValue(row, f.field);
      if (f.type === "E") return f.field === "issue" ? row.issue === want : have === want;
      if (have == null) return false;
      const lo = Math.min(+want[0], +want[1]), hi = Math.max(+want[0], +want[1]);
      return have >= lo && have <= hi;
    });
  }
  function chartPredicate(selections) {
    return (row) => selections.every((s) => s.tuples.some((t) => matches(row, t)));
  }
  function describe(selections) {
    return selections.map((s) => s.tuples.map((t) => t.fields.map((f, k) => {
      const v = t.values[k];
      if (f.type === "E") return `${f.field} = ${v}`;
      const fmt = (x) => new Date(+x).toISOString().slice(0, 10);
      return `date ${fmt(Math.min(+v[0], +v[1]))} – ${fmt(Math.max(+v[0], +v[1]))}`;
    }).join(", ")).join(" or "));
  }

  // ---------------------------------------------------------------- the main view
  const main = el("section", { id: "main" });
  const chartsBox = el("div", { id: "charts" });
  const chips = el("div", { class: "chips", id: "chart-selection" });
  const countBox = el("span", { id: "count" });
  const tbody = el("tbody");
  const thead = el("thead");
  const table = el("table", { id: "claims" }, thead, tbody);
  const pager = el("div", { class: "pager" });
  const other = el("section", { id: "other", hidden: true });

  function distinct(key) {
    const counts = new Map();
    for (const row of rows) {
      const values = key === "issue" ? (row.issues.length ? row.issues : [UNKNOWN]) : [row[key]];
      for (const v of values) counts.set(v, (counts.get(v) || 0) + 1);
    }
    return [...counts.entries()].sort((a, b) => b[1] - a[1] || String(a[0]).localeCompare(String(b[0])));
  }
  function select(key, label) {
    const node = el("select", { id: "filter-" + key, onchange: (ev) => setFilter(key, ev.target.value) },
      el("option", { value: "" }, "all"),
      distinct(key).map(([v, n]) => el("option", { value: v }, `${v} (${n})`)));
    node.value = state.filters[key];
    return el("label", {}, label, node);
  }
  const filterBox = el("div", { class: "controls", id: "filters" });
  function buildFilters() {
    filterBox.replaceChildren();
    const search = el("input", { type: "search", id: "search", placeholder: "words in the quote, speaker, cue…",
                                 value: state.filters.q });
    let timer = null;
    search.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(() => setFilter("q", search.value), 150);
    });
    const speakers = el("datalist", { id: "speaker-list" },
      distinct("speaker").slice(0, 5000).map(([v, n]) => el("option", { value: v }, `${n} claims`)));
    const speaker = el("input", { id: "filter-speaker", list: "speaker-list", placeholder: "any speaker",
                                  value: state.filters.speaker });
    speaker.addEventListener("change", () => setFilter("speaker", speaker.value.trim()));
    filterBox.append(el("label", {}, "search", search), el("label", {}, "speaker", speaker, speakers),
                     select("issue", "issue"));
    if (meta.present.outlet) filterBox.append(select("outlet", "outlet"));
    if (meta.present.date) {
      for (const [key, label] of [["from", "from date"], ["to", "to date"]]) {
        const input = el("input", { type: "date", id: "filter-" + key, value: state.filters[key] });
        input.addEventListener("change", () => setFilter(key, input.value));
        filterBox.append(el("label", {}, label, input));
      }
    }
    filterBox.append(select("type", "type"));
    if (meta.present.kind) filterBox.append(select("kind", "kind"));
    if (meta.present.gender) filterBox.append(select("gender", "speaker gender"));
    filterBox.append(select("resolution", "resolution"), select("rule", "rule"));
    if (meta.present.change) filterBox.append(select("change", "change"));
    if (meta.taxonomies.length > 1) {
      const tax = el("select", { id: "taxonomy", onchange: (ev) => {
        state.taxonomy = ev.target.value; state.filters.issue = ""; applyTaxonomy();
        for (const row of rows) row.search = null;
        buildFilters(); refresh();
        document.body.removeAttribute("data-charts");
        drawCharts(document.getElementById("vis"));   // new colours and legend for this taxonomy
      } }, meta.taxonomies.map((t) => el("option", { value: t.id }, `${t.id} (${t.claims} claims)`)));
      tax.value = state.taxonomy;
      filterBox.append(el("label", {}, "issues from", tax));
    }
    filterBox.append(el("button", { id: "reset", onclick: resetAll }, "reset all"));
  }
  function setFilter(key, value) {
    state.filters[key] = value;
    state.page = 0;
    if (key !== "q") {
      const input = document.getElementById("filter-" + key);
      if (input && input.value !== value) input.value = value;
    }
    refresh();                         // the table first; the charts re-aggregate just after
    scheduleChartData();
  }
  let chartTimer = null;
  function scheduleChartData() {
    clearTimeout(chartTimer);
    chartTimer = setTimeout(pushChartData, 0);
  }
  function resetAll() {
    for (const key of Object.keys(state.filters)) state.filters[key] = "";
    clearCharts();
    buildFilters();
    pushChartData();
    refresh();
  }
  function clearCharts() {
    if (!state.view) return;
    for (const name of PICKS) {
      try { state.view.remove(name + "_store", () => true); } catch (e) { /* not in this spec */ }
    }
    state.view.run();
  }

  const COLUMNS = [
    { key: "change", label: "change", when: () => meta.present.change },
    { key: "date", label: "date" },
    { key: "outlet", label: "outlet", when: () => meta.present.outlet },
    { key: "speaker", label: "speaker" },
    { key: "type", label: "type" },
    { key: "cue", label: "cue" },
    { key: "content", label: "quote" },
    { key: "issue", label: "issue" },
    { key: "resolution", label: "resolution" },
    { key: "rule", label: "rule", when: () => meta.present.change },
    { key: "changes", label: "what changed", when: () => meta.present.change },
  ];
  function sortValue(row, key) {
    const v = row[key];
    return v == null || v === UNKNOWN ? null : v;
  }
  function buildHead() {
    const tr = el("tr");
    for (const col of COLUMNS) {
      if (col.when && !col.when()) continue;
      const sorted = state.sort.key === col.key ? (state.sort.dir > 0 ? " sorted-asc" : " sorted-desc") : "";
      tr.append(el("th", { class: "sortable" + sorted, "data-key": col.key, onclick: () => {
        state.sort = { key: col.key, dir: state.sort.key === col.key ? -state.sort.dir : 1 };
        state.page = 0; buildHead(); refresh();
      } }, col.label));
    }
    thead.replaceChildren(tr);
  }

  let current = rows;
  function refresh() {
    const selections = chartTuples();
    const pick = chartPredicate(selections);
    const keep = tablePredicate();
    current = rows.filter((row) => keep(row) && pick(row));
    if (state.sort.key) {
      const key = state.sort.key, dir = state.sort.dir;
      current.sort((a, b) => {
        const x = sortValue(a, key), y = sortValue(b, key);
        if (x === y) return a.i - b.i;
        if (x === null) return 1;                  // unknown last, whichever the direction
        if (y === null) return -1;
        return (x < y ? -1 : 1) * dir;
      });
    }
    fill(chips, ...describe(selections).map((s) => el("span", { class: "chip" }, "chart: " + s)));
    if (selections.length) chips.append(el("button", { id: "clear-charts", onclick: () => { clearCharts(); refresh(); } },
                                           "clear chart selection"));
    countBox.textContent = `${current.length} of ${rows.length} ${NOUN}`;
    table.setAttribute("data-count", current.length);
    const pages = Math.max(1, Math.ceil(current.length / PAGE));
    state.page = Math.min(state.page, pages - 1);
    const shown = current.slice(state.page * PAGE, (state.page + 1) * PAGE);
    tbody.replaceChildren(...shown.map(rowNode));
    pager.replaceChildren(
      el("button", { id: "prev", disabled: state.page === 0, onclick: () => { state.page--; refresh(); } }, "‹ previous"),
      el("span", { id: "page" }, `page ${state.page + 1} of ${pages}`),
      el("button", { id: "next", disabled: state.page >= pages - 1, onclick: () => { state.page++; refresh(); } }, "next ›"));
  }
  function speakerLink(row) {
    if (row.speaker === UNKNOWN) return el("span", { class: "unknown" }, UNKNOWN);
    return el("a", { class: "speaker", href: "#speaker=" + C.speaker[row.i] }, row.speaker);
  }
  function rowNode(row) {
    const clip = row.content.length > 320 ? row.content.slice(0, 317) + "…" : row.content;
    const cells = [
      meta.present.change ? el("td", { class: "change change-" + cssName(row.change) }, row.change) : null,
      el("td", { class: row.date ? "" : "unknown" }, row.date || UNKNOWN),
      meta.present.outlet ? el("td", { class: row.outlet === UNKNOWN ? "unknown" : "" }, row.outlet) : null,
      el("td", {}, speakerLink(row), row.written && row.written !== row.speaker
        ? el("div", { class: "meta" }, "as written: " + row.written) : null),
      el("td", {}, row.type, meta.present.kind ? el("div", { class: "meta" }, row.kind) : null),
      el("td", {}, row.cue === UNKNOWN ? "" : row.cue),
      el("td", { class: "quote" }, el("a", { class: "open", href: `#doc=${row.doc}&q=${row.i}`,
                                             title: "open the article" }, clip)),
      el("td", { class: row.issues.length ? "" : "unknown" }, row.issues.length ? row.issues.join(", ") : UNKNOWN),
      el("td", {}, row.resolution),
      meta.present.change ? el("td", {}, el("code", {}, row.rule)) : null,
      meta.present.change ? el("td", {}, row.changes || "") : null,
    ];
    return el("tr", { "data-claim": row.i }, cells.filter((c) => c != null));
  }

  // ---------------------------------------------------------------- charts
  function chartRows(list) {
    return list.map((r) => ({ i: r.i, speaker: r.speaker, issue: r.issue, outlet: r.outlet, date: r.date,
                              type: r.type, kind: r.kind, gender: r.gender, rule: r.rule, change: r.change }));
  }
  function pushChartData() {
    if (!state.view) return;
    const keep = tablePredicate();
    state.view.remove("claims", () => true).insert("claims", chartRows(rows.filter(keep))).run();
  }
  // The issue colours of the chosen taxonomy: its issues by claim count, "unknown" last and grey
  // (as pipeline/report.py issue_colours does for the first taxonomy).
  function issueScale() {
    const names = (meta.issues[state.taxonomy] || []).concat([UNKNOWN]);
    const range = names.map((_, k) => (k === names.length - 1 ? meta.unknown_colour : meta.palette[k % meta.palette.length]));
    return { domain: names, range };
  }
  function specForTaxonomy() {
    const spec = JSON.parse(JSON.stringify(SPEC));
    const scale = issueScale();
    (function walk(node) {
      if (Array.isArray(node)) return node.forEach(walk);
      if (!node || typeof node !== "object") return;
      if (node.field === "issue" && node.scale && node.scale.domain) node.scale = Object.assign({}, node.scale, scale);
      Object.values(node).forEach(walk);
    })(spec);
    return Object.assign(spec, { datasets: { claims: chartRows(rows.filter(tablePredicate())) } });
  }
  function embedCharts() {
    if (!SPEC || typeof vegaEmbed === "undefined") {
      chartsBox.append(el("p", { class: "note" }, "Charts unavailable in this file."));
      return;
    }
    if (!rows.length) {
      chartsBox.append(el("p", { class: "note", id: "no-rows" }, meta.present.change
        ? "No quote differs between the two runs." : "No claims in these outputs."));
      document.body.setAttribute("data-charts", "ready");
      return;
    }
    const notes = [];
    if (!meta.present.date && !meta.present.change) notes.push("No dates in these outputs: no chart over time.");
    if (!meta.present.gender && !meta.present.change) notes.push("No speaker gender column (claims.speaker_gender) yet: no gender chart.");
    const unknownSpeakers = rows.filter((r) => r.speaker === UNKNOWN).length;
    if (unknownSpeakers) notes.push(`${unknownSpeakers} claims without a resolved speaker are not in the speaker chart; the table lists them as “unknown”.`);
    const undated = rows.filter((r) => !r.date).length;
    if (meta.present.date && undated) notes.push(`${undated} claims without a date are not in the chart over time.`);
    notes.push("Click a bar or cell to select it (shift-click adds), click an empty spot to clear; each selection filters the other charts and the table.");
    const target = el("div", { id: "vis" });
    chartsBox.append(target, ...notes.map((n) => el("p", { class: "note" }, n)));
    drawCharts(target);
  }
  function drawCharts(target) {
    if (state.view) { state.view.finalize(); state.view = null; }
    const started = performance.now();
    // logLevel 1 = errors only: a filter that leaves no claim makes empty charts, which Vega warns about
    vegaEmbed(target, specForTaxonomy(), { renderer: "svg", actions: false, logLevel: 1 }).then((result) => {
      state.view = result.view;
      document.body.setAttribute("data-chart-ms", Math.round(performance.now() - started));
      for (const name of PICKS) {
        try { state.view.addSignalListener(name, () => scheduleRefresh()); } catch (e) { /* not in this spec */ }
      }
      document.body.setAttribute("data-charts", "ready");
      scheduleRefresh();                 // a new view starts without selections
    }).catch((err) => {
      chartsBox.append(el("p", { class: "error" }, "Charts failed: " + err));
      console.error(err);
    });
  }
  let pending = false;
  function scheduleRefresh() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; state.page = 0; refresh(); });
  }

  // ---------------------------------------------------------------- article view
  const LAYER = { quote: 0, cue: 1, speaker: 1, entity: 2 };
  function highlight(text, start, end, spans) {
    const inside = spans.filter((s) => s.start < end && s.end > start && s.end > s.start);
    const cuts = new Set([start, end]);
    for (const s of inside) { cuts.add(Math.max(s.start, start)); cuts.add(Math.min(s.end, end)); }
    const points = [...cuts].sort((a, b) => a - b);
    const out = [];
    for (let k = 0; k + 1 < points.length; k++) {
      const a = points[k], b = points[k + 1];
      const covering = inside.filter((s) => s.start <= a && s.end >= b)
        .sort((x, y) => LAYER[x.kind] - LAYER[y.kind] || x.start - y.start || y.end - x.end);
      let node = document.createTextNode(text.slice(a, b));
      for (let j = covering.length - 1; j >= 0; j--) {
        const s = covering[j];
        const wrap = el("span", { class: s.css, title: s.title || null, "data-claim": s.claim });
        wrap.append(node);
        node = wrap;
      }
      out.push(node);
    }
    return out;
  }
  function docSpans(d, currentClaim) {
    const spans = [];
    for (const i of byDoc[d]) {
      const r = rows[i];
      const who = `${r.speaker} (${r.resolution})`;
      const kind = meta.present.kind ? ` · ${r.kind}` : "";
      const phrase = r.phrase ? ` · issue phrase: ${r.phrase}` : "";
      // one highlight per content piece (“A,” he said. “B.” is one quote of two pieces)
      const pieces = C.pieces && C.pieces[i] ? C.pieces[i] : [C.start[i], C.end[i]];
      for (let k = 0; k + 1 < pieces.length; k += 2) {
        spans.push({ start: pieces[k], end: pieces[k + 1], kind: "quote", claim: i,
                     css: `q q-${cssName(r.type)}${i === currentClaim ? " current" : ""}`,
                     title: `${r.type} quote${kind} · speaker: ${who} · issue: ${r.issues.join(", ") || UNKNOWN}${phrase} · rule: ${r.rule}` });
      }
      if (C.cue_start[i] >= 0 && C.cue_end[i] > C.cue_start[i]) {
        spans.push({ start: C.cue_start[i], end: C.cue_end[i], kind: "cue", css: "cue", title: `cue: ${r.cue} · rule: ${r.rule}` });
      }
      if (C.spk_start[i] >= 0 && C.spk_end[i] > C.spk_start[i]) {
        spans.push({ start: C.spk_start[i], end: C.spk_end[i], kind: "speaker", css: "spk", title: `speaker: ${who}` });
      }
    }
    for (const [s, e, label, name] of (D.mentions ? D.mentions[d] : [])) {
      spans.push({ start: s, end: e, kind: "entity", css: `ent ent-${cssName(V.label[label])}`,
                   title: `${V.label[label]}: ${V.speaker[name]}` });
    }
    return spans;
  }
  function docRanges(d) {
    const text = D.text[d];
    const quotes = byDoc[d].map((i) => [C.start[i], C.end[i]]);
    if (D.lines && D.lines[d] && D.lines[d].length) {
      return D.lines[d].filter(([s, e, kept]) => kept || quotes.some(([a, b]) => a < e && b > s))
        .map(([s, e, kept]) => [s, e, kept ? "" : "dropped"]);
    }
    const out = [];
    let pos = 0;
    for (const line of text.split("\n")) {
      if (line.trim()) out.push([pos, pos + line.length, ""]);
      pos += line.length + 1;
    }
    return out;
  }
  function showArticle(d, q) {
    if (!(d >= 0 && d < D.id.length)) return showMissing("article");
    const spans = docSpans(d, q);
    const url = safeUrl(D.url[d]);
    const topics = D.topics && D.topics[d] && D.topics[d].length
      ? el("p", { class: "meta" }, "document topics: ", D.topics[d].map(([t, s]) =>
        el("span", { class: "tag" }, `${issueName(t)}${s != null ? " " + s : ""}`))) : null;
    const legend = el("div", { class: "legend" },
      el("span", { class: "q q-direct" }, "direct"), el("span", { class: "q q-indirect" }, "indirect"),
      el("span", { class: "q q-mixed" }, "mixed"), el("span", { class: "cue" }, "cue"),
      el("span", { class: "spk" }, "speaker"), el("span", { class: "ent ent-PERSON" }, "person"),
      el("span", { class: "ent ent-ORG" }, "organisation"), el("span", { class: "ent ent-GPE" }, "place"),
      el("span", {}, "(hover a quote for its speaker and rule)"));
    const text = el("div", { class: "text", id: "article-text" },
      docRanges(d).map(([s, e, css]) => el("p", { class: css }, highlight(D.text[d], s, e, spans))));
    const list = el("table", { class: "doc-quotes" },
      el("thead", {}, el("tr", {}, ["speaker", "type", "cue", "quote", "issue", "rule"].map((h) => el("th", {}, h)))),
      el("tbody", {}, byDoc[d].map((i) => {
        const r = rows[i];
        return el("tr", { class: i === q ? "current" : "" }, el("td", {}, speakerLink(r)), el("td", {}, r.type),
          el("td", {}, r.cue), el("td", { class: "quote" }, el("a", { href: `#doc=${d}&q=${i}` }, r.content)),
          el("td", {}, r.issues.join(", ") || UNKNOWN), el("td", {}, el("code", {}, r.rule)));
      })));
    fill(other, 
      el("p", {}, el("a", { href: "#", id: "back" }, "← back to the claims")),
      el("h2", { id: "article-title" }, D.title[d] || D.id[d]),
      el("p", { class: "meta" }, [D.id[d], V.outlet[D.outlet[d]], D.date[d], D.author && D.author[d]]
        .filter((x) => x && x !== UNKNOWN).join(" · "),
         url ? [" · ", el("a", { href: url, rel: "noopener noreferrer" }, "source")] : null,
         ` · ${byDoc[d].length} quotes`),
      topics, legend, text, el("h3", {}, "Quotes in this article"), list);
    show(other);
    const target = other.querySelector(".q.current");
    if (target) target.scrollIntoView({ block: "center" });
    else window.scrollTo(0, 0);
  }

  // ---------------------------------------------------------------- speaker page
  function countBy(list, key) {
    const m = new Map();
    for (const x of list) { const k = key(x); m.set(k, (m.get(k) || 0) + 1); }
    return [...m.entries()].sort((a, b) => b[1] - a[1] || String(a[0]).localeCompare(String(b[0])));
  }
  function showSpeaker(s) {
    const name = V.speaker[s];
    if (name == null || name === UNKNOWN) return showMissing("speaker");
    const mine = rows.filter((r) => C.speaker[r.i] === s);
    const entityIds = [...new Set(mine.map((r) => C.entity[r.i]).filter((e) => e >= 0))];
    const aliases = [...new Set(entityIds.flatMap((e) => E.aliases[e]))];
    const titles = [...new Set(entityIds.flatMap((e) => E.titles[e]).concat(mine.map((r) => r.title).filter(Boolean)))];
    const resolutions = countBy(mine, (r) => r.resolution + "\u0001" + (r.written || ""));
    const byIssue = el("div", { id: "speaker-issues" });
    const overTime = el("div", { id: "speaker-time" });
    fill(other, 
      el("p", {}, el("a", { href: "#", id: "back" }, "← back to the claims"), " · ",
         el("a", { href: "#", id: "filter-to-speaker", onclick: (ev) => { ev.preventDefault(); location.hash = "";
           setFilter("speaker", name); } }, "show these claims in the table")),
      el("h2", { id: "speaker-name" }, name),
      el("p", { class: "meta" }, `${mine.length} claims in ${new Set(mine.map((r) => r.doc)).size} articles`,
         entityIds.length ? ` · entity ${entityIds.map((e) => E.id[e]).join(", ")}` : " · not linked to an entity"),
      el("div", { class: "cols" },
        el("div", {}, el("h3", {}, "Titles"), titles.length ? titles.map((t) => el("span", { class: "tag" }, t)) : txt(null),
           el("h3", {}, "Also written as"), aliases.length ? aliases.map((a) => el("span", { class: "tag" }, a)) : txt(null)),
        el("div", {}, el("h3", {}, "How each mention was resolved"),
           el("table", { id: "resolutions" }, el("thead", {}, el("tr", {}, el("th", {}, "resolution"), el("th", {}, "as written"), el("th", {}, "claims"))),
              el("tbody", {}, resolutions.map(([k, n]) => {
                const [res, written] = k.split("\u0001");
                return el("tr", {}, el("td", {}, res), el("td", {}, written ? written : txt(null)), el("td", { class: "n" }, n));
              }))))),
      el("div", { class: "cols" }, byIssue, overTime),
      el("h3", {}, "Claims"),
      el("table", {}, el("tbody", {}, mine.slice(0, 500).map((r) => el("tr", {},
        el("td", {}, r.date || UNKNOWN), el("td", {}, r.outlet), el("td", {}, r.type),
        el("td", { class: "quote" }, el("a", { href: `#doc=${r.doc}&q=${r.i}` }, r.content)),
        el("td", {}, r.issues.join(", ") || UNKNOWN))))),
      mine.length > 500 ? el("p", { class: "note" }, `… and ${mine.length - 500} more in the table.`) : null);
    show(other);
    window.scrollTo(0, 0);
    if (typeof vegaEmbed === "undefined") return;
    const values = mine.map((r) => ({ issue: r.issue, date: r.date }));
    const opts = { renderer: "svg", actions: false };
    const colour = { field: "issue", type: "nominal", title: "issue", scale: issueScale() };
    vegaEmbed(byIssue, { $schema: SPEC.$schema, title: "Claims by issue", data: { values }, mark: "bar",
      width: 300, encoding: { y: { field: "issue", type: "nominal", sort: "-x", title: null },
                              x: { aggregate: "count", type: "quantitative", title: "claims" },
                              color: Object.assign({}, colour, { legend: null }) } }, opts)
      .catch((err) => console.error(err));
    if (meta.present.date && mine.some((r) => r.date)) {
      vegaEmbed(overTime, { $schema: SPEC.$schema, title: "Claims over time", data: { values },
        transform: [{ filter: "isValid(datum.date)" }], mark: "bar", width: 320, height: 160,
        encoding: { x: { field: "date", timeUnit: meta.time_unit || "yearmonth", type: "temporal", title: "date" },
                    y: { aggregate: "count", type: "quantitative", title: "claims" },
                    color: colour } }, opts)
        .catch((err) => console.error(err));
    }
  }

  function showMissing(what) {
    fill(other, el("p", {}, el("a", { href: "#" }, "← back to the claims")),
                          el("p", { class: "error" }, `No such ${what} in this report.`));
    show(other);
  }
  function show(section) {
    main.hidden = section !== main;
    other.hidden = section !== other;
  }
  function route() {
    const params = new URLSearchParams(location.hash.slice(1));
    if (params.has("doc")) return showArticle(parseInt(params.get("doc"), 10), parseInt(params.get("q"), 10));
    if (params.has("speaker")) return showSpeaker(parseInt(params.get("speaker"), 10));
    show(main);
  }

  // ---------------------------------------------------------------- the run (manifest)
  function runTable() {
    if (!meta.stages.length) return el("p", { class: "note" }, "No manifest.json in this folder.");
    return el("table", { id: "manifest" },
      el("thead", {}, el("tr", {}, ["stage", "seconds", "rows", "config", "code"].map((h) => el("th", {}, h)))),
      el("tbody", {}, meta.stages.map((s) => el("tr", {}, el("th", {}, s.stage), el("td", { class: "n" }, s.seconds ?? ""),
        el("td", {}, s.rows), el("td", {}, el("code", {}, s.config ?? "")), el("td", {}, el("code", {}, s.code ?? ""))))));
  }

  buildFilters();
  buildHead();
  fill(main, el("h2", {}, meta.present.change ? "What changed" : "Who is quoted, on which issue"),
       (meta.notes || []).map((n) => el("p", { class: "note run-note" }, n)), chartsBox,
       el("h2", {}, meta.present.change ? "Quotes that changed" : "Claims"), filterBox, chips,
       el("div", { class: "pager" }, countBox), table, pager,
       meta.present.change ? null : el("details", { id: "run" }, el("summary", {}, "Pipeline run"), runTable()));
  app.replaceChildren(main, other);
  refresh();
  embedCharts();
  window.addEventListener("hashchange", route);
  route();
  window.report = { state, rows, current: () => current };   // for tests and the console
})();
