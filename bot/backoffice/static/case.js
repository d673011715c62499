// Comptoir back office, the case page (conversation.html): canned replies added to the draft at
// the cursor, a reply with an unfilled {commande} kept from being sent, the reassign
// confirmation naming the colleague, the private note's form emptied once saved, and the
// panels' refusals (403, 409, 422) shown in place. No inline code: the CSP forbids it.
(function () {
  "use strict";
  var VARIABLE = /\{\s*(pr[ée]nom|commande)\s*\}/i;

  function draftBox() {
    return document.getElementById("reply");
  }

  // Until the agent has put the cursor in the draft, its position means nothing (Chromium
  // puts it at the start): a canned reply then goes at the end of what is written.
  document.addEventListener("focusin", function (event) {
    if (event.target === draftBox()) event.target.dataset.cursor = "1";
  });

  // Added where the cursor is, never in place of the draft, nor of a selection (defect 6).
  function insertAtCursor(box, text) {
    var value = box.value;
    var at = box.dataset.cursor ? box.selectionEnd : value.length;
    var before = value.slice(0, at);
    var after = value.slice(at);
    var lead = "";
    if (before && !/\s$/.test(before)) lead = after ? " " : "\n\n";
    var trail = "";
    if (after && !/^\s/.test(after)) trail = !before || /\n$/.test(before) ? "\n" : " ";
    box.value = before + lead + text + trail + after;
    var end = (before + lead + text).length;
    box.focus();
    box.setSelectionRange(end, end);
    box.dataset.cursor = "1";
    box.dispatchEvent(new Event("input", { bubbles: true }));
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-canned]");
    if (!button) return;
    var box = draftBox();
    if (!box) return;
    insertAtCursor(box, button.dataset.canned);
    hideProblem();
    var list = button.closest("details");
    if (list) list.open = false;
  });

  function hideProblem() {
    var problem = document.getElementById("reply-problem");
    if (problem) problem.hidden = true;
  }

  // A canned reply whose order number the case does not know keeps "{commande}": the agent
  // completes it, the shopper never reads a placeholder.
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-case-reply]");
    if (!form) return;
    var box = form.querySelector("textarea");
    var problem = document.getElementById("reply-problem");
    var found = box && box.value.match(VARIABLE);
    if (!found) {
      hideProblem();
      return;
    }
    event.preventDefault();
    var what = found[1].toLowerCase() === "commande" ? "le numéro de commande" : "le prénom du client";
    if (problem) {
      problem.textContent = "Remplacez « " + found[0] + " » par " + what + " avant d'envoyer.";
      problem.hidden = false;
    }
    box.focus();
    box.setSelectionRange(found.index, found.index + found[0].length);
  });

  // Reassign: the confirmation names the colleague chosen.
  document.addEventListener("change", function (event) {
    var select = event.target.closest("form[data-case-reassign] select");
    if (!select) return;
    var form = select.form;
    var option = select.options[select.selectedIndex];
    var name = option && option.dataset.name;
    form.setAttribute(
      "hx-confirm",
      name
        ? "Confier le cas n° " + form.dataset.caseId + " à " + name + " ? Il apparaîtra dans ses cas."
        : "Confier ce cas au collègue choisi ?"
    );
  });

  // The canned replies' filter (shown when the team has many).
  function fold(text) {
    return text.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }
  document.addEventListener("input", function (event) {
    var input = event.target.closest("input[data-canned-filter]");
    if (!input) return;
    var wanted = fold(input.value.trim());
    document.querySelectorAll("[data-canned-item]").forEach(function (item) {
      item.hidden = wanted !== "" && fold(item.textContent).indexOf(wanted) === -1;
    });
  });

  // Events sent by the server (HX-Trigger) once a change is saved.
  document.addEventListener("case-note-saved", function () {
    var form = document.querySelector("form[data-case-note-form]");
    if (!form) return;
    form.reset();
    form.querySelector("textarea").focus();
  });
  document.addEventListener("case-reassigned", function () {
    var live = document.getElementById("messages");
    if (live && window.htmx) {
      htmx.ajax("GET", live.dataset.refreshUrl, { target: live, swap: "innerHTML" });
    }
    var take = document.querySelector("form[data-case-take]");
    if (take) take.remove();
  });

  // A refusal of a case tool (an empty note, a colleague who cannot take the case) is a page
  // fragment saying why: shown in its panel rather than dropped.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    var target = event.detail.target;
    var type = xhr.getResponseHeader("content-type") || "";
    if (
      [403, 409, 422].indexOf(xhr.status) !== -1 &&
      type.indexOf("text/html") === 0 &&
      target &&
      target.closest("[data-case-tool]")
    ) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
