/*
 * Comptoir chat widget: one <script> tag, no build step, no dependency but the vendored
 * socket.io client (socket.io.min.js, loaded from the same folder as this file).
 *
 *   <script src="/widget/comptoir.js" data-socket-url="http://127.0.0.1:5005" defer></script>
 *
 * Optional attributes: data-privacy-url (the shop's privacy notice, linked from the notice that
 * opens the conversation), data-socket-path (default "/socket.io/"), data-title,
 * data-storage-key (default "comptoir"), data-io-src and data-css (default: siblings of this file).
 *
 * Rasa socket.io protocol (credentials.yml, session_persistence: true): on connect emit
 * "session_request" {session_id}, receive "session_confirm", send "user_uttered"
 * {message, session_id}, receive "bot_uttered" {text, quick_replies|buttons, attachment}.
 * The server issues the conversation id; when the conversation this browser kept was erased at
 * the shopper's request, it sends "clear_history" before confirming a new id, and the widget
 * forgets its copy (bot/rasa/channels/socketio.py).
 *
 * Privacy: the conversation opens with a notice that an automated assistant answers and a link
 * to the shop's privacy notice. Nothing is written to the browser's storage before the shopper
 * opens the chat: until then the widget reads one key (a conversation they already had) and
 * keeps its state in memory.
 *
 * Security: bot and shopper text is only ever inserted with textContent / DOM nodes, never
 * innerHTML; links are built as <a> elements and only for http(s) URLs.
 */
