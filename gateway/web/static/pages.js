/* Ponte pages: progressive enhancement of the server-rendered forms.
   - takes the one-time token out of the address bar as soon as the page loads;
   - shows the password policy as the person types (the API still judges it);
   - sends the form to the public JSON API and shows its answer in place: field errors from the
     problem document (in the page's language) next to their fields, the success view, or the
     "link gone" view.
   No inline script anywhere (the Content-Security-Policy forbids it). */
(function () {
  "use strict";

  var main = document.getElementById("main");
  var texts = {};
  try { texts = JSON.parse(main.getAttribute("data-texts") || "{}"); } catch (e) { texts = {}; }

  // 1. The token leaves the address bar (and so the history) right away.
  if (window.location.search.indexOf("token=") !== -1 && window.history.replaceState) {
    window.history.replaceState(null, "", window.location.pathname);
  }

  // 2. Password policy, live.
  var RULES = {
    length: function (v) { return Array.from(v).length >= 6; },
    letter: function (v) { return /\p{L}/u.test(v); },
    digit: function (v) { return /\p{Nd}/u.test(v); },
    special: function (v) { return /[^\p{L}\p{N}\s]/u.test(v); }
  };

  function checkPolicy(input) {
    var box = document.getElementById(input.getAttribute("data-policy"));
    if (!box) { return; }
    Array.prototype.forEach.call(box.querySelectorAll("li[data-rule]"), function (item) {
      var met = RULES[item.getAttribute("data-rule")](input.value);
      item.classList.toggle("met", met);
      var state = item.querySelector(".state");
      if (state) { state.textContent = "(" + (met ? texts.rule_met : texts.rule_unmet) + ")"; }
    });
  }

  function checkMatch(confirmation) {
    var first = document.getElementById(confirmation.getAttribute("data-confirms"));
    var note = document.getElementById(confirmation.id + "-match");
    if (!first || !note) { return; }
    if (!confirmation.value) { note.textContent = ""; note.className = "match"; return; }
    var same = confirmation.value === first.value;
    note.textContent = same ? texts.match_ok : texts.match_no;
    note.className = "match " + (same ? "ok" : "no");
  }

  Array.prototype.forEach.call(document.querySelectorAll("input[data-policy]"), function (input) {
    checkPolicy(input);
    input.addEventListener("input", function () {
      checkPolicy(input);
      var confirmation = document.querySelector("input[data-confirms='" + input.id + "']");
      if (confirmation) { checkMatch(confirmation); }
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll("input[data-confirms]"), function (input) {
    input.addEventListener("input", function () { checkMatch(input); });
  });

  // 3. Sending the form to the JSON API.
  function formatMoment(date) {
    // The server's CLDR pattern (e.g. "dd/MM/yyyy 'às' HH:mm") in the operator's time zone.
    var parts = {};
    new Intl.DateTimeFormat("en-GB", {
      timeZone: texts.time_zone, year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", hour12: false
    }).formatToParts(date).forEach(function (p) { parts[p.type] = p.value; });
    var values = { yyyy: parts.year, MM: parts.month, dd: parts.day,
                   HH: parts.hour === "24" ? "00" : parts.hour, mm: parts.minute };
    return (texts.moment || "dd/MM/yyyy HH:mm").replace(/'([^']*)'|yyyy|MM|dd|HH|mm/g,
      function (token, quoted) { return quoted !== undefined ? quoted : values[token]; });
  }

  function clearErrors(form, summary) {
    Array.prototype.forEach.call(form.querySelectorAll("[data-error-for]"), function (slot) {
      slot.textContent = "";
    });
    Array.prototype.forEach.call(form.querySelectorAll("[aria-invalid]"), function (field) {
      field.removeAttribute("aria-invalid");
    });
    Array.prototype.forEach.call(form.querySelectorAll(".field.invalid"), function (field) {
      field.classList.remove("invalid");
    });
    summary.hidden = true;
    summary.textContent = "";
  }

  function showSummary(summary, items) {
    summary.textContent = "";
    var title = document.createElement("p");
    title.textContent = texts.errors_title;
    summary.appendChild(title);
    var list = document.createElement("ul");
    items.forEach(function (item) {
      var li = document.createElement("li");
      if (item.target) {
        var a = document.createElement("a");
        a.href = "#" + item.target;
        a.textContent = item.text;
        li.appendChild(a);
      } else {
        li.textContent = item.text;
      }
      list.appendChild(li);
    });
    summary.appendChild(list);
    summary.hidden = false;
    summary.focus();
  }

  function showFieldErrors(form, summary, errors) {
    var items = [];
    Object.keys(errors).forEach(function (name) {
      var messages = errors[name] || [];
      var slot = form.querySelector("[data-error-for='" + name + "']") ||
                 form.querySelector("[data-error-for='_body']");
      var field = form.elements[name];
      var target = null;
      if (field) {
        var element = field.length && !field.tagName ? field[0] : field;
        element.setAttribute("aria-invalid", "true");
        var wrapper = element.closest(".field");
        if (wrapper) { wrapper.classList.add("invalid"); }
        target = element.id || (element.closest("[id]") || {}).id || null;
      }
      if (slot) {
        slot.textContent = (slot.textContent ? slot.textContent + " " : "") + messages.join(" ");
      }
      var label = slot && slot.getAttribute("data-error-for") === name
        ? slot.getAttribute("data-label") : null;
      messages.forEach(function (text) {
        items.push({ text: label ? label + ": " + text : text, target: target });
      });
    });
    showSummary(summary, items);
  }

  function show(viewId) {
    document.getElementById("form-view").hidden = true;
    var view = document.getElementById(viewId);
    view.hidden = false;
    view.focus();
  }

  function bodyOf(form) {
    var body = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "token" || el.name === "csrf" || el.disabled) { return; }
      if (el.type === "checkbox") { body[el.name] = el.checked; return; }
      if (el.type === "radio") { if (el.checked) { body[el.name] = el.value; } return; }
      if (el.type === "password") { body[el.name] = el.value; return; }
      if (el.tagName === "BUTTON") { return; }
      var value = el.value.trim();
      if (value) { body[el.name] = value; }
    });
    return body;
  }

  function enhance(form) {
    var summary = document.getElementById("error-summary");
    var button = form.querySelector("button[type=submit]");
    var label = button.textContent;
    var tokenField = form.elements.token;
    var url = form.getAttribute("data-api") +
      (tokenField ? encodeURIComponent(tokenField.value) : "");
    var success = Number(form.getAttribute("data-success"));

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (button.disabled) { return; }
      clearErrors(form, summary);
      button.disabled = true;
      button.textContent = texts.sending;
      var body = bodyOf(form);
      fetch(url, {
        method: "POST", credentials: "omit", referrerPolicy: "no-referrer", cache: "no-store",
        headers: { "Content-Type": "application/json", "Accept": "application/json",
                   "Accept-Language": texts.locale || "pt-BR" },
        body: JSON.stringify(body)
      }).then(function (response) {
        return response.text().then(function (raw) {
          var payload = null;
          try { payload = raw ? JSON.parse(raw) : null; } catch (e) { payload = null; }
          return { status: response.status, payload: payload };
        });
      }).then(function (answer) {
        button.disabled = false;
        button.textContent = label;
        if (answer.status === success) {
          var login = document.querySelector("[data-slot=login]");
          if (login && answer.payload && answer.payload.account) {
            login.textContent = answer.payload.account.email;
          }
          var when = document.querySelector("[data-slot=when]");
          if (when) {
            var now = new Date();
            when.textContent = formatMoment(now);
            when.setAttribute("datetime", now.toISOString());
          }
          Array.prototype.forEach.call(form.querySelectorAll("input[type=password]"),
            function (input) { input.value = ""; });
          show("done-view");
        } else if (answer.status === 404 && document.getElementById("gone-view")) {
          show("gone-view");
        } else if (answer.payload && answer.payload.errors) {
          showFieldErrors(form, summary, answer.payload.errors);
        } else {
          showSummary(summary, [{ text: answer.status === 429 ? texts.error_busy
            : (answer.payload && answer.status < 500 ? answer.payload.detail
              : texts.error_generic) }]);
        }
      }).catch(function () {
        button.disabled = false;
        button.textContent = label;
        showSummary(summary, [{ text: texts.error_network }]);
      });
    });
  }

  if (window.fetch && window.JSON) {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-api]"), enhance);
  }
}());
