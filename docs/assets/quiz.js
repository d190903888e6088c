// Single-best-answer quizzes: check an answer, explain it, keep the reader's progress.
//
// Without JavaScript the answers stay in each question's <details> block. With it:
// - a verdict ("Correct." / "Not quite: the answer is C."), the chosen option's explanation and,
//   when wrong, the key's, in an aria-live region;
// - answers saved in localStorage (one entry per question id, see STORE), restored on reload and
//   on every page that shows them; the first answer is the one that counts;
// - a tally at the top and bottom of each quiz, "review the ones I got wrong", a reset;
// - on the quiz bank, progress per topic and overall; on quiz/mixed/, a quiz of N questions
//   drawn from the build's quiz data (quiz/data/index.json, then one file per case drawn).
// All markup this script adds is built with textContent: question text is data, never HTML.
//
// A question is a <div> holding a <fieldset>, not a <form>: nothing goes to a server (without
// JavaScript, Enter on an option reloaded the page with the choice in its address), and Chromium's
// autofill inspects every form of a page once it is parsed (a topic page holds about a hundred
// questions). So "Check answer" is a plain button, and Enter on an option checks it as a form's
// implicit submission did. Listeners sit on each quiz, not on each question.
(function () {
  "use strict";

  // localStorage: STORE + question id -> {v: version, first, last (option values), ok, topic, case}.
  // "v" is the question's fingerprint: an answer to an older wording is dropped, not misapplied.
  const STORE = "em-all-quiz:q:";
  const MIXED = "em-all-quiz:mixed";  // the current mixed quiz: {seed, ids: [[case, question id]]}

  const storage = {
    get(key) {
      try { return JSON.parse(window.localStorage.getItem(key)); } catch (e) { return null; }
    },
    set(key, value) {
      try { window.localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* private mode, full: answers just are not kept */ }
    },
    remove(key) {
      try { window.localStorage.removeItem(key); } catch (e) { /* nothing kept */ }
    },
    answers() {
      const out = [];
      try {
        for (let i = 0; i < window.localStorage.length; i++) {
          const key = window.localStorage.key(i);
          if (key && key.startsWith(STORE)) {
            const record = storage.get(key);
            if (record) out.push(Object.assign({ id: key.slice(STORE.length) }, record));
          }
        }
      } catch (e) { /* no storage */ }
      return out;
    },
  };

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // ---- one question -------------------------------------------------------------------

  function explanation(question, value) {
    return question.querySelector(`.quiz-explanation[data-option="${CSS.escape(String(value))}"]`);
  }

  function why(node) {
    const span = node.querySelector(".quiz-why");
    return (span || node).textContent.trim();
  }

  function clearMarks(question) {
    question.querySelectorAll(".quiz-option").forEach((o) => o.classList.remove("quiz-chosen-right", "quiz-chosen-wrong", "quiz-is-key"));
    const feedback = question.querySelector(".quiz-feedback");
    feedback.replaceChildren();
    feedback.className = "quiz-feedback";
  }

  function showFeedback(question, value) {
    const chosen = explanation(question, value);
    const key = question.querySelector(".quiz-explanation[data-correct]");
    if (!chosen || !key) return false;
    const correct = chosen === key;
    clearMarks(question);
    const feedback = question.querySelector(".quiz-feedback");
    feedback.className = "quiz-feedback " + (correct ? "quiz-right" : "quiz-wrong");
    const verdict = element("p", "quiz-verdict");
    verdict.append(element("strong", "", correct ? "Correct." : `Not quite: the answer is ${key.dataset.letter}.`));
    if (correct) {
      verdict.append(" " + why(chosen));
      feedback.append(verdict);
    } else {
      feedback.append(verdict,
        element("p", "", `Your answer, ${chosen.dataset.letter}: ${why(chosen)}`),
        element("p", "", `The answer, ${key.dataset.letter}: ${why(key)}`));
    }
    const option = question.querySelector(`.quiz-option[data-option="${CSS.escape(String(value))}"]`);
    if (option) option.classList.add(correct ? "quiz-chosen-right" : "quiz-chosen-wrong");
    if (!correct) {
      const keyOption = question.querySelector(`.quiz-option[data-option="${CSS.escape(key.dataset.option)}"]`);
      if (keyOption) keyOption.classList.add("quiz-is-key");
    }
    return correct;
  }

  function resetQuestion(question) {
    question.querySelectorAll("input[type=radio]").forEach((radio) => { radio.checked = false; });
    delete question.dataset.result;
    clearMarks(question);
    const details = question.querySelector("details");
    if (details) details.open = false;
  }

  // ---- one quiz (a case's, a topic page, the mixed quiz) ------------------------------

  function setup(quiz) {
    if (quiz.dataset.quizReady) return;
    quiz.dataset.quizReady = "1";
    const questions = Array.from(quiz.querySelectorAll("[data-quiz-question]"));
    const tallies = quiz.querySelectorAll(".quiz-tally");
    const reviews = quiz.querySelectorAll(".quiz-review");
    const resets = quiz.querySelectorAll(".quiz-reset");
    quiz.querySelectorAll("[data-quiz-chrome]").forEach((node) => { node.hidden = false; });

    function update() {
      const answered = questions.filter((q) => q.dataset.result);
      const right = answered.filter((q) => q.dataset.result === "right").length;
      const wrong = answered.length - right;
      const text = `${answered.length} of ${questions.length} answered, ${right} correct.`;
      tallies.forEach((t) => { if (t.textContent !== text) t.textContent = text; });
      resets.forEach((b) => { b.hidden = answered.length === 0; });
      const reviewing = quiz.dataset.review === "1";
      reviews.forEach((b) => {
        b.hidden = !reviewing && wrong === 0;
        b.setAttribute("aria-pressed", reviewing ? "true" : "false");
        b.textContent = reviewing ? "Show all questions" : `Review the ones I got wrong (${wrong})`;
      });
      if (reviewing) {
        questions.forEach((q) => { q.hidden = q.dataset.result !== "wrong"; });
      } else {
        questions.forEach((q) => { q.hidden = false; });
      }
      quiz.querySelectorAll(".quiz-group").forEach((g) => {
        g.hidden = reviewing && !g.querySelector("[data-quiz-question]:not([hidden])");
      });
    }

    function check(question) {
      const id = question.id.replace(/^q-/, "");
      const chosen = question.querySelector("input[type=radio]:checked");
      if (!chosen) {
        clearMarks(question);
        question.querySelector(".quiz-feedback").textContent = "Choose an answer first.";
        return;
      }
      const correct = showFeedback(question, chosen.value);
      const saved = storage.get(STORE + id);
      const first = saved && saved.v === question.dataset.version ? saved : null;
      if (!question.dataset.result) question.dataset.result = correct ? "right" : "wrong";  // the first answer counts
      storage.set(STORE + id, {
        v: question.dataset.version, first: first ? first.first : chosen.value, last: chosen.value,
        ok: question.dataset.result === "right", topic: question.dataset.topic, case: question.dataset.case,
      });
      update();
    }

    quiz.addEventListener("click", (event) => {
      const button = event.target.closest(".quiz-check");
      if (button && quiz.contains(button)) check(button.closest("[data-quiz-question]"));
    });
    quiz.addEventListener("keydown", (event) => {
      if (event.key !== "Enter" || !event.target.matches("[data-quiz-question] input[type=radio]")) return;
      event.preventDefault();
      check(event.target.closest("[data-quiz-question]"));
    });

    questions.forEach((question) => {
      const id = question.id.replace(/^q-/, "");
      question.querySelector(".quiz-check").hidden = false;
      // Restore a saved answer to this version of the question; drop one to an older version.
      const saved = storage.get(STORE + id);
      if (saved && saved.v === question.dataset.version) {
        const radio = question.querySelector(`input[type=radio][value="${CSS.escape(String(saved.last))}"]`);
        if (radio) {
          radio.checked = true;
          showFeedback(question, saved.last);
          question.dataset.result = saved.ok ? "right" : "wrong";
        }
      } else if (saved) {
        storage.remove(STORE + id);
      }
    });

    reviews.forEach((button) => button.addEventListener("click", () => {
      if (quiz.dataset.review === "1") delete quiz.dataset.review; else quiz.dataset.review = "1";
      update();
      const first = quiz.querySelector("[data-quiz-question]:not([hidden]) input[type=radio]");
      if (first && quiz.dataset.review === "1") first.closest("[data-quiz-question]").scrollIntoView({ block: "start" });
      button.focus();
    }));

    resets.forEach((button) => button.addEventListener("click", () => {
      questions.forEach((question) => {
        storage.remove(STORE + question.id.replace(/^q-/, ""));
        resetQuestion(question);
      });
      delete quiz.dataset.review;
      update();
      const first = quiz.querySelector("input[type=radio]");
      if (first) first.focus();
    }));

    update();
    // Live regions only now: restoring saved answers above is not read out on every page load.
    quiz.querySelectorAll(".quiz-feedback, .quiz-score").forEach((node) => {
      node.setAttribute("role", "status");
      node.setAttribute("aria-live", "polite");
      node.setAttribute("aria-atomic", "true");
    });
  }

  // ---- the quiz bank: progress per topic and overall ---------------------------------

  function bankProgress() {
    const lines = document.querySelectorAll("[data-quiz-progress]");
    if (!lines.length) return;
    const answers = storage.answers();
    lines.forEach((line) => {
      const topic = line.dataset.quizProgress;
      const total = Number(line.dataset.total) || 0;
      const mine = topic ? answers.filter((a) => a.topic === topic) : answers;
      const answered = Math.min(mine.length, total);
      const right = Math.min(mine.filter((a) => a.ok).length, answered);
      const scope = topic ? "" : " overall";
      line.textContent = answered
        ? `Your progress${scope}: ${answered} of ${total} answered, ${right} correct.`
        : `Your progress${scope}: none of ${total} answered yet.`;
      line.hidden = false;
    });
    document.querySelectorAll(".quiz-bank-progress").forEach((box) => { box.hidden = false; });
    document.querySelectorAll(".quiz-reset-all").forEach((button) => {
      button.hidden = answers.length === 0;
      if (button.dataset.quizReady) return;
      button.dataset.quizReady = "1";
      button.addEventListener("click", () => {
        storage.answers().forEach((a) => storage.remove(STORE + a.id));
        storage.remove(MIXED);
        bankProgress();
        const start = document.querySelector("[data-quiz-mixed-form] select");
        if (start) start.focus();
      });
    });
  }

  // ---- the mixed quiz --------------------------------------------------------------------

  function random(seed) {  // mulberry32: a small seeded generator, so a quiz's URL redraws the same questions
    let a = seed >>> 0;
    return function () {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  function shuffle(items, rand) {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }

  async function fetchJSON(url) {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`${url}: ${response.status}`);
    return response.json();
  }

  // Slots (case, topic) in proportion to the questions there, questions not yet answered first,
  // then spread over cases (one per case before a second from any); then, in each case's file,
  // that many questions of the topic, again unanswered ones first.
  async function draw(base, n, topics, seed) {
    const rand = random(seed);
    const index = await fetchJSON(new URL("index.json", base));
    const answered = {};
    storage.answers().forEach((a) => { const k = a.case + "|" + a.topic; answered[k] = (answered[k] || 0) + 1; });
    const pool = [];
    index.cases.forEach(([slug, counts]) => {
      index.topics.forEach(([topic], t) => {
        if (!topics.includes(topic)) return;
        const fresh = counts[t] - Math.min(answered[slug + "|" + topic] || 0, counts[t]);
        for (let k = 0; k < counts[t]; k++) pool.push({ slug, topic, fresh: k < fresh });
      });
    });
    shuffle(pool, rand);
    const seen = {};
    pool.forEach((slot, i) => { slot.order = i; slot.round = seen[slot.slug] = (seen[slot.slug] || 0) + 1; });
    pool.sort((a, b) => (b.fresh - a.fresh) || (a.round - b.round) || (a.order - b.order));
    const picked = pool.slice(0, n);
    const files = {};
    await Promise.all([...new Set(picked.map((s) => s.slug))].map(async (slug) => {
      files[slug] = await fetchJSON(new URL(`${encodeURIComponent(slug)}.json`, base));
    }));
    const chosen = [];
    const taken = new Set();
    picked.forEach((slot) => {
      const candidates = files[slot.slug].questions.filter((q) => q.topic === slot.topic && !taken.has(q.id));
      const isNew = (q) => { const s = storage.get(STORE + q.id); return !(s && s.v === q.version); };
      const ordered = shuffle(candidates, rand).sort((a, b) => isNew(b) - isNew(a));
      if (ordered.length) {
        taken.add(ordered[0].id);
        chosen.push({ slug: slot.slug, title: files[slot.slug].title, question: ordered[0] });
      }
    });
    return shuffle(chosen, rand);
  }

  async function load(base, ids) {
    const files = {};
    await Promise.all([...new Set(ids.map(([slug]) => slug))].map(async (slug) => {
      files[slug] = await fetchJSON(new URL(`${encodeURIComponent(slug)}.json`, base));
    }));
    return ids.map(([slug, id]) => {
      const question = files[slug].questions.find((q) => q.id === id);
      return question ? { slug, title: files[slug].title, question } : null;
    }).filter(Boolean);
  }

  // The same markup as macros/templates/quiz.html.j2, so setup() treats both alike.
  function questionBlock(item, number, caseBase) {
    const q = item.question;
    const block = element("div", "quiz-question");
    block.id = "q-" + q.id;
    block.dataset.quizQuestion = "";
    block.dataset.topic = q.topic;
    block.dataset.case = item.slug;
    block.dataset.version = q.version;
    const fieldset = element("fieldset");
    const legend = element("legend");
    legend.append(element("span", "quiz-number", `Question ${number}.`), " " + q.stem);
    fieldset.append(legend);
    q.options.forEach((o, i) => {
      const row = element("div", "quiz-option");
      row.dataset.option = o.value;
      const input = element("input");
      input.type = "radio";
      input.name = q.id;
      input.id = `${q.id}-${i + 1}`;
      input.value = o.value;
      const label = element("label");
      label.htmlFor = input.id;
      label.append(element("span", "quiz-letter", o.letter + "."), " " + o.text);
      row.append(input, label);
      fieldset.append(row);
    });
    const source = element("p", "quiz-source", "From ");
    const link = element("a", "", item.title);
    link.href = new URL(`cases/${encodeURIComponent(item.slug)}/#quiz`, caseBase).href;
    source.append(link);
    const actions = element("div", "quiz-actions");
    const check = element("button", "md-button quiz-check", "Check answer");
    check.type = "button";
    check.hidden = true;
    actions.append(check);
    const feedback = element("div", "quiz-feedback");
    const details = element("details", "quiz-answer");
    details.append(element("summary", "", "Answer and explanations"));
    q.options.forEach((o) => {
      const p = element("p", "quiz-explanation");
      p.dataset.option = o.value;
      p.dataset.letter = o.letter;
      if (o.correct) p.dataset.correct = "";
      p.append(element("strong", "", `${o.letter}. ${o.text}`), ` — ${o.correct ? "Correct" : "Not the best answer"}. `,
        element("span", "quiz-why", o.why));
      details.append(p);
    });
    block.append(fieldset, source, actions, feedback, details);
    return block;
  }

  function answerKey(items) {
    const box = document.createDocumentFragment();
    const title = element("p", "quiz-key-title");
    title.append(element("strong", "", "Answer key"));
    const list = element("ol", "quiz-key-list");
    items.forEach((item) => {
      const key = item.question.options.find((o) => o.correct);
      const li = element("li");
      li.append(element("strong", "", key.letter), ` (${key.text}). ${key.why}`);
      list.append(li);
    });
    box.append(title, list);
    return box;
  }

  async function mixed(quiz) {
    if (quiz.dataset.quizBuilt) return;
    quiz.dataset.quizBuilt = "1";
    const status = quiz.querySelector("[data-quiz-status]");
    const params = new URLSearchParams(window.location.search);
    const form = document.querySelector("[data-quiz-mixed-form]");
    const allTopics = form ? Array.from(form.querySelectorAll("input[name=topic]")).map((i) => i.value) : [];
    let topics = params.getAll("topic").filter((t) => allTopics.includes(t));
    if (!topics.length) topics = allTopics;
    const n = Math.max(1, Math.min(100, parseInt(params.get("n"), 10) || 10));
    let seed = parseInt(params.get("seed"), 10);
    if (!(seed >= 0)) {
      seed = Math.floor(Math.random() * 2147483647);
      params.set("seed", String(seed));
      window.history.replaceState(window.history.state, "", `${window.location.pathname}?${params}`);
    }
    if (form) {  // the form shows the quiz being taken
      const select = form.querySelector("select[name=n]");
      if (select && ![...select.options].some((o) => o.value === String(n))) select.append(new Option(String(n)));
      if (select) select.value = String(n);
      form.querySelectorAll("input[name=topic]").forEach((i) => { i.checked = topics.includes(i.value); });
    }
    const base = new URL(quiz.dataset.bank, window.location.href);
    status.textContent = "Drawing questions…";
    let items;
    try {
      const saved = storage.get(MIXED);
      items = saved && saved.seed === seed && Array.isArray(saved.ids)
        ? await load(base, saved.ids)
        : await draw(base, n, topics, seed);
    } catch (e) {
      status.textContent = "The questions could not be loaded. Reload the page, or take the quizzes by topic from the quiz bank.";
      return;
    }
    storage.set(MIXED, { seed, ids: items.map((i) => [i.slug, i.question.id]) });
    if (!items.length) {
      status.textContent = "No questions on these topics yet.";
      return;
    }
    status.textContent = "";
    status.hidden = true;
    const caseBase = new URL("../../", window.location.href);
    const slot = quiz.querySelector("[data-quiz-slot]");
    slot.replaceChildren(...items.map((item, i) => questionBlock(item, i + 1, caseBase)));
    quiz.querySelector("[data-quiz-key-slot]").replaceChildren(answerKey(items));
    setup(quiz);
  }

  function init() {
    document.querySelectorAll("[data-quiz-chrome]").forEach((node) => {
      if (!node.closest("[data-quiz]")) node.hidden = false;  // the bank page's progress and mixed-quiz form
    });
    document.querySelectorAll("[data-quiz]").forEach((quiz) => {
      if (quiz.hasAttribute("data-quiz-mixed")) mixed(quiz); else setup(quiz);
    });
    bankProgress();
  }

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(init);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
