// Comptoir back office: live inbox (Server-Sent Events), one-click suggested answers and
// confirmation of forms marked data-confirm (no inline handlers: the CSP forbids them).
(function () {
  "use strict";
  function refresh(el) {
    if (window.htmx) {
      htmx.ajax("GET", el.dataset.refreshUrl, { target: el, swap: "innerHTML" });
    }
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-insert]");
    if (!button) return;
    var box = document.getElementById("reply");
    if (!box) return;
    // Added to the agent's draft, never in place of it (issue 19, defect 6).
    var draft = box.value.replace(/\s+$/, "");
    box.value = draft ? draft + "\n\n" + button.dataset.insert : button.dataset.insert;
    box.focus();
    box.setSelectionRange(box.value.length, box.value.length);
  });
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
  });
  document.addEventListener("DOMContentLoaded", function () {
    var url = document.body.dataset.sse;
    if (!url || !window.EventSource) return;
    var source = new EventSource(url);
    function onEvent(event) {
      var data = {};
      try { data = JSON.parse(event.data); } catch (e) { return; }
      document.querySelectorAll("[data-refresh-url]").forEach(function (el) {
        if (!el.dataset.handoff || el.dataset.handoff === String(data.id)) refresh(el);
      });
    }
    source.addEventListener("handoff", onEvent);
    source.addEventListener("message", onEvent);
    source.addEventListener("note", onEvent);
  });
})();