(function () {
  "use strict";

  var script = document.currentScript ||
    document.querySelector("script[data-socket-url][src*='comptoir']");
  if (!script || window.__comptoirWidget) { return; }
  window.__comptoirWidget = true;

  var base = script.src.replace(/[^/]*(\?.*)?$/, "");
  var config = {
    socketUrl: script.getAttribute("data-socket-url") || window.location.origin,
    privacyUrl: script.getAttribute("data-privacy-url") || "",
    socketPath: script.getAttribute("data-socket-path") || "/socket.io/",
    title: script.getAttribute("data-title") || "Assistant de la boutique",
    storageKey: script.getAttribute("data-storage-key") || "comptoir",
    ioSrc: script.getAttribute("data-io-src") || base + "socket.io.min.js",
    css: script.getAttribute("data-css") || base + "comptoir.css"
  };
  var MAX_HISTORY = 200;
  var TYPING_TIMEOUT_MS = 20000;
  // The server refuses longer messages (bot/core/edge.py MAX_MESSAGE_CHARS); the count is
  // shown from COUNT_FROM characters on, so nothing is ever cut without a word.
  var MAX_CHARS = 2000;
  var COUNT_FROM = 1500;

  var T = {
    open: "Ouvrir le chat avec l'assistant",
    launcher: "Besoin d'aide ?",
    close: "Fermer le chat",
    label: "Votre message",
    placeholder: "Écrivez votre message…",
    left: function (n) { return n + (n > 1 ? " caractères restants" : " caractère restant"); },
    send: "Envoyer",
    typing: "L'assistant écrit…",
    intro: "Bonjour ! Posez votre question : suivi de commande, retour, livraison…",
    // EU AI Act art. 50: the shopper is told from the first message that a program answers.
    disclosure: "Vous discutez avec l'assistant automatique de la boutique. Un conseiller peut " +
      "prendre le relais. Vos messages sont conservés pour traiter votre demande",
    privacyLink: "en savoir plus",
    you: "Vous",
    bot: "Assistant",
    offline: "Connexion perdue, nouvel essai en cours…",
    choices: "Réponses proposées",
    newTab: " (s'ouvre dans un nouvel onglet)"
  };

  // ---------------------------------------------------------------- state (localStorage)
  // `stored`: the shopper has opened the chat, now or on an earlier visit (the key exists). Until
  // then the state lives in memory only and nothing is written. The conversation id comes from
  // the server (session_confirm), never from the browser.
  var stored = false;
  function load() {
    try {
      var raw = window.localStorage.getItem(config.storageKey);
      var saved = raw ? JSON.parse(raw) : null;
      if (saved && typeof saved === "object" && Array.isArray(saved.history)) {
        stored = true;
        return saved;
      }
    } catch (e) { /* private mode or corrupt value: start afresh */ }
    return { sessionId: null, history: [], open: false };
  }
  function save() {
    state.history = state.history.slice(-MAX_HISTORY);
    if (!stored) { return; }
    try { window.localStorage.setItem(config.storageKey, JSON.stringify(state)); } catch (e) { }
  }
  function forget() {
    try { window.localStorage.removeItem(config.storageKey); } catch (e) { }
  }
  var state = load();

  // ---------------------------------------------------------------- DOM helpers
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") { node.textContent = attrs[key]; } else { node.setAttribute(key, attrs[key]); }
    });
    (children || []).forEach(function (child) { node.appendChild(child); });
    return node;
  }

  var URL_RE = /\bhttps?:\/\/[^\s<>"']+/gi;
  var TRAILING = /[.,;:!?)\]}»]+$/;

  function safeHref(candidate) {
    try {
      var url = new URL(candidate);
      return (url.protocol === "http:" || url.protocol === "https:") ? url.href : null;
    } catch (e) { return null; }
  }

  // Text -> DOM nodes: line breaks become <br>, http(s) URLs become links; nothing is parsed as HTML.
  function richText(text) {
    var fragment = document.createDocumentFragment();
    String(text).split("\n").forEach(function (line, index) {
      if (index > 0) { fragment.appendChild(document.createElement("br")); }
      var last = 0, match;
      URL_RE.lastIndex = 0;
      while ((match = URL_RE.exec(line)) !== null) {
        var raw = match[0], trailing = (raw.match(TRAILING) || [""])[0];
        var url = raw.slice(0, raw.length - trailing.length);
        var href = safeHref(url);
        if (!href) { continue; }
        fragment.appendChild(document.createTextNode(line.slice(last, match.index)));
        var link = el("a", { href: href, target: "_blank", rel: "noopener noreferrer nofollow",
                             "class": "comptoir-link" });
        link.textContent = url;
        link.appendChild(el("span", { "class": "comptoir-sr", text: T.newTab }));
        fragment.appendChild(link);
        last = match.index + url.length;
      }
      fragment.appendChild(document.createTextNode(line.slice(last)));
    });
    return fragment;
  }

  // ---------------------------------------------------------------- widget DOM
  if (config.css && !document.querySelector("link[data-comptoir-css]")) {
    document.head.appendChild(el("link", { rel: "stylesheet", href: config.css, "data-comptoir-css": "" }));
  }

  var root = el("div", { "class": "comptoir", id: "comptoir-widget" });
  var launcher = el("button", { type: "button", "class": "comptoir-launcher", "aria-expanded": "false",
                                "aria-controls": "comptoir-panel", "aria-label": T.open },
                    [el("span", { "aria-hidden": "true", "class": "comptoir-launcher-icon", text: "💬" }),
                     el("span", { "class": "comptoir-launcher-text", text: T.launcher })]);
  var titleId = "comptoir-title";
  var closeButton = el("button", { type: "button", "class": "comptoir-close", "aria-label": T.close },
                       [el("span", { "aria-hidden": "true", text: "×" })]);
  var log = el("div", { "class": "comptoir-log", role: "log", "aria-live": "polite",
                        "aria-relevant": "additions", "aria-labelledby": titleId, tabindex: "0" });
  var typing = el("div", { "class": "comptoir-typing", role: "status", hidden: "" },
                  [el("span", { "class": "comptoir-dots", "aria-hidden": "true" },
                      [el("span"), el("span"), el("span")]),
                   el("span", { "class": "comptoir-typing-text", text: T.typing })]);
  var notice = el("div", { "class": "comptoir-notice", role: "status", hidden: "" });
  // A text area: Entrée envoie, Maj+Entrée va à la ligne.
  var input = el("textarea", { id: "comptoir-input", "class": "comptoir-input", rows: "1",
                               placeholder: T.placeholder, autocomplete: "off",
                               maxlength: String(MAX_CHARS), enterkeyhint: "send",
                               "aria-describedby": "comptoir-count" });
  var counter = el("div", { id: "comptoir-count", "class": "comptoir-count", "aria-live": "polite",
                            hidden: "" });
  var sendButton = el("button", { type: "submit", "class": "comptoir-send", text: T.send });
  var form = el("form", { "class": "comptoir-form" },
                [el("label", { "for": "comptoir-input", "class": "comptoir-sr", text: T.label }),
                 input, sendButton]);
  var panel = el("section", { id: "comptoir-panel", "class": "comptoir-panel",
                              "aria-labelledby": titleId, hidden: "" },
                 [el("header", { "class": "comptoir-header" },
                     [el("h2", { id: titleId, "class": "comptoir-title", text: config.title }), closeButton]),
                  log, typing, notice, counter, form]);
  root.appendChild(panel);
  root.appendChild(launcher);

  // ---------------------------------------------------------------- rendering
  function renderMessage(entry) {
    var who = entry.from === "user" ? T.you : T.bot;
    var bubble = el("div", { "class": "comptoir-msg comptoir-" + (entry.from === "user" ? "user" : "bot") },
                    [el("span", { "class": "comptoir-sr", text: who + " : " })]);
    if (entry.text) { bubble.appendChild(richText(entry.text)); }
    if (entry.image) {
      var href = safeHref(entry.image);
      if (href) {
        var link = el("a", { href: href, target: "_blank", rel: "noopener noreferrer nofollow",
                             "class": "comptoir-link" });
        link.textContent = href;
        bubble.appendChild(link);
      }
    }
    log.appendChild(bubble);
    return bubble;
  }

  function clearChoices() {
    Array.prototype.forEach.call(log.querySelectorAll(".comptoir-choices"), function (node) {
      node.parentNode.removeChild(node);
    });
  }

  function renderChoices(buttons) {
    clearChoices();
    if (!buttons || !buttons.length) { return; }
    var group = el("div", { "class": "comptoir-choices", role: "group", "aria-label": T.choices });
    buttons.forEach(function (button) {
      var b = el("button", { type: "button", "class": "comptoir-choice", text: button.title });
      b.addEventListener("click", function () {
        send(button.payload || button.title, button.title);
      });
      group.appendChild(b);
    });
    log.appendChild(group);
  }

  // The log stays at its newest message unless the shopper scrolled up to read: also when its
  // size changes after the styles or the panel appear (a reload with the chat open showed the
  // oldest messages).
  var atBottom = true;
  function scrollDown() { log.scrollTop = log.scrollHeight; atBottom = true; }
  log.addEventListener("scroll", function () {
    atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
  });
  if (window.ResizeObserver) {
    new window.ResizeObserver(function () { if (atBottom) { scrollDown(); } }).observe(log);
  }

  function privacyHref() {
    if (!config.privacyUrl) { return null; }
    try { return safeHref(new URL(config.privacyUrl, window.location.href).href); } catch (e) { return null; }
  }

  // Who answers and what is kept, before anything else in the conversation.
  function disclosure() {
    var note = el("p", { "class": "comptoir-disclosure" }, [document.createTextNode(T.disclosure)]);
    var href = privacyHref();
    if (href) {
      note.appendChild(document.createTextNode(" : "));
      var link = el("a", { href: href, target: "_blank", rel: "noopener", "class": "comptoir-link" });
      link.textContent = T.privacyLink;
      link.appendChild(el("span", { "class": "comptoir-sr", text: T.newTab }));
      note.appendChild(link);
    }
    note.appendChild(document.createTextNode("."));
    return note;
  }

  function renderHistory() {
    log.textContent = "";
    log.appendChild(disclosure());
    log.appendChild(el("p", { "class": "comptoir-intro", text: T.intro }));
    state.history.forEach(renderMessage);
    var last = state.history[state.history.length - 1];
    if (last && last.from === "bot" && last.buttons) { renderChoices(last.buttons); }
    scrollDown();
  }

  var typingTimer = null;
  function setTyping(on) {
    window.clearTimeout(typingTimer);
    if (on) {
      typing.hidden = false;
      typingTimer = window.setTimeout(function () { typing.hidden = true; }, TYPING_TIMEOUT_MS);
    } else {
      typing.hidden = true;
    }
  }

  // ---------------------------------------------------------------- open / close
  function setOpen(open, focus) {
    if (open) { stored = true; }  // from now on the conversation is kept across reloads
    state.open = open;
    save();
    panel.hidden = !open;
    launcher.setAttribute("aria-expanded", open ? "true" : "false");
    root.classList.toggle("comptoir-is-open", open);
    if (open) {
      ensureSocket();
      scrollDown();
      if (focus) { input.focus(); }
    } else if (focus) {
      launcher.focus();
    }
  }
  launcher.addEventListener("click", function () { setOpen(panel.hidden, true); });
  closeButton.addEventListener("click", function () { setOpen(false, true); });
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { event.preventDefault(); setOpen(false, true); }
  });

  // ---------------------------------------------------------------- socket.io
  var socket = null;

  function loadIo(callback) {
    if (window.io) { callback(); return; }
    var tag = el("script", { src: config.ioSrc });
    tag.addEventListener("load", callback);
    tag.addEventListener("error", function () { showNotice(T.offline); });
    document.head.appendChild(tag);
  }

  function showNotice(text) {
    notice.textContent = text || "";
    notice.hidden = !text;
  }

  function ensureSocket() {
    if (socket) { return; }
    socket = "loading";
    loadIo(function () {
      socket = window.io(config.socketUrl, { path: config.socketPath, transports: ["websocket", "polling"] });
      socket.on("connect", function () {
        showNotice("");
        socket.emit("session_request", { session_id: state.sessionId });
      });
      // The conversation this browser kept was erased: its copy goes too; a new id follows.
      socket.on("clear_history", function () {
        forget();
        state.history = [];
        state.sessionId = null;
        setTyping(false);
        renderHistory();
      });
      socket.on("session_confirm", function (data) {
        var id = typeof data === "string" ? data : (data && data.session_id);
        if (id && id !== state.sessionId) { state.sessionId = id; save(); }
      });
      socket.on("connect_error", function () { showNotice(T.offline); });
      socket.on("disconnect", function (reason) {
        if (reason !== "io client disconnect") { showNotice(T.offline); }
      });
      socket.on("bot_uttered", receive);
    });
  }

  function receive(data) {
    if (!data || typeof data !== "object") { return; }
    var choices = (data.quick_replies || data.buttons || []).filter(function (b) {
      return b && typeof b.title === "string";
    }).map(function (b) { return { title: b.title, payload: typeof b.payload === "string" ? b.payload : b.title }; });
    var entry = { from: "bot", text: typeof data.text === "string" ? data.text : "" };
    var attachment = data.attachment;
    if (attachment && attachment.payload && typeof attachment.payload.src === "string") {
      entry.image = attachment.payload.src;
    }
    if (!entry.text && !entry.image && !choices.length) { return; }
    if (choices.length) { entry.buttons = choices; }
    setTyping(false);
    state.history.push(entry);
    save();
    renderMessage(entry);
    if (choices.length) { renderChoices(choices); }
    scrollDown();
  }

  function send(message, shown) {
    message = String(message || "").trim();
    if (!message) { return; }
    ensureSocket();
    clearChoices();
    var entry = { from: "user", text: shown || message };
    state.history.push(entry);
    save();
    renderMessage(entry);
    scrollDown();
    setTyping(true);
    var emit = function () {
      socket.emit("user_uttered", { message: message, session_id: state.sessionId });
    };
    if (socket && socket !== "loading") { emit(); } else {
      var wait = window.setInterval(function () {
        if (socket && socket !== "loading") { window.clearInterval(wait); emit(); }
      }, 50);
    }
    input.focus();
  }

  function fitInput() {
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight, 140) + "px";
    var left = MAX_CHARS - input.value.length;
    counter.hidden = input.value.length < COUNT_FROM;
    counter.textContent = counter.hidden ? "" : T.left(left);
  }
  input.addEventListener("input", fitInput);
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      if (form.requestSubmit) { form.requestSubmit(); } else { form.dispatchEvent(new Event("submit", { cancelable: true })); }
    }
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value;
    input.value = "";
    fitInput();
    send(text);
  });

  // ---------------------------------------------------------------- start
  function start() {
    document.body.appendChild(root);
    renderHistory();
    if (state.open) { setOpen(true, false); }
  }
  if (document.body) { start(); } else { document.addEventListener("DOMContentLoaded", start); }
})();
