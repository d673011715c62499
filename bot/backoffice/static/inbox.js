// Comptoir back office, the inbox: being told when a case arrives or a shopper writes in one of
// my cases. app.js keeps the list live (Server-Sent Events, then htmx swaps #queue); after each
// swap this reads #inbox-signal (written by the server whatever the filters) and updates the
// tab title ("(3) Boîte de réception"), plays a short chime if the agent turned the sound on
// (off by default, remembered in localStorage) and shows a desktop notification if the agent
// allowed them — the browser's permission is asked on a click, never on page load.
// No inline code anywhere: the Content-Security-Policy allows only this site's scripts.
(function () {
  "use strict";
  var SOUND_KEY = "comptoir.inbox.sound"; // "on" | absent
  var NOTIFY_KEY = "comptoir.inbox.notify"; // "off" when the agent turned them off
  var baseTitle = "";
  var seen = null;
  var audio = null;

  function read(key) {
    try { return window.localStorage.getItem(key); } catch (e) { return null; }
  }
  function store(key, value) {
    try {
      if (value === null) window.localStorage.removeItem(key);
      else window.localStorage.setItem(key, value);
    } catch (e) { /* private browsing: the choice lasts for this page only */ }
  }

  function readSignal() {
    var el = document.getElementById("inbox-signal");
    if (!el) return null;
    var d = el.dataset;
    return {
      waiting: parseInt(d.waiting, 10) || 0,
      latestCase: parseInt(d.latestCase, 10) || 0,
      latestCaseRequest: d.latestCaseRequest || "",
      latestMine: parseInt(d.latestMine, 10) || 0,
      latestMineCase: parseInt(d.latestMineCase, 10) || 0,
      latestMineFrom: d.latestMineFrom || "",
      latestMineRequest: d.latestMineRequest || ""
    };
  }

  function setTitle(waiting) {
    document.title = (waiting > 0 ? "(" + waiting + ") " : "") + baseTitle;
  }

  // --- Sound: two short notes made by the Web Audio API (no file to fetch).
  function soundOn() { return read(SOUND_KEY) === "on"; }
  function audioContext() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return null;
    if (!audio) audio = new Context();
    if (audio.state === "suspended" && audio.resume) audio.resume();
    return audio;
  }
  function chime() {
    var ctx = audioContext();
    if (!ctx) return;
    var start = ctx.currentTime + 0.02;
    [880, 1318.5].forEach(function (frequency, i) {
      var at = start + i * 0.18;
      var osc = ctx.createOscillator();
      var gain = ctx.createGain();
      osc.type = "sine";
      osc.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, at);
      gain.gain.exponentialRampToValueAtTime(0.25, at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.35);
      osc.connect(gain);
      gain.connect(ctx.destination);
      osc.start(at);
      osc.stop(at + 0.4);
    });
  }

  // --- Desktop notifications.
  function notifySupported() { return "Notification" in window; }
  function notifyOn() {
    return notifySupported() && window.Notification.permission === "granted" &&
      read(NOTIFY_KEY) !== "off";
  }
  function notify(title, body, url, tag) {
    try {
      var note = new window.Notification(title, { body: body, tag: tag, lang: "fr" });
      note.onclick = function () {
        window.focus();
        if (url) window.location.href = url;
        note.close();
      };
    } catch (e) {
      // Some mobile browsers only notify through a service worker: the title and sound remain.
    }
  }

  function tell(notes) {
    if (!notes.length) return;
    if (soundOn()) chime();
    if (!notifyOn()) return;
    notes.forEach(function (n) { notify(n.title, n.body, n.url, n.tag); });
  }

  function check() {
    var signal = readSignal();
    if (!signal) return;
    setTitle(signal.waiting);
    if (!seen) { seen = signal; return; }
    var notes = [];
    if (signal.latestCase > seen.latestCase) {
      notes.push({
        title: "Nouvelle demande client",
        body: signal.latestCaseRequest,
        url: "/inbox/" + signal.latestCase,
        tag: "case-" + signal.latestCase
      });
    }
    if (signal.latestMine > seen.latestMine) {
      notes.push({
        title: signal.latestMineFrom ? "Nouveau message de " + signal.latestMineFrom
          : "Nouveau message d'un client",
        body: "Conversation n° " + signal.latestMineCase +
          (signal.latestMineRequest ? " : " + signal.latestMineRequest : ""),
        url: "/inbox/" + signal.latestMineCase,
        tag: "message-" + signal.latestMine
      });
    }
    seen = {
      latestCase: Math.max(seen.latestCase, signal.latestCase),
      latestMine: Math.max(seen.latestMine, signal.latestMine)
    };
    tell(notes);
  }

  // --- The two buttons.
  function render(soundButton, notifyButton, status) {
    var sound = soundOn();
    // The label says the state ("Son : activé"), so no aria-pressed on top of it (it would be
    // read as "Son : activé, pressé").
    soundButton.dataset.on = sound ? "true" : "false";
    soundButton.textContent = sound ? "Son : activé" : "Son : désactivé";
    if (!notifySupported()) {
      notifyButton.hidden = true;
      return;
    }
    var permission = window.Notification.permission;
    status.textContent = "";
    if (permission === "granted") {
      var on = read(NOTIFY_KEY) !== "off";
      notifyButton.hidden = false;
      notifyButton.dataset.on = on ? "true" : "false";
      notifyButton.textContent = on ? "Notifications du bureau : activées"
        : "Notifications du bureau : désactivées";
    } else if (permission === "denied") {
      notifyButton.hidden = true;
      status.textContent = "Les notifications du bureau sont bloquées par le navigateur : " +
        "autorisez-les dans les réglages du site pour être prévenu.";
    } else {
      notifyButton.hidden = false;
      notifyButton.dataset.on = "false";
      notifyButton.textContent = "Activer les notifications du bureau";
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var panel = document.getElementById("inbox-alerts");
    var soundButton = document.getElementById("sound-toggle");
    var notifyButton = document.getElementById("notify-toggle");
    var status = document.getElementById("notify-status");
    baseTitle = document.title.replace(/^\(\d+\)\s*/, "");
    check();
    if (!panel || !soundButton || !notifyButton || !status) return;
    panel.hidden = false;
    render(soundButton, notifyButton, status);

    soundButton.addEventListener("click", function () {
      var on = !soundOn();
      store(SOUND_KEY, on ? "on" : null);
      if (on) chime(); // made on a click: the browser lets it play, and the agent hears it
      render(soundButton, notifyButton, status);
    });

    notifyButton.addEventListener("click", function () {
      if (!notifySupported()) return;
      if (window.Notification.permission === "default") {
        var done = function () {
          store(NOTIFY_KEY, null);
          render(soundButton, notifyButton, status);
          if (window.Notification.permission === "granted") {
            status.textContent = "Notifications du bureau activées.";
          }
        };
        var asked = window.Notification.requestPermission(done);
        if (asked && asked.then) asked.then(done);
        return;
      }
      store(NOTIFY_KEY, read(NOTIFY_KEY) === "off" ? null : "off");
      render(soundButton, notifyButton, status);
    });

    // After a reload with the sound on, the browser keeps audio suspended until the agent
    // interacts with the page: wake it on the first click or key.
    var wake = function () {
      if (soundOn()) audioContext();
      document.removeEventListener("pointerdown", wake);
      document.removeEventListener("keydown", wake);
    };
    document.addEventListener("pointerdown", wake);
    document.addEventListener("keydown", wake);
  });

  // The filters' URL says only what is chosen ("/inbox?priorite=1", not every empty field):
  // fields left at their default are not sent. The browser reads the form once the submit
  // event is over, so they are enabled again right after (and the back button finds them).
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form.inbox-filters");
    if (!form || event.defaultPrevented) return;
    var skipped = [];
    Array.prototype.forEach.call(form.elements, function (field) {
      if (field.name && !field.disabled && field.value === (field.dataset.default || "")) {
        field.disabled = true;
        skipped.push(field);
      }
    });
    window.setTimeout(function () {
      skipped.forEach(function (field) { field.disabled = false; });
    }, 0);
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (target && target.id === "queue") check();
  });
})();
