/* Kernel-free quizzes for exported pages and slide decks, the live quiz widget, and the rules they
 * share with Python.
 *
 * The first half is pure functions that mirror ankl_course/quiz_bank.py (Question.check) and
 * ankl_course/quiz_rules.py name for name: judging, reading a typed number, what a Check or
 * "Show answer" does to a question's record, the score line. tests/test_quiz_agreement.py runs
 * every question of every bank through both, in Node (this file is a CommonJS module there) and in
 * Chromium, and requires identical results.
 *
 * The second half wires quiz forms. In an exported page (this file as a classic inline script,
 * included once) it wires every form, score line and progress table on the page and keeps records
 * in localStorage under "ankl-course/<page chapter>/<question key>", so answers and the score
 * survive a reload. In JupyterLab the same forms are rendered by an anywidget (quiz.py appends an
 * ES-module export to this file) and records go to the widget model, which Python writes to the
 * workspace's progress file.
 */
(function (factory) {
  "use strict";
  var core = factory();
  if (typeof module === "object" && module.exports) { module.exports = core; }
  if (typeof window !== "undefined") { window.anklQuiz = core; }
  /* Only as a classic page script: as the widget's ES module there is no currentScript. */
  if (typeof document !== "undefined" && document.currentScript) { core.start(document); }
})(function () {
  "use strict";
  var NUMBER = /^[-+]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][-+]?\d+)?$/;
  var NOT_A_NUMBER = "Enter a number first (for example 12.5).";
  var SHOWN_FEEDBACK = "Answer shown: this question counts as not known. Read the explanation, then try it again.";
  var PREFIX = "ankl-course/";

  /* -- rules (mirror quiz_bank.py and quiz_rules.py) --------------------------------- */

  function parseNumber(text, unit) {
    if (typeof text === "number") { return isFinite(text) ? text : null; }
    if (typeof text !== "string") { return null; }
    var cleaned = text.trim();
    if (unit && cleaned.toLowerCase().slice(-unit.length) === unit.toLowerCase()) {
      cleaned = cleaned.slice(0, cleaned.length - unit.length).trim();
    }
    if (!NUMBER.test(cleaned)) { return null; }
    return Number(cleaned.replace(",", "."));
  }

  function isIndex(value, count) {
    return typeof value === "number" && Number.isInteger(value) && value >= 0 && value < count;
  }

  function trimJoin(parts) { return parts.join(" ").trim(); }

  function judge(data, response) {
    if (data.type === "numeric") {
      var value = parseNumber(response, data.unit || "");
      if (value === null) { return { answered: false, correct: false, feedback: NOT_A_NUMBER }; }
      if (value >= data.low && value <= data.high) {
        return { answered: true, correct: true, feedback: trimJoin(["Correct.", data.correct]) };
      }
      if (value < data.low) { return { answered: true, correct: false, feedback: trimJoin(["Too low.", data.tooLow]) }; }
      return { answered: true, correct: false, feedback: trimJoin(["Too high.", data.tooHigh]) };
    }
    var options = data.options;
    if (data.type === "multiple") {
      var items = Array.isArray(response) ? response : [];
      var valid = items.every(function (i) { return isIndex(i, options.length); });
      var chosen = items.filter(function (i, at) { return items.indexOf(i) === at; });
      if (!items.length || !valid || chosen.length !== items.length) {
        return { answered: false, correct: false, feedback: "Tick at least one answer first." };
      }
      chosen.sort(function (a, b) { return a - b; });
      var notes = chosen.map(function (i) { return options[i][1]; }).filter(Boolean);
      var wrong = chosen.filter(function (i) { return !options[i][0]; }).length;
      var missed = options.filter(function (opt, i) { return opt[0] && chosen.indexOf(i) < 0; }).length;
      if (!wrong && !missed) { return { answered: true, correct: true, feedback: ["Correct."].concat(notes).join(" ") }; }
      var parts = [];
      if (wrong) { parts.push(wrong + " of your choices " + (wrong === 1 ? "is" : "are") + " wrong"); }
      if (missed) { parts.push(missed + " correct answer" + (missed === 1 ? "" : "s") + " not ticked"); }
      return { answered: true, correct: false,
               feedback: ["Not quite: " + parts.join(" and ") + "."].concat(notes).join(" ") };
    }
    if (!isIndex(response, options.length)) {
      return { answered: false, correct: false, feedback: "Choose one answer first." };
    }
    var option = options[response];
    return { answered: true, correct: option[0], feedback: option[1] };  // verdict included by the page
  }

  function emptyRecord() { return { first: null, solved: false, shown: false, response: null, time: "" }; }

  function copy(record) {
    return { first: record.first, solved: record.solved, shown: record.shown, response: record.response, time: record.time };
  }

  function afterCheck(record, correct, response, time) {
    var next = copy(record);
    if (next.first === null) { next.first = correct; }
    next.solved = record.solved || correct;
    next.response = response;
    next.time = time || "";
    return next;
  }

  function afterShow(record, time) {
    var next = copy(record);
    if (next.first === null) { next.first = false; }
    next.shown = true;
    next.time = time || "";
    return next;
  }

  function revealed(record, teacher) { return !!teacher || record.solved || record.shown; }

  function score(records, total) {
    var result = { total: total, answered: 0, right: 0, shown: 0 };
    records.forEach(function (r) {
      if (r.first !== null) { result.answered += 1; }
      if (r.first === true) { result.right += 1; }
      if (r.shown) { result.shown += 1; }
    });
    return result;
  }

  function scoreText(s, label) {
    return (label || "Quiz progress") + ": " + s.answered + " of " + s.total + " questions answered, " +
      s.right + " right first time, " + s.shown + " answer" + (s.shown === 1 ? "" : "s") + " shown.";
  }

  /* -- the page ----------------------------------------------------------------------- */

  var memory = {};  /* used when localStorage is unavailable (some browsers' file:// or private mode) */

  function validRecord(data) {
    if (!data || typeof data !== "object" || [null, true, false].indexOf(data.first) < 0 ||
        typeof data.solved !== "boolean" || typeof data.shown !== "boolean") { return null; }
    return { first: data.first, solved: data.solved, shown: data.shown,
             response: data.response === undefined ? null : data.response, time: String(data.time || "") };
  }

  function loadLocal(chapter, key) {
    var name = PREFIX + chapter + "/" + key, raw = null;
    try { raw = window.localStorage.getItem(name); } catch (e) { raw = null; }
    if (raw === null && Object.prototype.hasOwnProperty.call(memory, name)) { raw = memory[name]; }
    if (raw === null) { return null; }
    try { return validRecord(JSON.parse(raw)); } catch (e) { return null; }
  }

  function saveLocal(chapter, key, record) {
    var name = PREFIX + chapter + "/" + key, text = JSON.stringify(record);
    memory[name] = text;
    try { window.localStorage.setItem(name, text); } catch (e) { /* memory keeps it for this visit */ }
  }

  function now() { return new Date().toISOString().replace(/\.\d{3}Z$/, "Z"); }

  function decode(text) { return JSON.parse(window.atob(text)); }

  function updateScores(doc) {
    doc.querySelectorAll(".ankl-score[data-ankl-score]").forEach(function (line) {
      var spec = decode(line.getAttribute("data-ankl-score"));
      var found = spec.keys.map(function (key) { return loadLocal(spec.chapter, key); }).filter(Boolean);
      line.textContent = scoreText(score(found, spec.keys.length), spec.label);
    });
    doc.querySelectorAll("table.ankl-progress[data-ankl-progress]").forEach(function (table) {
      var body = table.querySelector("tbody");
      body.textContent = "";
      decode(table.getAttribute("data-ankl-progress")).forEach(function (page) {
        var found = page.keys.map(function (key) { return loadLocal(page.chapter, key); }).filter(Boolean);
        var s = score(found, page.keys.length);
        var last = found.map(function (r) { return r.time; }).sort().pop() || "";
        var cells = [page.chapter, s.total, s.answered, s.right, s.shown,
                     last.replace("T", " ").replace("Z", " UTC") || "-"];
        var row = doc.createElement("tr");
        cells.forEach(function (value) {
          var cell = doc.createElement("td");
          cell.textContent = String(value);
          row.appendChild(cell);
        });
        body.appendChild(row);
      });
    });
  }

  /* store: {load(chapter, key) -> record or null, save(chapter, key, record)}; changed(): after a save. */
  function wire(form, store, changed) {
    if (form.getAttribute("data-ankl-ready")) { return; }
    form.setAttribute("data-ankl-ready", "1");
    var data = decode(form.getAttribute("data-ankl-quiz"));
    var teacher = form.getAttribute("data-ankl-teacher") === "1";
    var feedback = form.querySelector(".ankl-feedback");
    var reveal = form.querySelector(".ankl-reveal");
    var inputs = Array.prototype.slice.call(form.querySelectorAll("input"));

    function response() {
      if (data.type === "numeric") { return inputs[0].value; }
      var chosen = inputs.filter(function (i) { return i.checked; }).map(function (i) { return parseInt(i.value, 10); });
      if (data.type === "multiple") { return chosen; }
      return chosen.length ? chosen[0] : null;
    }
    function setResponse(value) {
      if (data.type === "numeric") { inputs[0].value = typeof value === "string" ? value : ""; return; }
      var chosen = Array.isArray(value) ? value : [value];
      inputs.forEach(function (input) { input.checked = chosen.indexOf(parseInt(input.value, 10)) >= 0; });
    }
    function say(text, correct) {
      feedback.textContent = text;
      feedback.className = "ankl-feedback" + (correct === true ? " ankl-right" : correct === false ? " ankl-wrong" : "");
    }
    function show(record) { reveal.hidden = !revealed(record, teacher); }
    function current() { return store.load(data.chapter, data.key) || emptyRecord(); }

    function onCheck() {
      var answer = response();
      var verdict = judge(data, answer);
      say(verdict.feedback, verdict.answered ? verdict.correct : null);
      if (!verdict.answered) { return; }
      var record = afterCheck(current(), verdict.correct, answer, now());
      store.save(data.chapter, data.key, record);
      show(record);
      changed();
    }
    function onShow() {
      var record = afterShow(current(), now());
      store.save(data.chapter, data.key, record);
      say(SHOWN_FEEDBACK, null);
      show(record);
      changed();
    }

    var stored = current();
    if (stored.response !== null) {
      setResponse(stored.response);
      var verdict = judge(data, stored.response);
      if (verdict.answered) { say(verdict.feedback, verdict.correct); }
    } else if (stored.shown) {
      say(SHOWN_FEEDBACK, null);
    }
    show(stored);
    form.querySelector(".ankl-check").addEventListener("click", onCheck);
    form.querySelector(".ankl-show").addEventListener("click", onShow);
    form.addEventListener("keydown", function (event) {
      /* Keep reveal.js from turning keys typed into a quiz into slide moves. */
      event.stopPropagation();
      if (event.key === "Enter" && event.target.tagName === "INPUT") {
        event.preventDefault();
        onCheck();
      }
    });
  }

  function start(doc) {
    var local = { load: loadLocal, save: saveLocal };
    function wireAll() {
      doc.querySelectorAll("form.ankl-quiz[data-ankl-quiz]").forEach(function (form) {
        wire(form, local, function () { updateScores(doc); });
      });
      updateScores(doc);
    }
    if (doc.readyState === "loading") { doc.addEventListener("DOMContentLoaded", wireAll); } else { wireAll(); }
  }

  /* The live widget (anywidget): the same forms, with records kept in the widget model. */
  function renderWidget(model, el) {
    el.innerHTML = model.get("html");
    var store = {
      load: function (chapter, key) { return validRecord((model.get("records") || {})[key]); },
      save: function (chapter, key, record) {
        var records = Object.assign({}, model.get("records") || {});
        records[key] = record;
        model.set("records", records);
        model.save_changes();
      }
    };
    el.querySelectorAll("form.ankl-quiz[data-ankl-quiz]").forEach(function (form) {
      wire(form, store, function () {});
    });
  }

  return {
    parseNumber: parseNumber, judge: judge, emptyRecord: emptyRecord, afterCheck: afterCheck, afterShow: afterShow,
    revealed: revealed, score: score, scoreText: scoreText, NOT_A_NUMBER: NOT_A_NUMBER,
    SHOWN_FEEDBACK: SHOWN_FEEDBACK, start: start, renderWidget: renderWidget
  };
});
