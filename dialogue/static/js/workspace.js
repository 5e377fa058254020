// Workspace enhancements only: every task works without this file.
(function () {
  "use strict";

  var queue = document.querySelector("[data-queue]");
  if (!queue) {
    return;
  }
  var rows = Array.prototype.slice.call(queue.querySelectorAll("[data-queue-row]"));
  var help = document.getElementById("queue-shortcuts");
  var current = -1;

  // Keys typed into a form control belong to that control.
  function inFormControl(element) {
    if (!element || !element.tagName) {
      return false;
    }
    var name = element.tagName.toLowerCase();
    return name === "input" || name === "textarea" || name === "select" || element.isContentEditable;
  }

  function markCurrent(index) {
    if (current >= 0 && rows[current]) {
      rows[current].classList.remove("is-current");
    }
    current = index;
    rows[current].classList.add("is-current");
  }

  function focusRow(index) {
    if (!rows.length) {
      return;
    }
    markCurrent(Math.max(0, Math.min(rows.length - 1, index)));
    var link = rows[current].querySelector("[data-queue-open]");
    if (link) {
      link.focus();
    }
  }

  function currentRow() {
    return current >= 0 ? rows[current] : null;
  }

  function openCurrent() {
    var row = currentRow();
    var link = row && row.querySelector("[data-queue-open]");
    if (link) {
      link.click();
    }
  }

  function toggleCurrent() {
    var row = currentRow();
    var box = row && row.querySelector("[data-queue-select]");
    if (box) {
      box.checked = !box.checked;
      box.dispatchEvent(new Event("change", { bubbles: true }));
    }
  }

  function focusSearch() {
    var search = document.getElementById("q");
    if (search) {
      search.focus();
      search.select();
    }
  }

  function toggleHelp() {
    if (help) {
      help.open = !help.open;
      if (help.open) {
        help.querySelector("summary").focus();
      }
    }
  }

  var actions = {
    j: function () { focusRow(current + 1); },
    k: function () { focusRow(current < 0 ? 0 : current - 1); },
    o: openCurrent,
    x: toggleCurrent,
    "/": focusSearch,
    "?": toggleHelp
  };

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    if (inFormControl(event.target)) {
      return;
    }
    var key = event.key;
    if (key === "Enter") {
      // On a link or a button Enter already does its own thing.
      var name = event.target.tagName.toLowerCase();
      if (name === "a" || name === "button" || name === "summary" || !currentRow()) {
        return;
      }
      key = "o";
    }
    var action = Object.prototype.hasOwnProperty.call(actions, key) ? actions[key] : null;
    if (action) {
      event.preventDefault();
      action();
    }
  });

  // Tabbing or clicking into a row makes it the current one for j, k, o and x.
  queue.addEventListener("focusin", function (event) {
    var row = event.target.closest("[data-queue-row]");
    var index = rows.indexOf(row);
    if (index >= 0 && index !== current) {
      markCurrent(index);
    }
  });

  // A ticked row is marked by more than its checkbox, for a quick overview.
  queue.addEventListener("change", function (event) {
    var box = event.target;
    if (box.matches && box.matches("[data-queue-select]")) {
      box.closest("[data-queue-row]").classList.toggle("is-selected", box.checked);
    }
  });

  // Typing in an action's fields chooses that action.
  Array.prototype.forEach.call(queue.querySelectorAll("[data-bulk-for]"), function (details) {
    var radio = document.getElementById(details.getAttribute("data-bulk-for"));
    function choose() {
      if (radio) {
        radio.checked = true;
      }
    }
    details.addEventListener("input", choose);
    details.addEventListener("change", choose);
  });

  // "Choose all on this page" needs a script, so the script adds it.
  var holder = queue.querySelector("[data-select-all]");
  if (holder) {
    var all = document.createElement("input");
    all.type = "checkbox";
    all.className = "checkbox-input";
    all.id = "select-all";
    var label = document.createElement("label");
    label.htmlFor = all.id;
    label.className = "checkbox-label";
    label.textContent = holder.getAttribute("data-select-all");
    holder.appendChild(all);
    holder.appendChild(label);
    holder.hidden = false;
    all.addEventListener("change", function () {
      Array.prototype.forEach.call(queue.querySelectorAll("[data-queue-select]"), function (box) {
        box.checked = all.checked;
        box.dispatchEvent(new Event("change", { bubbles: true }));
      });
    });
  }
})();
