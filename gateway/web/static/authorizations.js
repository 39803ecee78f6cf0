/* Ponte portal, authorization screens: enhancements only (every screen works without them).
   - "Demanda" lists only the demands of the chosen "Grupo de demanda";
   - a procedure row shows tooth, region and faces only where its procedure asks for them, and
     its suggestions follow what is typed (/authorizations/procedures?q=);
   - a tooth chart (FDI: permanent 11–48, deciduous 51–85) beside each "Dente": buttons with
     aria-pressed, operable by keyboard (Tab, Enter or Space; arrow keys move along a row);
   - copy buttons for the number, the protocol and the code;
   - the auditor's queue and request page reload when what they show changed (another auditor
     decided, a new request arrived): on a pop-up, and by looking again every few seconds.
   No inline script (the CSP forbids it). */
(function () {
  "use strict";

  var CHART = [[18, 17, 16, 15, 14, 13, 12, 11, 21, 22, 23, 24, 25, 26, 27, 28],
               [48, 47, 46, 45, 44, 43, 42, 41, 31, 32, 33, 34, 35, 36, 37, 38],
               [55, 54, 53, 52, 51, 61, 62, 63, 64, 65],
               [85, 84, 83, 82, 81, 71, 72, 73, 74, 75]];
  var LIVE_EVERY = 5000;

  function each(selector, action, root) {
    Array.prototype.forEach.call((root || document).querySelectorAll(selector), action);
  }

  // demand group → demand
  function filterDemands() {
    var group = document.querySelector("[data-demand-group]");
    var demand = document.querySelector("[data-demand-type]");
    if (!group || !demand) { return; }
    var chosen = group.value;
    each("optgroup", function (og) {
      var show = !chosen || og.getAttribute("data-group") === chosen;
      og.hidden = !show;
      og.disabled = !show;
    }, demand);
    var selected = demand.options[demand.selectedIndex];
    if (selected && selected.parentNode.disabled) { demand.value = ""; }
  }

  // procedure rows
  function entryFor(text) {
    var list = document.getElementById("procedure-list");
    if (!list || !text) { return null; }
    var code = (text.match(/^\s*([0-9]{8})/) || [])[1];
    var found = null;
    each("option", function (option) {
      var value = option.value;
      if (found) { return; }
      if (value === text || (code && value.indexOf(code) === 0)) { found = option; }
    }, list);
    return found;
  }

  function applyAsks(input) {
    var row = input.closest("[data-row]");
    if (!row) { return; }
    var entry = entryFor(input.value);
    each("[data-asks]", function (field) {
      var name = field.getAttribute("data-asks");
      var invalid = field.classList.contains("invalid");
      field.hidden = entry ? (entry.getAttribute("data-" + name) !== "true" && !invalid) : false;
    }, row);
  }

  var searching = null;
  function suggest(input) {
    var text = input.value.trim();
    if (text.length < 3 || entryFor(text) || !window.fetch) { return; }
    window.clearTimeout(searching);
    searching = window.setTimeout(function () {
      fetch("/authorizations/procedures?q=" + encodeURIComponent(text), {
        credentials: "same-origin", headers: { "Accept": "application/json" }
      }).then(function (r) { return r.ok ? r.json() : null; }).then(function (answer) {
        var list = document.getElementById("procedure-list");
        if (!answer || !list) { return; }
        answer.items.forEach(function (p) {
          var value = p.code + " " + p.name;
          if (entryFor(value)) { return; }
          var option = document.createElement("option");
          option.value = value;
          option.setAttribute("data-tooth", String(p.requires_tooth));
          option.setAttribute("data-region", String(p.requires_region));
          option.setAttribute("data-faces", String(p.requires_faces));
          list.appendChild(option);
        });
      }).catch(function () { /* suggestions are a convenience */ });
    }, 250);
  }

  // tooth chart
  function chartFor(select) {
    var words = { tooth_chart: select.getAttribute("data-chart-label"),
                  tooth: select.getAttribute("data-tooth-label") };
    var chart = document.createElement("div");
    chart.className = "tooth-chart";
    chart.setAttribute("role", "group");
    chart.setAttribute("aria-label", (words.tooth_chart || "Tooth chart") + " — " +
      (select.labels && select.labels[0] ? select.labels[0].textContent : ""));
    CHART.forEach(function (teeth, index) {
      var line = document.createElement("div");
      line.className = "tooth-line" + (index > 1 ? " deciduous" : "");
      teeth.forEach(function (tooth) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "tooth";
        button.textContent = String(tooth);
        button.setAttribute("data-tooth-value", String(tooth));
        button.setAttribute("aria-pressed", select.value === String(tooth) ? "true" : "false");
        button.setAttribute("aria-label", (words.tooth || "Tooth") + " " + tooth);
        line.appendChild(button);
      });
      chart.appendChild(line);
    });
    function show() {
      each("button", function (b) {
        b.setAttribute("aria-pressed", b.getAttribute("data-tooth-value") === select.value
          ? "true" : "false");
      }, chart);
    }
    chart.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-tooth-value]");
      if (!button) { return; }
      var value = button.getAttribute("data-tooth-value");
      select.value = select.value === value ? "" : value;
      show();
    });
    chart.addEventListener("keydown", function (event) {
      var button = event.target.closest("button[data-tooth-value]");
      if (!button || (event.key !== "ArrowLeft" && event.key !== "ArrowRight")) { return; }
      var next = event.key === "ArrowRight" ? button.nextElementSibling
        : button.previousElementSibling;
      if (next) { next.focus(); event.preventDefault(); }
    });
    select.addEventListener("change", show);
    select.parentNode.insertBefore(chart, select.nextSibling);
  }

  // copy buttons
  function copyButtons() {
    each("button[data-copy]", function (button) {
      if (!navigator.clipboard) { return; }
      button.hidden = false;
      button.addEventListener("click", function () {
        var source = document.getElementById(button.getAttribute("data-copy"));
        navigator.clipboard.writeText(source ? source.textContent.trim() : "").then(function () {
          button.setAttribute("data-done", "");
          var status = document.getElementById("copy-status");
          if (status) { status.textContent = button.getAttribute("data-copied"); }
        }).catch(function () { /* nothing copied: the text stays on screen */ });
      });
    });
  }

  // live pages
  function live() {
    var section = document.querySelector("[data-live]");
    if (!section || !window.fetch) { return; }
    var state = section.getAttribute("data-live-state");
    var busy = false;
    function look() {
      if (busy) { return; }
      busy = true;
      fetch(window.location.href, { credentials: "same-origin", cache: "no-store" })
        .then(function (r) { return r.ok ? r.text() : ""; })
        .then(function (html) {
          busy = false;
          var found = html.match(/data-live-state="([^"]*)"/);
          if (found && found[1] !== state) { window.location.reload(); }
        }).catch(function () { busy = false; });
    }
    document.addEventListener("ponte:notification", look);
    window.setInterval(look, LIVE_EVERY);
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-demand-group]")) { filterDemands(); }
    if (event.target.matches("[data-procedure]")) { applyAsks(event.target); }
  });
  document.addEventListener("input", function (event) {
    if (event.target.matches("[data-procedure]")) { applyAsks(event.target); suggest(event.target); }
  });
  filterDemands();
  each("[data-procedure]", applyAsks);
  each("select[data-tooth]", chartFor);
  copyButtons();
  live();
}());
