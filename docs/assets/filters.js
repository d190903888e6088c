// Case index facets: checkboxes, several values of one facet OR-ed, facets AND-ed, live counts
// (an option that would leave no case is disabled), sortable columns, the state in the URL
// (?site=breast&site=skin&drug=...&sort=age&dir=desc). The body map's markers and "show" links
// filter the table too. Subscribed to Material's document$ (once per page load; again on every page
// swap if navigation.instant is ever turned back on).
//
// Bounded at any number of cases: the page lists only its first rows (and the counts of all);
// every row comes from the compact index (macros/indexdata.py: one array per case, names by
// number), fetched once the page is idle (beyond EAGER cases: when the reader reaches for the
// filters, a column, the body map or "Show more"), or at once when the address holds filters. Filtering and
// counting are loops over those arrays (no DOM); only the rows listed are drawn, a page at a time
// ("Show more"). The form is in the page, disabled, from the start and enabled when the index has
// arrived: enabling it moves nothing, and nothing is redrawn until the reader asks.
(function () {
  "use strict";

  // Positions in a row of the compact index.
  const SLUG = 0, TITLE = 1, AGE = 2, SEX = 3, PH = 4, RESPONSE = 5, RANK = 6, OUTCOME = 7, COURSE = 8,
    SITES = 9, REGIMENS = 10, DRUGS = 11, RECEIVED = 12, ANTIGENS = 13;
  const LISTS = { site: SITES, regimen: REGIMENS, drug: RECEIVED, antigen: ANTIGENS };  // numbered facets
  const SINGLE = { ph: PH, response: RESPONSE };  // one plain value per case
  const SORT_VALUE = {
    title: (r) => r[TITLE].toLowerCase(), age: (r) => r[AGE], ph: (r) => r[PH],
    response: (r) => r[RANK], outcome: (r, d) => d.outcomes[r[OUTCOME]].toLowerCase(),
  };
  const EAGER = 1000;  // up to this many cases (about 50 KB compressed) the index is fetched once the page is idle
  const cache = {};  // address -> promise of the parsed index

  function fetchIndex(address) {
    if (!cache[address]) {
      cache[address] = fetch(address, { credentials: "same-origin" }).then((response) => {
        if (!response.ok) throw new Error(`${address}: ${response.status}`);
        return response.json();
      });
      cache[address].catch(() => { delete cache[address]; });
    }
    return cache[address];
  }

  function setup(form) {
    if (form.dataset.ready) return;
    form.dataset.ready = "1";
    const table = document.querySelector("[data-case-table]");
    if (!table) return;
    const body = table.tBodies[0];
    const boxes = Array.from(form.querySelectorAll("input[data-facet]"));
    const keys = Array.from(new Set(boxes.map((b) => b.dataset.facet)));
    const count = document.querySelector("[data-filter-count]");
    const empty = document.querySelector("[data-filter-empty]");
    const more = document.querySelector("[data-more]");
    const moreButton = more && more.querySelector("[data-more-button]");
    const listed = more && more.querySelector("[data-listed]");
    const chosenLabel = form.querySelector("[data-chosen]");
    const fields = form.querySelector("[data-filter-fields]");
    const root = table.dataset.root || "../";
    const pageSize = Number(table.dataset.pageSize) || 25;
    const address = new URL(table.dataset.rows, location.href).href;
    let data = null;       // the compact index, once loaded
    let numberOf = {};     // facet -> id -> number in the index
    let matching = null;   // the rows that pass the filters, in the order shown
    let limit = pageSize;  // rows drawn
    let sort = { key: null, dir: "asc" };

    function chosen() {
      const out = {};
      boxes.forEach((b) => { if (b.checked) (out[b.dataset.facet] = out[b.dataset.facet] || []).push(b.value); });
      return out;
    }

    function load() {
      return fetchIndex(address).then((d) => {
        if (!data) {
          data = d;
          Object.entries(d.facets).forEach(([key, ids]) => {
            numberOf[key] = new Map(ids.map((id, i) => [id, i]));
          });
        }
        return d;
      });
    }

    // One pass over every row: those that pass all facets, and each option's count (the cases it
    // would show given the other facets' choices: a row failing only facet K counts for K alone).
    function evaluate(filters) {
      const wanted = Object.entries(filters).map(([key, values]) => [key, LISTS[key],
        new Set(values.map((v) => (key in LISTS ? (numberOf[key].has(v) ? numberOf[key].get(v) : -1) : v)))]);
      const counts = {};
      keys.forEach((k) => { counts[k] = new Map(); });
      const passed = [];
      const tally = (row, key) => {
        const map = counts[key];
        if (!map) return;
        if (key in LISTS) row[LISTS[key]].forEach((v) => map.set(v, (map.get(v) || 0) + 1));
        else map.set(row[SINGLE[key]], (map.get(row[SINGLE[key]]) || 0) + 1);
      };
      for (const row of data.rows) {
        let failed = null, failures = 0;
        for (const [key, column, set] of wanted) {
          const hit = column !== undefined ? row[column].some((v) => set.has(v)) : set.has(row[SINGLE[key]]);
          if (!hit && ++failures > 1) break;
          if (!hit) failed = key;
        }
        if (failures > 1) continue;
        if (failures === 0) {
          passed.push(row);
          keys.forEach((k) => tally(row, k));
        } else {
          tally(row, failed);
        }
      }
      return { passed, counts };
    }

    function sorted(rows) {
      if (!sort.key || !SORT_VALUE[sort.key]) return rows;
      const value = SORT_VALUE[sort.key];
      const sign = sort.dir === "asc" ? 1 : -1;
      // Decorate once, compare numbers or strings, keep catalogue order among equals.
      return rows.map((r, i) => [value(r, data), i, r])
        .sort((a, b) => (a[0] < b[0] ? -sign : a[0] > b[0] ? sign : a[1] - b[1]))
        .map((x) => x[2]);
    }

    function link(href, text) {
      const a = document.createElement("a");
      a.href = href;
      a.textContent = text;
      return a;
    }

    function cell(label, parts) {
      const td = document.createElement("td");
      td.dataset.label = label;
      parts.forEach((part, i) => {
        if (i) td.append(", ");
        td.append(part);
      });
      return td;
    }

    // The same row as the page's own (templates/cases_index.md.j2).
    function rowElement(r) {
      const tr = document.createElement("tr");
      const ids = (key, numbers) => numbers.map((n) => data.facets[key][n]);
      tr.dataset.case = r[SLUG];
      tr.dataset.drug = ids("drug", r[RECEIVED]).join(" ");
      tr.dataset.regimen = ids("regimen", r[REGIMENS]).join(" ");
      tr.dataset.antigen = ids("antigen", r[ANTIGENS]).join(" ");
      tr.dataset.site = ids("site", r[SITES]).join(" ");
      tr.dataset.ph = r[PH];
      tr.dataset.response = r[RESPONSE];
      tr.dataset.sortTitle = r[TITLE];
      tr.dataset.sortAge = r[AGE];
      tr.dataset.sortPh = r[PH];
      tr.dataset.sortResponse = r[RANK];
      tr.dataset.sortOutcome = data.outcomes[r[OUTCOME]];
      const named = (key, folder, numbers) => numbers.map((n) =>
        link(`${root}${folder}/${data.facets[key][n]}/`, data.names[key][n]));
      tr.append(
        cell("Case", [link(`${root}cases/${r[SLUG]}/`, r[TITLE])]),
        cell("Age / sex", [`${r[AGE]} / ${r[SEX]}`]),
        cell("Ph", [data.ph[r[PH]] || r[PH]]),
        cell("EM sites", named("site", "sites", r[SITES])),
        cell("Therapies", named("regimen", "regimens", r[REGIMENS]).concat(named("drug", "drugs", r[DRUGS]))),
        cell("Course", [data.courses[r[COURSE]]]),
        cell("Outcome", [data.outcomes[r[OUTCOME]]]),
      );
      return tr;
    }

    function draw(from) {
      const rows = matching.slice(from, limit);
      const fragment = document.createDocumentFragment();
      rows.forEach((r) => fragment.append(rowElement(r)));
      if (from === 0) body.replaceChildren(fragment); else body.append(fragment);
      const shown = Math.min(limit, matching.length);
      if (more) {
        more.hidden = shown >= matching.length;
        listed.textContent = `The first ${shown} of ${matching.length} are listed.`;
        moreButton.textContent = `Show ${Math.min(pageSize, matching.length - shown)} more`;
      }
    }

    function apply() {
      if (!data) return;
      const filters = chosen();
      const { passed, counts } = evaluate(filters);
      matching = sorted(passed);
      limit = pageSize;
      draw(0);
      boxes.forEach((box) => {
        const key = box.dataset.facet;
        const value = key in LISTS ? numberOf[key].get(box.value) : box.value;
        const n = counts[key].get(value) || 0;
        const text = `(${n})`;
        const label = box.parentElement.querySelector("[data-n]");
        if (label.textContent !== text) label.textContent = text;
        const off = n === 0 && !box.checked;
        if (box.disabled !== off) {
          box.disabled = off;
          box.parentElement.classList.toggle("case-filters__option--none", off);
        }
      });
      const picked = Object.values(filters).reduce((a, v) => a + v.length, 0);
      chosenLabel.textContent = picked ? `(${picked} chosen)` : "";
      const total = data.rows.length;
      count.textContent = picked ? `Showing ${passed.length} of ${total} cases.` : `All ${total} cases.`;
      empty.hidden = passed.length !== 0;
      document.querySelectorAll(".bodymap__marker[data-filter-site]").forEach((m) => {
        m.setAttribute("aria-pressed", String((filters.site || []).includes(m.dataset.filterSite)));
      });
      saveState();
    }

    function sortBy(key, dir) {
      const th = table.querySelector(`th[data-sort-key="${key}"]`);
      if (!th || !SORT_VALUE[key]) return;
      table.querySelectorAll("th[data-sort-key]").forEach((h) => h.removeAttribute("aria-sort"));
      th.setAttribute("aria-sort", dir === "asc" ? "ascending" : "descending");
      sort = { key, dir };
    }

    function saveState() {
      const params = new URLSearchParams();
      Object.entries(chosen()).forEach(([k, vs]) => vs.forEach((v) => params.append(k, v)));
      if (sort.key) { params.set("sort", sort.key); params.set("dir", sort.dir); }
      const query = params.toString();
      const target = location.pathname + (query ? "?" + query : "") + location.hash;
      if (target !== location.pathname + location.search + location.hash) history.replaceState(history.state, "", target);
    }

    function loadState() {
      const params = new URLSearchParams(location.search);
      boxes.forEach((b) => { b.checked = params.getAll(b.dataset.facet).includes(b.value); });
      if (params.get("sort")) sortBy(params.get("sort"), params.get("dir") === "desc" ? "desc" : "asc");
      return boxes.some((b) => b.checked) || Boolean(sort.key);
    }

    // Anything the reader does before the index has arrived waits for it.
    const whenLoaded = (action) => () => load().then(action, failed);

    function clear() {
      boxes.forEach((b) => { b.checked = false; });
      apply();
    }

    // A site chosen on the body map: toggle it in the filter and bring the table into view.
    function pickSite(site) {
      const box = boxes.find((b) => b.dataset.facet === "site" && b.value === site);
      if (!box) return;
      box.checked = !box.checked;
      whenLoaded(() => {
        apply();
        (table.closest(".md-typeset__scrollwrap") || table).scrollIntoView({ block: "start" });
      })();
    }
    document.querySelectorAll("[data-filter-site]").forEach((control) => {
      control.addEventListener("click", (event) => {
        event.preventDefault();
        event.stopPropagation();  // not a page change for Material's link handling
        pickSite(control.dataset.filterSite);
      });
      if (control.getAttribute("role") === "button") {  // the body map's badges: Enter or Space as on a button
        control.addEventListener("keydown", (event) => {
          if (event.key !== "Enter" && event.key !== " ") return;
          event.preventDefault();
          pickSite(control.dataset.filterSite);
        });
      }
    });

    boxes.forEach((b) => b.addEventListener("change", whenLoaded(apply)));
    form.addEventListener("reset", (e) => { e.preventDefault(); whenLoaded(clear)(); });
    form.addEventListener("submit", (e) => e.preventDefault());
    const clearButton = empty && empty.querySelector("[data-filter-clear]");
    if (clearButton) clearButton.addEventListener("click", () => { clear(); form.querySelector("summary").focus(); });
    table.querySelectorAll("th[data-sort-key] button").forEach((button) => {
      button.addEventListener("click", whenLoaded(() => {
        const key = button.parentElement.dataset.sortKey;
        sortBy(key, sort.key === key && sort.dir === "asc" ? "desc" : "asc");
        apply();
      }));
    });
    if (moreButton) {
      moreButton.addEventListener("click", whenLoaded(() => {
        if (!matching) apply();
        const from = body.rows.length;
        limit = from + pageSize;
        draw(from);
        const first = body.rows[from] && body.rows[from].querySelector("a");
        if (first) first.focus();  // keyboard readers continue at the first new row
      }));
    }

    function ready() {
      fields.disabled = false;
      if (moreButton) moreButton.disabled = false;
      table.dataset.loaded = "";
    }
    function failed() {
      count.textContent = "The list of all cases could not be loaded; reload the page to filter or sort.";
    }

    const stated = loadState();
    if (boxes.some((b) => b.checked)) form.querySelector("details").open = true;
    if (stated) {
      load().then(() => { apply(); ready(); }, failed);
    } else if ((Number(table.dataset.total) || 0) <= EAGER) {
      // Nothing to redraw: the page's rows and counts are right until the reader asks for more.
      const idle = window.requestIdleCallback || ((f) => setTimeout(f, 200));
      idle(() => load().then(ready, failed), { timeout: 2000 });
    } else {
      // A large library: fetched when the reader reaches for the filters, a column, the body map or
      // "Show more" (each of which also waits for it), not by every visit to the page.
      if (moreButton) moreButton.disabled = false;
      const start = () => load().then(ready, failed);
      [form, table.tHead, more, ...document.querySelectorAll(".bodymap")].forEach((node) => {
        if (node) ["pointerenter", "pointerdown", "focusin"].forEach((type) => node.addEventListener(type, start, { once: true, passive: true }));
      });
      form.querySelector("details").addEventListener("toggle", start, { once: true });
    }
  }

  function init() {
    document.querySelectorAll("[data-case-filters]").forEach(setup);
  }

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(init);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
