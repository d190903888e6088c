// Case index facets: checkboxes, several values of one facet OR-ed, facets AND-ed, live counts
// (an option that would leave no case is disabled), sortable columns, the state in the URL
// (?site=breast&site=skin&drug=...&sort=age&dir=desc). The body map's markers and "show" links
// filter the table too. The form is in the page, disabled, from the start: enabling it moves
// nothing. Subscribed to Material's document$ so it also runs after instant navigation.
(function () {
  "use strict";

  function setup(form) {
    if (form.dataset.ready) return;
    form.dataset.ready = "1";
    const table = document.querySelector("[data-case-table]");
    if (!table) return;
    const body = table.tBodies[0];
    const rows = Array.from(body.rows);
    const boxes = Array.from(form.querySelectorAll("input[data-facet]"));
    const facets = Array.from(new Set(boxes.map((b) => b.dataset.facet)));
    const count = document.querySelector("[data-filter-count]");
    const empty = document.querySelector("[data-filter-empty]");
    const chosenLabel = form.querySelector("[data-chosen]");
    let sort = { key: null, dir: "asc" };

    const values = (row, key) => (row.dataset[key] || "").split(" ").filter(Boolean);
    function chosen() {
      const out = {};
      boxes.forEach((b) => { if (b.checked) (out[b.dataset.facet] = out[b.dataset.facet] || []).push(b.value); });
      return out;
    }
    // OR within a facet, AND across facets; `skip` leaves one facet out (for its own counts).
    function matches(row, filters, skip) {
      return Object.entries(filters).every(([key, wanted]) =>
        key === skip || wanted.some((v) => values(row, key).includes(v)));
    }

    function apply() {
      const filters = chosen();
      let shown = 0;
      rows.forEach((row) => {
        const ok = matches(row, filters);
        row.hidden = !ok;
        if (ok) shown += 1;
      });
      // An option's count: the cases it would show, given the other facets' choices.
      boxes.forEach((box) => {
        const key = box.dataset.facet;
        const n = rows.filter((r) => matches(r, filters, key) && values(r, key).includes(box.value)).length;
        box.parentElement.querySelector("[data-n]").textContent = `(${n})`;
        box.disabled = n === 0 && !box.checked;
        box.parentElement.classList.toggle("case-filters__option--none", box.disabled);
      });
      const picked = Object.values(filters).reduce((a, v) => a + v.length, 0);
      chosenLabel.textContent = picked ? `(${picked} chosen)` : "";
      count.textContent = picked ? `Showing ${shown} of ${rows.length} cases.` : `All ${rows.length} cases.`;
      empty.hidden = shown !== 0;
      document.querySelectorAll(".bodymap__marker[data-filter-site]").forEach((m) => {
        m.setAttribute("aria-pressed", String((filters.site || []).includes(m.dataset.filterSite)));
      });
      saveState();
    }

    function sortBy(key, dir) {
      const th = table.querySelector(`th[data-sort-key="${key}"]`);
      if (!th) return;
      const numeric = th.dataset.sortType === "number";
      const attr = "sort" + key[0].toUpperCase() + key.slice(1);  // data-sort-<key>
      const value = (r) => (numeric ? parseFloat(r.dataset[attr]) : (r.dataset[attr] || "").toLowerCase());
      rows.slice().sort((a, b) => {
        const x = value(a), y = value(b);
        return (x < y ? -1 : x > y ? 1 : 0) * (dir === "asc" ? 1 : -1);
      }).forEach((r) => body.appendChild(r));
      table.querySelectorAll("th[data-sort-key]").forEach((h) => h.removeAttribute("aria-sort"));
      th.setAttribute("aria-sort", dir === "asc" ? "ascending" : "descending");
      sort = { key, dir };
    }

    function saveState() {
      const params = new URLSearchParams();
      Object.entries(chosen()).forEach(([k, vs]) => vs.forEach((v) => params.append(k, v)));
      if (sort.key) { params.set("sort", sort.key); params.set("dir", sort.dir); }
      const query = params.toString();
      const address = location.pathname + (query ? "?" + query : "") + location.hash;
      if (address !== location.pathname + location.search + location.hash) history.replaceState(history.state, "", address);
    }

    function loadState() {
      const params = new URLSearchParams(location.search);
      boxes.forEach((b) => { b.checked = params.getAll(b.dataset.facet).includes(b.value); });
      if (params.get("sort")) sortBy(params.get("sort"), params.get("dir") === "desc" ? "desc" : "asc");
    }

    function clear() {
      boxes.forEach((b) => { b.checked = false; });
      apply();
    }

    // A site chosen on the body map: toggle it in the filter and bring the table into view.
    function pickSite(site) {
      const box = boxes.find((b) => b.dataset.facet === "site" && b.value === site);
      if (!box) return;
      box.checked = !box.checked;
      apply();
      (table.closest(".md-typeset__scrollwrap") || table).scrollIntoView({ block: "start" });
    }
    document.querySelectorAll("[data-filter-site]").forEach((control) => {
      control.addEventListener("click", (event) => {
        event.preventDefault();
        event.stopPropagation();  // not a page change for Material's instant navigation
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

    boxes.forEach((b) => b.addEventListener("change", apply));
    form.addEventListener("reset", (e) => { e.preventDefault(); clear(); });
    form.addEventListener("submit", (e) => e.preventDefault());
    const clearButton = empty && empty.querySelector("[data-filter-clear]");
    if (clearButton) clearButton.addEventListener("click", () => { clear(); form.querySelector("summary").focus(); });
    table.querySelectorAll("th[data-sort-key] button").forEach((button) => {
      button.addEventListener("click", () => {
        const key = button.parentElement.dataset.sortKey;
        sortBy(key, sort.key === key && sort.dir === "asc" ? "desc" : "asc");
        saveState();
      });
    });

    loadState();
    apply();
    if (Object.keys(chosen()).length) form.querySelector("details").open = true;
    form.querySelector("[data-filter-fields]").disabled = false;
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
