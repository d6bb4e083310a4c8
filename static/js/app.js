// Leaddesk's small script: htmx sends the CSRF token on every request, dialogs open and close, copy buttons copy.
// Everything here is an enhancement: every form also works without JavaScript.
(function () {
  "use strict";
  function csrfToken() {
    var m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.getAttribute("content") : "";
  }
  document.addEventListener("htmx:configRequest", function (e) {
    e.detail.headers["X-CSRF-Token"] = csrfToken();
  });
  // A dialog fragment swapped into #modal opens itself as a modal <dialog>, which traps focus.
  document.addEventListener("htmx:afterSwap", function (e) {
    var d = e.target.querySelector && e.target.querySelector("dialog[data-autoopen]");
    if (d && !d.open) { d.showModal(); }
  });
  document.addEventListener("click", function (e) {
    var close = e.target.closest("[data-close-dialog]");
    if (close) {
      var dlg = close.closest("dialog");
      if (dlg) { e.preventDefault(); dlg.close(); }
      return;
    }
    var copy = e.target.closest("[data-copy]");
    if (copy) {
      e.preventDefault();
      var text = copy.getAttribute("data-copy");
      var done = function () {
        var label = copy.getAttribute("data-copied") || "Copied";
        copy.setAttribute("data-label", copy.getAttribute("aria-label") || "");
        copy.setAttribute("aria-label", label);
        copy.classList.add("copied");
        var live = document.getElementById("live");
        if (live) { live.textContent = label; }
        setTimeout(function () { copy.classList.remove("copied"); copy.setAttribute("aria-label", copy.getAttribute("data-label")); }, 1500);
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, done);
      } else {
        var ta = document.createElement("textarea");
        ta.value = text; document.body.appendChild(ta); ta.select();
        try { document.execCommand("copy"); } catch (err) { /* ignore */ }
        document.body.removeChild(ta); done();
      }
    }
  });
  // Closing a dialog returns it to nothing, so the next open fetches a fresh form.
  document.addEventListener("close", function (e) {
    if (e.target.tagName === "DIALOG" && e.target.hasAttribute("data-autoopen")) { e.target.remove(); }
  }, true);
})();

// Action Center (notifications): the panel closes with its close button, with Escape, or by clicking outside it.
(function () {
  "use strict";
  function closePanel() {
    var host = document.getElementById("notify-panel");
    if (host && host.firstChild) { host.innerHTML = ""; return true; }
    return false;
  }
  document.addEventListener("click", function (e) {
    if (e.target.closest("[data-close-panel]")) { e.preventDefault(); closePanel(); return; }
    if (!e.target.closest("#notify-panel") && !e.target.closest(".notify-bell")) { closePanel(); }
  });
  // The opened panel takes the focus, so keyboard users land in it.
  document.addEventListener("htmx:afterSwap", function (e) {
    if (e.detail.target && e.detail.target.id === "notify-panel") {
      var close = e.detail.target.querySelector("[data-close-panel]");
      if (close) { close.focus(); }
    }
  });
  // A failed poll (signed out, role taken away, server restarting) leaves the badge as it was instead of
  // showing an error or another page in it.
  document.addEventListener("htmx:beforeSwap", function (e) {
    if (e.detail.target && e.detail.target.id === "bell-count" &&
        (e.detail.xhr.status >= 400 || e.detail.xhr.responseText.indexOf('id="bell-count"') < 0)) {
      e.detail.shouldSwap = false;
      e.detail.isError = false;
    }
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && closePanel()) {
      var bell = document.querySelector(".notify-bell");
      if (bell) { bell.focus(); }
    }
  });
})();

// Lead lifecycle (issue 5): "Add another contact" copies the last contact row, emptied. Without
// JavaScript the form still takes the one row it shows.
(function () {
  "use strict";
  var n = 1000;
  document.addEventListener("click", function (e) {
    var add = e.target.closest("[data-add-row]");
    if (!add) { return; }
    e.preventDefault();
    var rows = add.parentNode.querySelectorAll("[data-row]");
    if (!rows.length) { return; }
    var last = rows[rows.length - 1];
    var row = last.cloneNode(true);
    n++;
    row.querySelectorAll("input").forEach(function (input) {
      input.value = "";
      input.removeAttribute("aria-invalid");
      var label = row.querySelector('label[for="' + input.id + '"]');
      input.id = input.id.replace(/-\d+$/, "-" + n);
      if (label) { label.setAttribute("for", input.id); }
    });
    row.querySelectorAll(".field-error").forEach(function (p) { p.remove(); });
    last.parentNode.insertBefore(row, add);
    row.querySelector("input").focus();
  });
  // A form sent back with mistakes (422) puts the focus on the first field to fix.
  document.addEventListener("htmx:afterSwap", function (e) {
    var bad = e.target.querySelector && e.target.querySelector("dialog[open] [aria-invalid=\"true\"]");
    if (bad && bad.focus) { bad.focus(); }
  });
})();

// Leads workspace (issue 4): the country filter's search box hides the countries that do not match.
(function () {
  "use strict";
  document.addEventListener("input", function (e) {
    var box = e.target.closest && e.target.closest("[data-filter-list]");
    if (!box) { return; }
    var list = document.getElementById(box.getAttribute("data-filter-list"));
    if (!list) { return; }
    var q = box.value.trim().toLowerCase();
    list.querySelectorAll("label[data-name]").forEach(function (l) {
      l.hidden = q !== "" && l.getAttribute("data-name").toLowerCase().indexOf(q) < 0;
    });
  });
  // Typing in the country search is not a filter change.
  document.addEventListener("change", function (e) {
    if (e.target.matches && e.target.matches("[data-filter-list]")) { e.stopPropagation(); }
  }, true);
})();
