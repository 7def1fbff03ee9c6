/* Kernel-free quiz behaviour for exported pages and slide decks.
 * Each quiz output embeds this script; it sets itself up once per page and
 * then wires every quiz form not yet wired. Rules mirror Question.check in
 * quiz.py (tests/test_browser.py checks the two agree).
 */
(function () {
  "use strict";
  var root = window.anklQuiz = window.anklQuiz || { results: {} };

  function updateScore() {
    var forms = document.querySelectorAll("form.ankl-quiz");
    var answered = 0, right = 0;
    Object.keys(root.results).forEach(function (key) {
      answered += 1;
      if (root.results[key]) { right += 1; }
    });
    var text = "Quiz progress: " + answered + " of " + forms.length +
      " questions answered, " + right + " answered correctly.";
    document.querySelectorAll(".ankl-score").forEach(function (el) { el.textContent = text; });
  }

  function judge(data, form) {
    var verdict;
    if (data.type === "numeric") {
      var raw = form.querySelector("input[type=number]").value;
      var value = parseFloat(raw);
      if (raw === "" || isNaN(value)) { return { answered: false, text: "Enter a number first." }; }
      if (value >= data.low && value <= data.high) {
        verdict = { correct: true, text: ("Correct. " + data.correct).trim() };
      } else if (value < data.low) {
        verdict = { correct: false, text: ("Too low. " + data.tooLow).trim() };
      } else {
        verdict = { correct: false, text: ("Too high. " + data.tooHigh).trim() };
      }
      verdict.answered = true;
      return verdict;
    }
    var inputs = form.querySelectorAll("input[type=radio], input[type=checkbox]");
    var chosen = [];
    inputs.forEach(function (input) { if (input.checked) { chosen.push(parseInt(input.value, 10)); } });
    if (data.type === "multiple") {
      if (!chosen.length) { return { answered: false, text: "Tick at least one answer first." }; }
      var notes = chosen.map(function (i) { return data.options[i][1]; }).filter(Boolean);
      var wrong = chosen.filter(function (i) { return !data.options[i][0]; }).length;
      var missed = 0;
      data.options.forEach(function (opt, i) { if (opt[0] && chosen.indexOf(i) < 0) { missed += 1; } });
      if (!wrong && !missed) {
        return { answered: true, correct: true, text: ["Correct."].concat(notes).join(" ") };
      }
      var parts = [];
      if (wrong) { parts.push(wrong + " of your choices " + (wrong === 1 ? "is" : "are") + " wrong"); }
      if (missed) { parts.push(missed + " correct answer" + (missed === 1 ? "" : "s") + " not ticked"); }
      return { answered: true, correct: false,
               text: ["Not quite: " + parts.join(" and ") + "."].concat(notes).join(" ") };
    }
    if (!chosen.length) { return { answered: false, text: "Choose one answer first." }; }
    var option = data.options[chosen[0]];
    return { answered: true, correct: option[0],
             text: ((option[0] ? "Correct. " : "Not quite. ") + option[1]).trim() };
  }

  function wire(form) {
    if (form.getAttribute("data-ankl-ready")) { return; }
    form.setAttribute("data-ankl-ready", "1");
    var data = JSON.parse(atob(form.getAttribute("data-ankl-quiz")));
    var feedback = form.querySelector(".ankl-feedback");
    var explanation = form.querySelector(".ankl-explanation");
    var check = form.querySelector(".ankl-check");
    var retry = form.querySelector(".ankl-retry");
    var revealed = !explanation.hidden;

    function onCheck() {
      var verdict = judge(data, form);
      feedback.textContent = verdict.text;
      feedback.className = "ankl-feedback" + (verdict.answered ? (verdict.correct ? " ankl-right" : " ankl-wrong") : "");
      if (!verdict.answered) { return; }
      root.results[form.id] = !!root.results[form.id] || verdict.correct;
      explanation.hidden = false;
      retry.hidden = false;
      updateScore();
    }
    function onRetry() {
      feedback.textContent = "";
      feedback.className = "ankl-feedback";
      if (!revealed) { explanation.hidden = true; }
      retry.hidden = true;
      form.querySelectorAll("input").forEach(function (input) {
        if (input.type === "number") { input.value = ""; } else { input.checked = false; }
      });
      var first = form.querySelector("input");
      if (first) { first.focus(); }
    }
    check.addEventListener("click", onCheck);
    retry.addEventListener("click", onRetry);
    form.addEventListener("keydown", function (event) {
      /* Keep reveal.js from turning keys typed into a quiz into slide moves. */
      event.stopPropagation();
      if (event.key === "Enter" && event.target.tagName === "INPUT") {
        event.preventDefault();
        onCheck();
      }
    });
  }

  function wireAll() {
    document.querySelectorAll("form.ankl-quiz[data-ankl-quiz]").forEach(wire);
    updateScore();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wireAll);
  } else {
    wireAll();
  }
})();
