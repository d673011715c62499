// Users pages (admins): move the focus to the outcome of the last action so that it is read
// out, show the typed temporary password only when "choose" is picked, show/hide it on demand,
// copy a generated one. Everything works without this file (plain forms); it only helps.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var flash = document.getElementById("flash");
    if (flash) flash.focus();

    document.querySelectorAll("form.reset").forEach(function (form) {
      var chosen = form.querySelector(".chosen");
      var input = form.querySelector("input[name=password]");
      function sync() {
        var choose = form.querySelector("input[name=mode][value=choose]").checked;
        chosen.hidden = !choose;
        input.required = choose;
      }
      form.querySelectorAll("input[name=mode]").forEach(function (radio) {
        radio.addEventListener("change", function () {
          sync();
          if (radio.value === "choose" && radio.checked) input.focus();
        });
      });
      sync();
    });

    document.querySelectorAll("input[data-show]").forEach(function (box) {
      var target = document.getElementById(box.dataset.show);
      box.addEventListener("change", function () {
        target.type = box.checked ? "text" : "password";
      });
    });

    document.querySelectorAll("button[data-copy]").forEach(function (button) {
      var source = document.getElementById(button.dataset.copy);
      var said = button.parentNode.querySelector(".copied");
      if (!source || !navigator.clipboard) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(source.textContent).then(
          function () { said.textContent = "Copié."; },
          function () { said.textContent = "Copie impossible : sélectionnez-le et copiez-le."; }
        );
      });
    });
  });
})();
