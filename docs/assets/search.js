// The search page: Pagefind's UI, loaded only on that page (it fetches just the index chunks of the
// words typed). The query and every filter live in the address (?q=...&type=Case&drug=...), so the
// header form, the back button and shared links all land on the same results. Subscribed to
// Material's document$ (once per page load).
(function () {
  "use strict";
  let loading = null;
  const FILTERS = ["type", "drug", "antigen", "site", "philadelphia"];  // as named in the templates

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

  function chosenFilters(box) {
    const out = {};
    box.querySelectorAll("input.pagefind-ui__filter-checkbox:checked").forEach((c) => {
      (out[c.name] = out[c.name] || []).push(c.value);
    });
    return out;
  }

  function saveFilters(box) {
    const url = new URL(location.href);
    FILTERS.forEach((name) => url.searchParams.delete(name));
    Object.entries(chosenFilters(box)).forEach(([name, values]) => values.forEach((v) => url.searchParams.append(name, v)));
    if (url.href !== location.href) history.replaceState(history.state, "", url);
  }

  function load(bundle) {
    if (!loading) {
      loading = new Promise((resolve, reject) => {
        const css = document.createElement("link");
        css.rel = "stylesheet";
        css.href = bundle + "pagefind-ui.css";
        document.head.appendChild(css);
        const script = document.createElement("script");
        script.src = bundle + "pagefind-ui.js";
        script.onload = resolve;
        script.onerror = reject;
        document.head.appendChild(script);
      });
    }
    return loading;
  }

  function setup(box) {
    if (box.dataset.ready) return;
    box.dataset.ready = "1";
    const bundle = new URL(box.dataset.bundle, location.href);
    const params = new URLSearchParams(location.search);
    load(bundle.href).then(() => {
      const ui = new PagefindUI({
        element: box,
        bundlePath: bundle.pathname,
        baseUrl: new URL("../", bundle).pathname,  // the site's root, also when served from a sub-path
        showSubResults: false,  // one entry per page: a case's title once, with its best excerpt
        showImages: false,
        autofocus: !new URLSearchParams(location.search).get("q"),
        translations: { placeholder: "Search cases, drugs, antigens, sites" },
        // Chosen filters open on a desk; on a phone they stay closed, so the results stay in view.
        openFilters: matchMedia("(min-width: 45em)").matches ? FILTERS.filter((name) => params.getAll(name).length) : [],
        processTerm: (term) => {
          const url = new URL(location.href);
          if (term) url.searchParams.set("q", term);
          else url.searchParams.delete("q");
          history.replaceState(history.state, "", url);
          return expand(term);
        },
      });
      const filters = {};
      FILTERS.forEach((name) => { if (params.getAll(name).length) filters[name] = params.getAll(name); });
      if (Object.keys(filters).length) ui.triggerFilters(filters);
      box.addEventListener("change", (event) => {
        if (event.target.matches("input.pagefind-ui__filter-checkbox")) saveFilters(box);
      });
      // Pagefind's box has a placeholder but no accessible name.
      const input = box.querySelector("input");
      if (input) input.setAttribute("aria-label", "Search cases, drugs, antigens and sites");
      const query = new URLSearchParams(location.search).get("q");
      if (query) ui.triggerSearch(query);
    }, () => {
      box.textContent = "The search index could not be loaded. Search works on the built site served over HTTP, not from files opened directly.";
    });
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
