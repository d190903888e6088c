// Case index facets: combinable filters with live counts, sortable columns, state in the URL.
// Without JavaScript the form stays hidden and the whole table is shown.
// Subscribed to Material's document$ so it also runs after instant navigation.
(function () {
  "use strict";

  function setup(form) {
    if (form.dataset.ready) return;
    form.dataset.ready = "1";
    const table = document.querySelector("[data-case-table]");
    const body = table.tBodies[0];
    const rows = Array.from(body.rows);
    const selects = Array.from(form.querySelectorAll("select[data-facet]"));
    const status = form.querySelector(".case-filters__count");
    let sort = { key: null, dir: "asc" };

    const has = (row, key, value) => (row.dataset[key] || "").split(" ").includes(value);
    const chosen = () => selects.filter((s) => s.value).map((s) => [s.dataset.facet, s.value]);
    const matches = (row, filters) => filters.every(([k, v]) => has(row, k, v));

    function apply() {
      const filters = chosen();
      let shown = 0;
      rows.forEach((row) => {
        const ok = matches(row, filters);
        row.hidden = !ok;
        if (ok) shown += 1;
      });
      // Each option's count: cases matching the other facets plus this option.
      selects.forEach((select) => {
        const others = filters.filter(([k]) => k !== select.dataset.facet);
        Array.from(select.options).forEach((option) => {
          if (!option.value) return;
          const n = rows.filter((r) => matches(r, others) && has(r, select.dataset.facet, option.value)).length;
          option.textContent = `${option.dataset.label} (${n})`;
        });
      });
      status.textContent = `Showing ${shown} of ${rows.length} cases.`;
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
      chosen().forEach(([k, v]) => params.set(k, v));
      if (sort.key) { params.set("sort", sort.key); params.set("dir", sort.dir); }
      const query = params.toString();
      history.replaceState(history.state, "", location.pathname + (query ? "?" + query : "") + location.hash);
    }

    function loadState() {
      const params = new URLSearchParams(location.search);
      selects.forEach((s) => {
        const v = params.get(s.dataset.facet);
        s.value = v && Array.from(s.options).some((o) => o.value === v) ? v : "";
      });
      if (params.get("sort")) sortBy(params.get("sort"), params.get("dir") === "desc" ? "desc" : "asc");
    }

    selects.forEach((s) => s.addEventListener("change", apply));
    form.addEventListener("reset", () => setTimeout(apply, 0));
    form.addEventListener("submit", (e) => e.preventDefault());
    table.querySelectorAll("th[data-sort-key] button").forEach((button) => {
      button.addEventListener("click", () => {
        const key = button.parentElement.dataset.sortKey;
        sortBy(key, sort.key === key && sort.dir === "asc" ? "desc" : "asc");
        saveState();
      });
    });

    form.hidden = false;
    loadState();
    apply();
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
