// The search page: a small interface on Pagefind's JavaScript API, loaded only on that page. Pagefind
// fetches just the index chunks of the words typed and searches in its own worker. The query and
// every filter live in the address (?q=...&type=Case&drug=...), so the header form, the back button
// and shared links all land on the same results.
//
// Why not Pagefind's own UI: it draws every value of every filter on load. At 5,000 cases that is
// about 530 values (drugs, antigens, sites), 150 ms of a phone's main thread before the reader has
// opened a single filter. Here a filter's values are drawn when its block is opened, or when the
// address already chooses one of them. The class names are Pagefind UI's, styled in search.css.
// Subscribed to Material's document$ (once per page load).
(function () {
  "use strict";
  const FILTERS = ["type", "drug", "antigen", "site", "philadelphia"];  // as named in the templates
  const PAGE = 5;  // results shown at a time, as Pagefind's UI
  const DELAY = 300;  // ms after the last key before searching
  const LABEL = "Search cases, drugs, antigens and sites";

  // The header form's action is relative to the page: point it at the site's search page when it
  // is sent (__md_scope is Material's site root), which also holds if a page ever keeps its header
  // across navigation (Material's navigation.instant). Without JavaScript the relative action is right.
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (form instanceof HTMLFormElement && form.matches(".md-header__search") && typeof __md_scope !== "undefined") {
      form.action = new URL("search/", __md_scope).href;
    }
  }, true);

  // Clinical shorthand a reader types, in the words the case pages use for a fact: "Ph+" is
  // indexed as the word "ph", which every Ph-negative case also contains ("Ph-negative").
  const SHORTHAND = [
    [/^(ph|philadelphia)\s*(\+|pos|positive)$/i, "Ph-positive"],
    [/^(ph|philadelphia)\s*(-|\u2212|neg|negative)$/i, "Ph-negative"],
  ];
  function expand(term) {
    const trimmed = term.trim();
    for (const [pattern, words] of SHORTHAND) if (pattern.test(trimmed)) return words;
    return term;
  }

  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (name === "text") node.textContent = value;
      else node.setAttribute(name, value);
    }
    node.append(...children);
    return node;
  }

  function setup(box) {
    if (box.dataset.ready) return;
    box.dataset.ready = "1";
    const bundle = new URL(box.dataset.bundle, location.href);
    const params = new URLSearchParams(location.search);
    const chosen = {};  // filter -> [values], as Pagefind takes them (a page must have them all)
    FILTERS.forEach((name) => { if (params.getAll(name).length) chosen[name] = params.getAll(name); });
    const desk = matchMedia("(min-width: 45em)").matches;
    const groups = {};  // filter -> {fieldset, drawn}
    let totals = {}, counts = null, results = [], shown = 0, latest = 0, timer = null;

    const input = el("input", {
      class: "pagefind-ui__search-input", type: "search", placeholder: "Search cases, drugs, antigens, sites",
      "aria-label": LABEL, autocapitalize: "none", autocomplete: "off", enterkeyhint: "search",
    });
    const form = el("form", { class: "pagefind-ui__form", role: "search", "aria-label": "Search this site" }, input);
    const panel = el("fieldset", { class: "pagefind-ui__filter-panel" },
      el("legend", { class: "pagefind-ui__filter-panel-label", text: "Filters" }));
    const message = el("p", { class: "pagefind-ui__message", role: "status" });
    const list = el("ol", { class: "pagefind-ui__results" });
    const more = el("button", { class: "pagefind-ui__button", type: "button", text: "Load more results" });
    const drawer = el("div", { class: "pagefind-ui__drawer" }, panel,
      el("div", { class: "pagefind-ui__results-area" }, message, list, more));
    drawer.hidden = more.hidden = true;
    box.replaceChildren(el("div", { class: "pagefind-ui" }, form, drawer));

    const ready = import(new URL("pagefind.js", bundle).href).then(async (pagefind) => {
      await pagefind.options({ baseUrl: new URL("../", bundle).pathname });  // the site's root, also under a sub-path
      return pagefind;
    });
    const filtersDrawn = ready.then((pagefind) => pagefind.filters()).then((all) => {
      totals = all;
      drawFilters();
    });
    filtersDrawn.catch(() => {
      box.textContent = "The search index could not be loaded. Search works on the built site served over HTTP, not from files opened directly.";
    });

    function label(name, value) {
      return `${value} (${((counts || totals)[name] || {})[value] || 0})`;
    }

    function drawValues(name) {
      const group = groups[name];
      if (group.drawn) return;
      group.drawn = true;
      group.fieldset.append(...Object.keys(totals[name]).map((value, i) => {
        const id = `filter-${name}-${i}`;
        const check = el("input", { class: "pagefind-ui__filter-checkbox", type: "checkbox", id, name, value });
        check.checked = (chosen[name] || []).includes(value);
        return el("div", { class: "pagefind-ui__filter-value" }, check,
          el("label", { class: "pagefind-ui__filter-label", for: id, text: label(name, value) }));
      }));
    }

    function drawFilters() {
      for (const name of Object.keys(totals)) {  // Pagefind's order, by name; values likewise
        const fieldset = el("fieldset", { class: "pagefind-ui__filter-group" },
          el("legend", { class: "pagefind-ui__filter-group-label", text: name }));
        const block = el("details", { class: "pagefind-ui__filter-block" },
          el("summary", { class: "pagefind-ui__filter-name", text: name.charAt(0).toUpperCase() + name.slice(1) }), fieldset);
        groups[name] = { fieldset, drawn: false };
        block.addEventListener("toggle", () => { if (block.open) drawValues(name); });
        if (chosen[name]) {
          drawValues(name);
          block.open = desk;  // chosen filters open on a desk; on a phone the results stay in view
        }
        panel.append(block);
      }
    }

    // A value the address chooses that no page has (an old link: a drug renamed) would hide every
    // result, with no box to untick: it is dropped. True if one was.
    function prune() {
      let dropped = false;
      for (const [name, values] of Object.entries(chosen)) {
        const known = values.filter((value) => value in (totals[name] || {}));
        if (known.length === values.length) continue;
        dropped = true;
        if (known.length) chosen[name] = known;
        else delete chosen[name];
      }
      return dropped;
    }

    function recount() {
      for (const [name, group] of Object.entries(groups)) {
        if (!group.drawn) continue;
        group.fieldset.querySelectorAll("input").forEach((check) => {
          check.nextElementSibling.textContent = label(name, check.value);
        });
      }
    }

    function save(term) {
      const url = new URL(location.href);
      if (term) url.searchParams.set("q", term);
      else url.searchParams.delete("q");
      FILTERS.forEach((name) => url.searchParams.delete(name));
      Object.entries(chosen).forEach(([name, values]) => values.forEach((v) => url.searchParams.append(name, v)));
      if (url.href !== location.href) history.replaceState(history.state, "", url);
    }

    function item(data) {
      const excerpt = el("p", { class: "pagefind-ui__result-excerpt" });
      excerpt.innerHTML = data.excerpt;  // the page's text, escaped by Pagefind, with <mark> around the words found
      return el("li", { class: "pagefind-ui__result" }, el("div", { class: "pagefind-ui__result-inner" },
        el("p", { class: "pagefind-ui__result-title" },
          el("a", { class: "pagefind-ui__result-link", href: data.url, text: data.meta.title || data.url })),
        excerpt));
    }

    // A page of results is shown whole, once its excerpts are in: nothing moves under the reader.
    function nextPage() {
      return Promise.all(results.slice(shown, shown + PAGE).map((result) => result.data()));
    }

    function append(page) {
      list.append(...page.map(item));
      shown += page.length;
      more.hidden = shown >= results.length;
      more.disabled = false;
    }

    async function showMore() {
      const search = latest;
      more.disabled = true;
      const page = await nextPage();
      if (search === latest) append(page);
    }

    async function run(term) {
      const search = ++latest;
      save(term);
      if (!term.trim()) {
        drawer.hidden = true;
        return;
      }
      message.textContent = `Searching for ${term}...`;
      let found, first;
      try {
        found = await (await ready).search(expand(term), { filters: chosen });
        first = await Promise.all(found.results.slice(0, PAGE).map((result) => result.data()));
        await filtersDrawn;  // the filters come first on a phone: drawn later, they would push the results down
      } catch (error) {
        return;  // the index could not be loaded: the box says so
      }
      if (search !== latest) return;
      if (prune()) return run(term);
      counts = found.filters;
      recount();
      const n = found.results.length;
      message.textContent = n ? `${n} result${n === 1 ? "" : "s"} for ${term}` : `No results for ${term}`;
      results = found.results;
      shown = 0;
      list.replaceChildren();
      append(first);
      drawer.hidden = false;
    }

    form.addEventListener("submit", (event) => {
      event.preventDefault();
      clearTimeout(timer);
      run(input.value);
    });
    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(() => run(input.value), DELAY);
    });
    panel.addEventListener("change", (event) => {
      const check = event.target;
      if (!check.matches("input.pagefind-ui__filter-checkbox")) return;
      const values = new Set(chosen[check.name] || []);
      if (check.checked) values.add(check.value);
      else values.delete(check.value);
      if (values.size) chosen[check.name] = [...values];
      else delete chosen[check.name];
      run(input.value);
    });
    more.addEventListener("click", showMore);

    const query = params.get("q");
    if (query) {
      input.value = query;
      run(query);
    } else {
      input.focus();
    }
  }

  function start() {
    const box = document.getElementById("pagefind-search");
    if (box) setup(box);
    const header = document.getElementById("header-search");
    if (header && box) header.value = new URLSearchParams(location.search).get("q") || "";
  }

  // "/" or "s" jumps to the search box, as in Material's own search.
  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey || !["/", "s"].includes(event.key)) return;
    if (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) return;
    const box = document.querySelector("input.pagefind-ui__search-input") || document.getElementById("header-search");
    if (box) {
      event.preventDefault();
      box.focus();
    }
  });

  if (window.document$) window.document$.subscribe(start);
  else document.addEventListener("DOMContentLoaded", start);
})();
