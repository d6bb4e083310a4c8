// Keyboard shortcuts for triage (issue 15), listed in the "?" dialog (the "shortcuts-dialog" template):
// j/k move between the list's rows, Enter opens one (its link has the focus), x selects it, f toggles its
// heart (or the details page's), a/d open accept/decline on the details page, / focuses the search, g l
// and g i go to Leads and Insights. Never while typing in a field, with a modifier, or over a dialog.
(function () {
  "use strict";
  var pendingG = 0;
  function typing(el) {
    if (!el || !el.tagName) { return false; }
    var tag = el.tagName.toLowerCase();
    if (tag === "textarea" || tag === "select" || el.isContentEditable) { return true; }
    if (tag !== "input") { return false; }
    return ["checkbox", "radio", "button", "submit", "reset", "range", "color", "file"].indexOf(el.type) < 0;
  }
  function rows() { return Array.prototype.slice.call(document.querySelectorAll("#results tbody tr")); }
  function currentRow() {
    var a = document.activeElement;
    var r = a && a.closest ? a.closest("#results tbody tr") : null;
    return r || document.querySelector("#results tbody tr.is-current");
  }
  function moveRow(step) {
    var list = rows();
    if (!list.length) { return false; }
    var i = list.indexOf(currentRow());
    i = i < 0 ? 0 : Math.min(list.length - 1, Math.max(0, i + step));
    list.forEach(function (r) { r.classList.remove("is-current"); });
    var row = list[i];
    row.classList.add("is-current");
    var link = row.querySelector(".ws-company");
    if (link) { link.focus(); }
    row.scrollIntoView({block: "nearest"});
    return true;
  }
  function click(el) { if (el) { el.click(); return true; } return false; }
  var keys = {
    j: function () { return moveRow(1); },
    k: function () { return moveRow(-1); },
    x: function () {
      var r = currentRow(), box = r && r.querySelector('input[name="ids"]');
      if (!box) { return false; }
      box.checked = !box.checked;
      box.dispatchEvent(new Event("change", {bubbles: true}));
      return true;
    },
    f: function () {
      var r = currentRow();
      return click(r ? r.querySelector(".heart-btn") : document.querySelector(".lead-actions .heart-btn"));
    },
    a: function () { return click(document.getElementById("btn-accept")); },
    d: function () { return click(document.getElementById("btn-decline")); },
    "/": function () {
      var q = document.getElementById("q");
      if (!q) { return false; }
      q.focus();
      q.select();
      return true;
    },
    "?": openHelp
  };
  // openHelp shows the shortcuts dialog: a copy of its template in #modal, removed again on close.
  function openHelp() {
    var tpl = document.getElementById("shortcuts-template");
    var host = document.getElementById("modal");
    if (!tpl || !host || document.getElementById("shortcuts")) { return false; }
    var d = tpl.content.firstElementChild.cloneNode(true);
    host.appendChild(d);
    d.showModal();
    return true;
  }
  document.addEventListener("click", function (e) {
    if (!e.target.closest("[data-open-shortcuts]")) { return; }
    var menu = e.target.closest("details");
    if (menu) { menu.open = false; }
    openHelp();
  });
  function go(path) {
    var link = document.querySelector('#sidenav a[href="' + path + '"]');
    if (!link) { return false; }
    link.click();
    return true;
  }
  document.addEventListener("keydown", function (e) {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) { return; }
    if (document.querySelector("dialog[open]")) { return; }
    var k = e.key;
    if (pendingG && Date.now() - pendingG < 1500) {
      pendingG = 0;
      if ((k === "l" && go("/leads")) || (k === "i" && go("/insights"))) { e.preventDefault(); }
      return;
    }
    pendingG = 0;
    if (k === "g") { pendingG = Date.now(); return; }
    var fn = keys[k];
    if (fn && fn()) { e.preventDefault(); }
  });
})();
