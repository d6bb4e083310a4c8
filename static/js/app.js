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

// Phones (issue 15): the top bar's menu button opens the navigation as a sheet; Escape, a click outside
// or a link closes it and gives the focus back to the button.
(function () {
  "use strict";
  function nav() { return document.getElementById("sidenav"); }
  function toggle() { return document.querySelector(".nav-toggle"); }
  function setOpen(open, refocus) {
    var n = nav(), b = toggle();
    if (!n || !b) { return; }
    n.classList.toggle("is-open", open);
    b.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) {
      var first = n.querySelector("a[aria-current]") || n.querySelector("a");
      if (first) { first.focus(); }
    } else if (refocus) { b.focus(); }
  }
  function isOpen() { var n = nav(); return !!n && n.classList.contains("is-open"); }
  document.addEventListener("click", function (e) {
    if (e.target.closest(".nav-toggle")) { setOpen(!isOpen(), false); return; }
    if (isOpen() && !e.target.closest("#sidenav")) { setOpen(false, false); }
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && isOpen()) { setOpen(false, true); }
  });
})();

// The filter panel (issue 15): a side panel (a full-screen sheet on phones) that opens from the
// Filters button or a quick-filter pill, takes the focus, and closes with its close button, "Show N
// leads", Escape or a click outside it, giving the focus back to the button that opened it.
(function () {
  "use strict";
  var opener = null, fromPill = false;
  function menu() { return document.getElementById("filter-menu"); }
  function open(groupId, from) {
    var m = menu();
    if (!m) { return; }
    opener = from;
    if (!m.open) { fromPill = true; m.open = true; }
    var group = document.getElementById(groupId);
    var target = group && group.querySelector("input");
    if (group) { group.scrollIntoView({block: "nearest"}); }
    if (target) { target.focus(); }
  }
  function close(refocus) {
    var m = menu();
    if (!m || !m.open) { return false; }
    m.open = false;
    if (refocus) { (opener && opener.isConnected ? opener : m.querySelector("summary")).focus(); }
    opener = null;
    return true;
  }
  // The Filters button opens the panel itself (a <details>); the focus then moves into the panel.
  document.addEventListener("toggle", function (e) {
    var m = e.target;
    if (m.id !== "filter-menu" || !m.open) { return; }
    if (fromPill) { fromPill = false; return; }
    opener = m.querySelector("summary");
    var c = m.querySelector("[data-close-filters]");
    if (c) { c.focus(); }
  }, true);
  document.addEventListener("click", function (e) {
    var pill = e.target.closest("[data-open-filter]");
    if (pill) { e.preventDefault(); open(pill.getAttribute("data-open-filter"), pill); return; }
    if (e.target.closest("[data-close-filters]")) {
      // "Show N leads" is a submit button: the results already follow every change (htmx), so it only
      // closes the panel; without JavaScript it submits the form.
      if (e.target.closest("[type=submit]") === null) { e.preventDefault(); }
      close(true);
      return;
    }
    var m = menu();
    if (m && m.open && !e.target.closest(".ws-filter-panel") && !e.target.closest("#filter-menu > summary")) {
      // A click on something that takes the focus keeps it there; elsewhere it goes back to the button.
      close(!e.target.closest('a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex="-1"])'));
    }
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && !document.querySelector("dialog[open]") && close(true)) { e.preventDefault(); }
  });
})();

