// Single-best-answer quizzes: check an answer, explain it, keep a score, try again.
// Without JavaScript the answers stay reachable in each question's <details> block.
// Subscribed to Material's document$ so it also runs after instant navigation.
(function () {
  "use strict";

  function setup(quiz) {
    if (quiz.dataset.quizReady) return;
    quiz.dataset.quizReady = "1";
    const questions = Array.from(quiz.querySelectorAll("[data-quiz-question]"));
    const score = quiz.querySelector(".quiz-score");
    const reset = quiz.querySelector(".quiz-reset");

    function updateScore() {
      const answered = questions.filter((q) => q.dataset.result);
      const right = answered.filter((q) => q.dataset.result === "right");
      score.textContent = answered.length
        ? `Score: ${right.length} of ${questions.length} correct (${answered.length} answered).`
        : "";
      reset.hidden = answered.length === 0;
    }

    questions.forEach((form) => {
      const button = form.querySelector(".quiz-check");
      const feedback = form.querySelector(".quiz-feedback");
      button.hidden = false;
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        const chosen = form.querySelector("input[type=radio]:checked");
        if (!chosen) {
          feedback.textContent = "Choose an answer first.";
          feedback.className = "quiz-feedback";
          return;
        }
        const explanation = form.querySelector(`.quiz-explanation[data-option="${chosen.value}"]`);
        const correct = explanation.hasAttribute("data-correct");
        const right = form.querySelector(".quiz-explanation[data-correct]");
        // First answer counts for the score; later tries still get feedback.
        if (!form.dataset.result) form.dataset.result = correct ? "right" : "wrong";
        feedback.className = "quiz-feedback " + (correct ? "quiz-right" : "quiz-wrong");
        feedback.textContent = (correct ? "Correct. " : "Not quite. ") +
          explanation.textContent.replace(/^[^.]*?:\s*/, "") +
          (correct ? "" : " Try another option, or open the answer below.");
        form.querySelectorAll(".quiz-option").forEach((o) => o.classList.remove("quiz-chosen-right", "quiz-chosen-wrong"));
        chosen.closest(".quiz-option").classList.add(correct ? "quiz-chosen-right" : "quiz-chosen-wrong");
        if (correct) right.closest("details").open = true;
        updateScore();
      });
    });

    reset.addEventListener("click", () => {
      questions.forEach((form) => {
        form.reset();
        delete form.dataset.result;
        form.querySelector(".quiz-feedback").textContent = "";
        form.querySelector(".quiz-feedback").className = "quiz-feedback";
        form.querySelector("details").open = false;
        form.querySelectorAll(".quiz-option").forEach((o) => o.classList.remove("quiz-chosen-right", "quiz-chosen-wrong"));
      });
      updateScore();
      const first = quiz.querySelector("input[type=radio]");
      if (first) first.focus();
    });
  }

  function init() {
    document.querySelectorAll("[data-quiz]").forEach(setup);
  }

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(init);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
