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