// Focus after htmx swaps (issue 15): the control that caused a swap keeps the focus (heart, sort
// header), or the one now in its place (the next Action Center row after a dismiss); paging moves
// the focus to the results' caption; a lead action moves it to its success banner. Without this
// the focus falls to <body> and keyboard users lose their place.
(function () {
  "use strict";
  // What had the focus when each request started, by request: a poll (the bell's count) running
  // at the same time must not take another swap's focus with it.
  var saved = new WeakMap();
  // pathTo describes el by the nearest ancestor with an id and the child positions below it.
  function pathTo(el) {
    var parts = [];
    while (el && el !== document.body) {
      if (el.id) { parts.unshift("#" + CSS.escape(el.id)); return parts.join(" > "); }
      var i = 1, sib = el;
      while ((sib = sib.previousElementSibling)) { i++; }
      parts.unshift(el.tagName.toLowerCase() + ":nth-child(" + i + ")");
      el = el.parentElement;
    }
    return null;
  }
  function focusable(el) { return el && el.isConnected && el.offsetParent !== null && !el.disabled; }
  document.addEventListener("htmx:beforeRequest", function (e) {
    var a = document.activeElement;
    var pager = !!(e.detail.elt && e.detail.elt.closest && e.detail.elt.closest("[data-pager]"));
    if (!e.detail.xhr || ((!a || a === document.body) && !pager)) { return; }
    a = a || document.body;
    var s = {
      el: a,
      id: a.id,
      path: pathTo(a),
      pager: pager,
      row: a.closest("li[id], tr[id]")
    };
    saved.set(e.detail.xhr, s);
    if (s.row) {
      // A row that goes away hands the focus to the next row, else the previous one.
      var next = s.row.nextElementSibling || s.row.previousElementSibling;
      s.rowNext = next && next.id ? "#" + CSS.escape(next.id) : null;
      var action = a.form && a.form.getAttribute("action");
      s.rowSel = action ? 'form[action$="/' + action.split("/").pop() + '"] ' + a.tagName.toLowerCase() : a.tagName.toLowerCase();
    }
  });
  document.addEventListener("htmx:afterSettle", function (e) {
    var target = e.detail.target;
    var done = target && target.querySelector ? target.querySelector("#done-banner") : null;
    if (!done && target && target.id === "main") { done = document.getElementById("done-banner"); }
    if (done) { done.focus(); return; }
    var s = e.detail.xhr && saved.get(e.detail.xhr);
    if (!s) { return; }
    if (s.pager) {
      var cap = document.getElementById("results-caption");
      if (cap) { cap.focus({preventScroll: true}); cap.scrollIntoView({block: "start"}); return; }
    }
    if (focusable(s.el) && document.activeElement === s.el) { return; }
    if (document.activeElement && document.activeElement !== document.body && document.activeElement.isConnected &&
        document.activeElement !== s.el) { return; } // something else took the focus on purpose (a dialog)
    var el = (s.id && document.getElementById(s.id)) || (s.path && document.querySelector(s.path));
    if (!focusable(el) && s.rowNext) {
      var row = document.querySelector(s.rowNext);
      el = row && (row.querySelector(s.rowSel) || row.querySelector("a, button"));
    }
    if (!focusable(el) && s.row) {
      var panel = document.querySelector("#notify-panel [data-close-panel]");
      if (panel) { el = panel; }
    }
    if (focusable(el)) { el.focus(); }
  });
})();

// Bulk actions (issue 15): the bar shows only while leads are selected, says how many, and a box
// selects every lead on the page. Without JavaScript the bar is always there.
(function () {
  "use strict";
  function update() {
    var bar = document.getElementById("bulk");
    if (!bar) { return; }
    var boxes = Array.prototype.slice.call(document.querySelectorAll('#results input[name="ids"]'));
    var n = boxes.filter(function (b) { return b.checked; }).length;
    bar.classList.toggle("has-selection", n > 0);
    var count = document.getElementById("bulk-count");
    if (count) { count.textContent = n === 1 ? bar.getAttribute("data-single") : bar.getAttribute("data-plural").replace("{n}", n); }
    var all = document.getElementById("select-all");
    if (all) {
      all.checked = n > 0 && n === boxes.length;
      all.indeterminate = n > 0 && n < boxes.length;
    }
    var matching = document.getElementById("bulk-favorite-all");
    if (matching) { matching.hidden = !(n > 0 && n === boxes.length); }
  }
  document.addEventListener("change", function (e) {
    if (e.target.matches("[data-select-all]")) {
      var on = e.target.checked;
      document.querySelectorAll('#results input[name="ids"]').forEach(function (b) { b.checked = on; });
    }
    if (e.target.matches('[data-select-all], #results input[name="ids"]')) { update(); }
  });
  document.addEventListener("click", function (e) {
    if (!e.target.closest("[data-clear-selection]")) { return; }
    document.querySelectorAll('#results input[name="ids"]').forEach(function (b) { b.checked = false; });
    update();
    var all = document.getElementById("select-all");
    if (all) { all.focus(); }
  });
  document.addEventListener("htmx:afterSettle", update);
  document.addEventListener("DOMContentLoaded", update);
  // Back/forward can restore checked boxes from the page cache.
  window.addEventListener("pageshow", update);
})();

