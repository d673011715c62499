/*
 * Comptoir chat widget: one <script> tag, no build step, no dependency but the vendored
 * socket.io client (socket.io.min.js, loaded from the same folder as this file).
 *
 *   <script src="/widget/comptoir.js" data-socket-url="http://127.0.0.1:5005" defer></script>
 *
 * Optional attributes: data-privacy-url (the shop's privacy notice, linked from the notice that
 * opens the conversation), data-socket-path (default "/socket.io/"), data-title (the panel's
 * title, 60 characters at most), data-color (the shop's colour, a CSS hex colour such as
 * "#3d5a45"; anything else is ignored with a console warning: the text on it is white or dark,
 * whichever reads better), data-storage-key (default "comptoir"), data-io-src and data-css
 * (default: siblings of this file).
 *
 * Rasa socket.io protocol (credentials.yml, session_persistence: true): on connect emit
 * "session_request" {session_id}, receive "session_confirm", send "user_uttered"
 * {message, session_id}, receive "bot_uttered" {text, quick_replies|buttons, attachment}.
 * The server issues the conversation id; when the conversation this browser kept was erased at
 * the shopper's request, it sends "clear_history" before confirming a new id, and the widget
 * forgets its copy (bot/rasa/channels/socketio.py).
 *
 * Hand-off to a person: a message may carry a `widget` object (actions/handoff.py, sent by
 * bot/rasa/channels/socketio.py): {handoff: "start"|"end"} (a person is on the way / the bot is
 * back), {agent: "Julie"} (an agent's reply, shown in its own style under their first name),
 * {agent, note: true} ("Julie, du service client, a rejoint la conversation.", a note). While a
 * person has the conversation, "L'assistant écrit…" never shows; the state is kept with the
 * history, so a reload mid-hand-off keeps it and reconnects at once (replies reach a closed chat).
 * A reply that arrives while the chat is closed is counted on the launcher and in the page's
 * title ("(1) …") until the shopper opens it. Every message keeps the time it was sent or received.
 *
 * Privacy: the conversation opens with a notice that an automated assistant answers and a link
 * to the shop's privacy notice. Nothing is written to the browser's storage before the shopper
 * opens the chat: until then the widget reads one key (a conversation they already had) and
 * keeps its state in memory.
 *
 * Photos (issue 19): with data-upload-url (the back office's /api/attachments), a "Joindre une
 * photo" button (a real button and a hidden file input, JPEG/PNG/WebP) shows when the bot asks
 * for one (a button whose payload is PHOTO_PAYLOAD: the widget opens the file picker instead of
 * sending it) and during a hand-off. The photo goes by HTTP POST with the conversation's signed
 * id; the back office checks it and passes it to the bot or the agent; its French refusals are
 * shown as they are.
 *
 * Back from an e-mail (after hours, bot/backoffice/mail): the link in the mail ends with
 * "#reprise=<token>". The widget takes the token out of the address bar, asks data-resume-url
 * (default: "reprise" beside this file, served by bot/web/app.py) for the conversation it names
 * (its signed id, its messages, whether a person has it), and opens the chat on it. A link that
 * expired, or whose conversation was erased, says so in the chat.
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
  var DEFAULT_TITLE = "Assistant de la boutique";
  var config = {
    socketUrl: script.getAttribute("data-socket-url") || window.location.origin,
    privacyUrl: script.getAttribute("data-privacy-url") || "",
    socketPath: script.getAttribute("data-socket-path") || "/socket.io/",
    title: brandTitle(script.getAttribute("data-title")),
    color: brandColor(script.getAttribute("data-color")),
    storageKey: script.getAttribute("data-storage-key") || "comptoir",
    ioSrc: script.getAttribute("data-io-src") || base + "socket.io.min.js",
    css: script.getAttribute("data-css") || base + "comptoir.css",
    resumeUrl: script.getAttribute("data-resume-url") || base + "reprise",
    uploadUrl: script.getAttribute("data-upload-url") || ""
  };
  var PHOTO_PAYLOAD = "/photo_sent";
  var PHOTO_TYPES = ["image/jpeg", "image/png", "image/webp"];
  var PHOTO_MAX_BYTES = 5 * 1024 * 1024;  // the server's own limit decides (COMPTOIR_ATTACHMENT_MAX_BYTES)
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
    newTab: " (s'ouvre dans un nouvel onglet)",
    agentSays: function (name) { return name + " (service client) : "; },
    withAgent: function (name) { return "Avec " + name + ", du service client"; },
    waitingAgent: "Un conseiller va vous répondre",
    unread: function (n) { return n + (n > 1 ? " nouveaux messages" : " nouveau message"); },
    linkGone: "Ce lien n'est plus valable : il a expiré, ou la conversation a été effacée. " +
      "Posez votre question ici, nous vous répondrons.",
    attach: "Joindre une photo",
    attachHint: "JPEG, PNG ou WebP, 5 Mo au plus",
    sending: "Envoi de la photo…",
    photoSent: function (name) { return "Photo envoyée" + (name ? " (" + name + ")" : ""); },
    photoType: "Ce fichier n'est pas une photo : choisissez une image JPEG, PNG ou WebP.",
    photoSize: "Cette photo est trop lourde : 5 Mo au plus. Essayez une photo plus légère.",
    photoFailed: "La photo n'a pas pu être envoyée. Vérifiez votre connexion, puis réessayez."
  };

  // ---------------------------------------------------------------- shop's brand
  function brandTitle(value) {
    var title = String(value || "").replace(/\s+/g, " ").trim().slice(0, 60);
    return title || DEFAULT_TITLE;
  }
  function brandColor(value) {
    if (value === null || value === undefined || value === "") { return null; }
    var hex = String(value).trim();
    if (!/^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i.test(hex)) {
      if (window.console) {
        window.console.warn("Comptoir : data-color doit être une couleur hexadécimale (par exemple " +
          "#1f5f8b) ; la couleur par défaut est utilisée.");
      }
      return null;
    }
    if (hex.length === 4) { hex = "#" + hex[1] + hex[1] + hex[2] + hex[2] + hex[3] + hex[3]; }
    return hex.toLowerCase();
  }
  function rgb(hex) {
    return [1, 3, 5].map(function (i) { return parseInt(hex.slice(i, i + 2), 16); });
  }
  function luminance(c) {  // WCAG relative luminance
    var v = c.map(function (x) { x /= 255; return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); });
    return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2];
  }
  function contrast(a, b) {
    var la = luminance(a), lb = luminance(b);
    return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
  }
  function darker(c, share) { return c.map(function (x) { return Math.round(x * (1 - share)); }); }
  function css(c) { return "rgb(" + c.join(", ") + ")"; }
  // The shop's colour and what goes with it: the text on it (white or dark, whichever reads
  // better), a hover shade, and a shade dark enough for links and borders on white (4.5:1).
  function brandStyles(hex) {
    var accent = rgb(hex), white = [255, 255, 255], ink = [27, 31, 36];
    var on = contrast(accent, white) >= contrast(accent, ink) ? white : ink;
    var dark = darker(accent, 0.2);
    for (var share = 0.2; contrast(dark, white) < 4.5 && share < 1; share += 0.1) { dark = darker(accent, share); }
    return { "--c-accent": hex, "--c-on-accent": css(on), "--c-accent-hover": css(darker(accent, 0.12)),
             "--c-accent-dark": css(dark) };
  }

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
    return { sessionId: null, history: [], open: false, handoff: false, agent: null, unread: 0 };
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
  if (config.color) {
    var styles = brandStyles(config.color);
    Object.keys(styles).forEach(function (name) { root.style.setProperty(name, styles[name]); });
  }
  var badge = el("span", { "class": "comptoir-badge", "aria-hidden": "true", hidden: "" });
  var launcher = el("button", { type: "button", "class": "comptoir-launcher", "aria-expanded": "false",
                                "aria-controls": "comptoir-panel", "aria-label": T.open },
                    [el("span", { "aria-hidden": "true", "class": "comptoir-launcher-icon", text: "💬" }),
                     el("span", { "class": "comptoir-launcher-text", text: T.launcher }), badge]);
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
  // Who has the conversation during a hand-off, under the title.
  var status = el("p", { "class": "comptoir-status", hidden: "" });
  // A text area: Entrée envoie, Maj+Entrée va à la ligne.
  var input = el("textarea", { id: "comptoir-input", "class": "comptoir-input", rows: "1",
                               placeholder: T.placeholder, autocomplete: "off",
                               maxlength: String(MAX_CHARS), enterkeyhint: "send",
                               "aria-describedby": "comptoir-count" });
  var counter = el("div", { id: "comptoir-count", "class": "comptoir-count", "aria-live": "polite",
                            hidden: "" });
  var sendButton = el("button", { type: "submit", "class": "comptoir-send", text: T.send });
  // Drawn, not an emoji: a machine without an emoji font would show an empty box.
  function cameraIcon() {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    var path = document.createElementNS(ns, "path");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", "20");
    svg.setAttribute("height", "20");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    path.setAttribute("fill", "currentColor");
    path.setAttribute("d", "M9 4 7.5 6H4a2 2 0 0 0-2 2v10a2 2 0 0 0 2 2h16a2 2 0 0 0 2-2V8a2 2 0 0 " +
                      "0-2-2h-3.5L15 4H9zm3 4.5a4.5 4.5 0 1 1 0 9 4.5 4.5 0 0 1 0-9zm0 2a2.5 2.5 " +
                      "0 1 0 0 5 2.5 2.5 0 0 0 0-5z");
    svg.appendChild(path);
    return svg;
  }
  // A photo: a real button (keyboard, screen readers) opening a hidden file input.
  var photoInput = el("input", { type: "file", id: "comptoir-photo", "class": "comptoir-file",
                                 accept: PHOTO_TYPES.join(","), tabindex: "-1", "aria-hidden": "true" });
  var attachButton = el("button", { type: "button", "class": "comptoir-attach", hidden: "",
                                    "aria-label": T.attach + " (" + T.attachHint + ")",
                                    title: T.attach + " (" + T.attachHint + ")" },
                        [cameraIcon()]);
  var form = el("form", { "class": "comptoir-form" },
                [el("label", { "for": "comptoir-input", "class": "comptoir-sr", text: T.label }),
                 attachButton, photoInput, input, sendButton]);
  var panel = el("section", { id: "comptoir-panel", "class": "comptoir-panel",
                              "aria-labelledby": titleId, hidden: "" },
                 [el("header", { "class": "comptoir-header" },
                     [el("div", { "class": "comptoir-heading" },
                         [el("h2", { id: titleId, "class": "comptoir-title", text: config.title }), status]),
                      closeButton]),
                  log, typing, notice, counter, form]);
  root.appendChild(panel);
  root.appendChild(launcher);

  // ---------------------------------------------------------------- rendering
  function clock(at) {
    var when = new Date(at);
    if (!at || isNaN(when.getTime())) { return null; }
    var time = when.toLocaleTimeString("fr-FR", { hour: "2-digit", minute: "2-digit" });
    if (when.toDateString() === new Date().toDateString()) { return time; }
    return when.toLocaleDateString("fr-FR", { day: "numeric", month: "short" }) + " " + time;
  }

  // Who wrote the previous message: an agent's name shows above the first of theirs in a row.
  var lastAuthor = null;
  function renderMessage(entry) {
    if (entry.from === "note") {
      lastAuthor = null;
      var note = el("p", { "class": "comptoir-note", text: entry.text });
      log.appendChild(note);
      return note;
    }
    var agent = entry.from === "agent" ? String(entry.agent || "") : "";
    var who = entry.from === "user" ? T.you + " : " : (agent ? T.agentSays(agent) : T.bot + " : ");
    if (agent && lastAuthor !== "agent:" + agent) {
      log.appendChild(el("p", { "class": "comptoir-author", "aria-hidden": "true", text: agent }));
    }
    lastAuthor = agent ? "agent:" + agent : entry.from;
    var kind = entry.from === "user" ? "user" : (agent ? "bot comptoir-agent" : "bot");
    var bubble = el("div", { "class": "comptoir-msg comptoir-" + kind },
                    [el("span", { "class": "comptoir-sr", text: who })]);
    var shown = clock(entry.at);
    if (shown) {  // shown by the stylesheet (::after), so the message's own text stays as it is
      bubble.setAttribute("data-time", shown);
      bubble.title = new Date(entry.at).toLocaleString("fr-FR");
    }
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
      if (button.payload === PHOTO_PAYLOAD && !config.uploadUrl) { return; }
      var b = el("button", { type: "button", "class": "comptoir-choice", text: button.title });
      b.addEventListener("click", function () {
        if (button.payload === PHOTO_PAYLOAD) { pickPhoto(); return; }
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
    lastAuthor = null;
    log.appendChild(disclosure());
    log.appendChild(el("p", { "class": "comptoir-intro", text: T.intro }));
    state.history.forEach(renderMessage);
    var last = state.history[state.history.length - 1];
    if (last && last.from === "bot" && last.buttons) { renderChoices(last.buttons); }
    showAttach();
    scrollDown();
  }

  // A person has the conversation (or is on the way): the header says so, no typing indicator.
  function showHandoff() {
    var text = state.handoff ? (state.agent ? T.withAgent(state.agent) : T.waitingAgent) : "";
    status.textContent = text;
    status.hidden = !text;
    showAttach();
  }

  // ---------------------------------------------------------------- photos
  function photoAsked() {
    var last = state.history[state.history.length - 1];
    return Boolean(last && last.buttons && last.buttons.some(function (b) { return b.payload === PHOTO_PAYLOAD; }));
  }
  function showAttach() {
    attachButton.hidden = !(config.uploadUrl && (state.handoff || photoAsked()));
  }
  function pickPhoto() {
    if (!config.uploadUrl || attachButton.disabled) { return; }
    photoInput.value = "";
    photoInput.click();
  }
  attachButton.addEventListener("click", pickPhoto);
  photoInput.addEventListener("change", function () {
    var file = photoInput.files && photoInput.files[0];
    if (file) { uploadPhoto(file); }
  });

  function uploadPhoto(file) {
    if (PHOTO_TYPES.indexOf(file.type) === -1) { showNotice(T.photoType); return; }
    if (file.size > PHOTO_MAX_BYTES) { showNotice(T.photoSize); return; }
    if (!state.sessionId || !confirmed) { showNotice(T.offline); return; }
    var body = new window.FormData();
    body.append("conversation", state.sessionId);
    body.append("photo", file, file.name);
    attachButton.disabled = true;
    showNotice(T.sending);
    // Shown at once: the bot's next question can arrive before the upload's own answer (the
    // back office hands the photo to the bot before it answers). Taken back if refused.
    clearChoices();
    var entry = { from: "user", text: T.photoSent(String(file.name || "").slice(0, 60)), photo: true, at: Date.now() };
    state.history.push(entry);
    save();
    renderMessage(entry);
    showAttach();
    scrollDown();
    setTyping(!state.handoff);
    window.fetch(config.uploadUrl, { method: "POST", body: body, mode: "cors", credentials: "omit" })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          if (!response.ok) { throw new Error(typeof data.detail === "string" ? data.detail : T.photoFailed); }
          return data;
        });
      })
      .then(function () { showNotice(""); })
      .catch(function (error) {
        var at = state.history.indexOf(entry);
        if (at !== -1) { state.history.splice(at, 1); }
        save();
        setTyping(false);
        renderHistory();  // without the photo, with the choices it answered
        showNotice(error && error.message && error.message !== "Failed to fetch" ? error.message : T.photoFailed);
      })
      .then(function () { attachButton.disabled = false; });
  }

  // Replies that arrived while the chat was closed: on the launcher and in the page's title.
  var TITLE_COUNT = /^\(\d+\) /;
  function showUnread() {
    var n = state.unread || 0;
    badge.textContent = n ? String(n) : "";
    badge.hidden = !n;
    launcher.setAttribute("aria-label", n ? T.open + ", " + T.unread(n) : T.open);
    var title = document.title.replace(TITLE_COUNT, "");
    document.title = n ? "(" + n + ") " + title : title;
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
    if (open) { stored = true; state.unread = 0; }  // kept across reloads from now on; all read
    state.open = open;
    save();
    showUnread();
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

  // Messages wait for the server's conversation id: the channel ignores a message sent before
  // it (a first message typed while the socket connects was lost).
  var confirmed = false, pending = [];
  function flush() {
    if (!confirmed || !socket || socket === "loading") { return; }
    while (pending.length) {
      socket.emit("user_uttered", { message: pending.shift(), session_id: state.sessionId });
    }
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
        state.handoff = false;
        state.agent = null;
        state.unread = 0;
        setTyping(false);
        showHandoff();
        showUnread();
        renderHistory();
      });
      socket.on("session_confirm", function (data) {
        var id = typeof data === "string" ? data : (data && data.session_id);
        if (id && id !== state.sessionId) { state.sessionId = id; save(); }
        confirmed = Boolean(id);
        flush();
      });
      socket.on("connect_error", function () { showNotice(T.offline); });
      socket.on("disconnect", function (reason) {
        confirmed = false;
        if (reason !== "io client disconnect") { showNotice(T.offline); }
      });
      socket.on("bot_uttered", receive);
    });
  }

  function receive(data) {
    if (!data || typeof data !== "object") { return; }
    var info = data.widget && typeof data.widget === "object" ? data.widget : {};
    var agent = typeof info.agent === "string" ? info.agent.trim().slice(0, 40) : "";
    if (info.handoff === "start" || agent) { state.handoff = true; }
    if (agent) { state.agent = agent; }
    if (info.handoff === "end") { state.handoff = false; state.agent = null; }
    showHandoff();
    var choices = (data.quick_replies || data.buttons || []).filter(function (b) {
      return b && typeof b.title === "string";
    }).map(function (b) { return { title: b.title, payload: typeof b.payload === "string" ? b.payload : b.title }; });
    var entry = { from: "bot", text: typeof data.text === "string" ? data.text : "", at: Date.now() };
    if (agent) { entry.from = info.note === true ? "note" : "agent"; entry.agent = agent; }
    var attachment = data.attachment;
    if (attachment && attachment.payload && typeof attachment.payload.src === "string") {
      entry.image = attachment.payload.src;
    }
    if (!entry.text && !entry.image && !choices.length) { save(); return; }
    if (choices.length) { entry.buttons = choices; }
    setTyping(false);
    state.history.push(entry);
    if (panel.hidden && entry.from !== "note") { state.unread = (state.unread || 0) + 1; }
    save();
    showUnread();
    renderMessage(entry);
    if (choices.length) { renderChoices(choices); }
    showAttach();
    scrollDown();
  }

  function send(message, shown) {
    message = String(message || "").trim();
    if (!message) { return; }
    ensureSocket();
    clearChoices();
    var entry = { from: "user", text: shown || message, at: Date.now() };
    state.history.push(entry);
    showAttach();
    save();
    renderMessage(entry);
    scrollDown();
    setTyping(!state.handoff);  // nobody "writes" while a person has the conversation
    pending.push(message);
    flush();
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

  // ---------------------------------------------------------------- back from an e-mail
  var RESUME = /(?:^#|&)reprise=(\d{1,12}\.\d{1,12}\.[A-Za-z0-9_-]{22})(?:&|$)/;
  var FROM = { user: true, bot: true, agent: true, note: true };
  function keptEntry(item) {
    if (!item || typeof item !== "object" || !FROM[item.from] || typeof item.text !== "string") { return null; }
    var entry = { from: item.from, text: item.text.slice(0, 4000), at: typeof item.at === "number" ? item.at : null };
    if (typeof item.agent === "string" && item.agent) { entry.agent = item.agent.trim().slice(0, 40); }
    if (entry.from === "agent" && !entry.agent) { entry.from = "bot"; }
    return entry;
  }
  function resumed(data) {
    if (!data || typeof data.session_id !== "string" || !Array.isArray(data.history)) { throw new Error("reprise"); }
    if (socket && socket !== "loading") { socket.disconnect(); }
    socket = null;
    confirmed = false;
    state = { sessionId: data.session_id, history: data.history.map(keptEntry).filter(Boolean),
              open: true, handoff: data.handoff === true,
              agent: typeof data.agent === "string" ? data.agent.slice(0, 40) : null, unread: 0 };
    stored = true;
    save();
    renderHistory();
    showHandoff();
    setOpen(true, false);
  }
  function linkGone() {
    state.history.push({ from: "note", text: T.linkGone, at: Date.now() });
    renderHistory();
    setOpen(true, false);
  }
  // The token leaves the address bar at once (bookmarks, shared screens); true when there was one.
  function resumeFromLink() {
    var found = RESUME.exec(window.location.hash || "");
    if (!found || !window.fetch) { return false; }
    try {
      window.history.replaceState(null, "", window.location.pathname + window.location.search);
    } catch (e) { /* an old browser keeps the fragment: harmless, the token expires */ }
    window.fetch(config.resumeUrl, {
      method: "POST", credentials: "same-origin", cache: "no-store",
      headers: { "Content-Type": "application/json" }, body: JSON.stringify({ token: found[1] })
    }).then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.json();
    }).then(resumed).catch(linkGone);
    return true;
  }

  // ---------------------------------------------------------------- start
  function start() {
    document.body.appendChild(root);
    renderHistory();
    showHandoff();
    showUnread();
    if (resumeFromLink()) { return; }
    if (state.open) { setOpen(true, false); }
    // A person has the conversation: their replies must reach the page, open or not.
    else if (state.handoff && state.sessionId) { ensureSocket(); }
  }
  if (document.body) { start(); } else { document.addEventListener("DOMContentLoaded", start); }
})();
