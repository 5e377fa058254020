// Warn staff before the idle limit ends their session, and let them stay (WCAG 2.2.1).
// Without this file nothing is lost either: a form sent after the end is kept for them.
(function () {
  "use strict";

  var box = document.querySelector("[data-session-warning]");
  if (!box || !window.fetch) {
    return;
  }
  var idle = parseInt(box.getAttribute("data-idle-seconds"), 10);
  if (!(idle > 0)) {
    return;
  }
  var title = box.querySelector("[data-session-title]");
  var text = box.querySelector("[data-session-text]");
  var stay = box.querySelector("[data-session-stay]");
  var signIn = box.querySelector("[data-session-sign-in]");
  // Warn two minutes ahead, or half-way through a limit shorter than four minutes.
  var lead = Math.min(120, Math.floor(idle / 2));
  var warnTimer = null;
  var endTimer = null;
  var returnFocus = null;

  function clock(date) {
    var lang = document.documentElement.lang || undefined;
    return date.toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit" });
  }

  function open() {
    if (box.hidden) {
      returnFocus = document.activeElement;
      box.hidden = false;
    }
  }

  function close() {
    box.hidden = true;
    if (returnFocus && typeof returnFocus.focus === "function" && document.contains(returnFocus)) {
      returnFocus.focus();
    }
    returnFocus = null;
  }

  function warn(expiresAt) {
    text.textContent = box.getAttribute("data-warning-text").replace("%(time)s", clock(expiresAt));
    stay.hidden = false;
    signIn.hidden = true;
    open();
    stay.focus();
  }

  function ended() {
    window.clearTimeout(warnTimer);
    title.textContent = box.getAttribute("data-ended-title");
    text.textContent = box.getAttribute("data-ended-text");
    stay.hidden = true;
    signIn.hidden = false;
    open();
    title.focus();
  }

  function start(seconds) {
    window.clearTimeout(warnTimer);
    window.clearTimeout(endTimer);
    var expiresAt = new Date(Date.now() + seconds * 1000);
    warnTimer = window.setTimeout(function () { warn(expiresAt); }, (seconds - lead) * 1000);
    endTimer = window.setTimeout(ended, seconds * 1000);
  }

  stay.addEventListener("click", function () {
    stay.disabled = true;
    window.fetch(box.getAttribute("data-keep-alive-url"), {
      method: "POST",
      credentials: "same-origin",
      cache: "no-store",
      headers: { "X-CSRFToken": box.getAttribute("data-csrf-token"), "Accept": "application/json" }
    }).then(function (response) {
      if (response.status === 401) {
        ended();
        return;
      }
      if (!response.ok) {
        throw new Error(String(response.status));
      }
      return response.json().then(function (body) {
        start(body.idle_seconds || idle);
        close();
      });
    }).catch(function () {
      text.textContent = box.getAttribute("data-failed-text");
      stay.focus();
    }).then(function () {
      stay.disabled = false;
    });
  });

  box.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !stay.hidden) {
      stay.click();
    }
  });

  start(idle);
})();
