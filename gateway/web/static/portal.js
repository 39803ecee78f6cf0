/* Ponte portal, on every signed-in screen: forms sent once, and live pop-ups.
   The page holds no token: it asks the portal for a single-use stream ticket (the session's
   anti-forgery token in X-CSRF-Token), opens the notification stream with it, shows each new
   item as a pop-up in the polite status region and bumps the unread count. After a drop it
   asks for a new ticket and resumes with last_event_id (the stream's Last-Event-ID), and an
   item already shown is never shown twice. No inline script (the CSP forbids it). */
(function () {
  "use strict";

  // A form is sent once: a double click on "Enviar" does not send it twice (forms the link
  // pages' script sends itself, data-api, are left to it).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute("data-api")) { return; }
    if (form.hasAttribute("data-sent")) { event.preventDefault(); return; }
    form.setAttribute("data-sent", "");
  });
  window.addEventListener("pageshow", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-sent]"), function (form) {
      form.removeAttribute("data-sent");
    });
  });

  var meta = document.querySelector("meta[name='csrf-token']");
  var region = document.getElementById("popups");
  if (!meta || !region || !window.EventSource || !window.fetch) { return; }
  var texts = {};
  try { texts = JSON.parse(document.getElementById("main").getAttribute("data-texts") || "{}"); }
  catch (e) { texts = {}; }

  var shown = {};
  var lastId = null;
  var delay = 1000;
  var source = null;
  var stopped = false;

  function bump() {
    var count = document.getElementById("unread-count");
    if (count) { count.textContent = String((parseInt(count.textContent, 10) || 0) + 1); }
  }

  function popup(item) {
    if (!item || !item.id || shown[item.id]) { return; }
    shown[item.id] = true;
    var box = document.createElement("div");
    box.className = "popup";
    var title = document.createElement("p");
    var link = document.createElement("a");
    link.href = "/notifications";
    link.textContent = item.title || texts.new_item;
    title.appendChild(link);
    box.appendChild(title);
    var close = document.createElement("button");
    close.type = "button";
    close.className = "close";
    close.textContent = texts.close || "×";
    close.addEventListener("click", function () { box.remove(); });
    box.appendChild(close);
    region.appendChild(box);
    bump();
    document.dispatchEvent(new CustomEvent("ponte:notification", { detail: item }));
    window.setTimeout(function () { box.remove(); }, 15000);
  }

  function retry() {
    if (stopped) { return; }
    window.setTimeout(connect, delay);
    delay = Math.min(delay * 2, 30000);
  }

  function open(answer) {
    var url = answer.stream + "?ticket=" + encodeURIComponent(answer.ticket) +
      (lastId ? "&last_event_id=" + encodeURIComponent(lastId) : "");
    source = new EventSource(url);
    source.addEventListener("open", function () {
      delay = 1000;
      region.setAttribute("data-stream", "open");
    });
    source.addEventListener("notification", function (event) {
      if (event.lastEventId) { lastId = event.lastEventId; }
      try { popup(JSON.parse(event.data)); } catch (e) { /* a frame that is not JSON */ }
    });
    source.onerror = function () {
      region.setAttribute("data-stream", "closed");
      source.close();  // the ticket is single use: the browser's own retry would be refused
      retry();
    };
  }

  function connect() {
    fetch("/notifications/stream-ticket", {
      method: "POST", credentials: "same-origin", redirect: "manual", cache: "no-store",
      headers: { "Accept": "application/json", "X-CSRF-Token": meta.getAttribute("content") }
    }).then(function (response) {
      if (response.type === "opaqueredirect" || response.status === 401 ||
          response.status === 403) {
        stopped = true;  // signed out: nothing to listen to
        return null;
      }
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    }).then(function (answer) {
      if (answer) { open(answer); }
    }).catch(retry);
  }

  window.addEventListener("pagehide", function () {
    stopped = true;
    if (source) { source.close(); }
  });
  connect();
}());
