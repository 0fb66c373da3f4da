// Kindred web chat. No framework, no CDN. Everything a person wrote is shown as text, never HTML.
(function () {
  "use strict";
  const TOKEN_KEY = "kindred.token";
  const OUTBOX_KEY = "kindred.outbox";
  const log = document.getElementById("log");
  const form = document.getElementById("composer");
  const box = document.getElementById("message");
  const errorEl = document.getElementById("error");
  const statusEl = document.getElementById("status");
  const typing = document.getElementById("typing");
  const large = document.getElementById("large-text");
  let token = localStorage.getItem(TOKEN_KEY);
  let lastId = 0;
  let socket = null;
  let retry = 1000;
  let typingTimer = null;
  const seen = new Set();

  large.checked = localStorage.getItem("kindred.large") === "1";
  document.documentElement.classList.toggle("large", large.checked);
  large.addEventListener("change", () => {
    document.documentElement.classList.toggle("large", large.checked);
    localStorage.setItem("kindred.large", large.checked ? "1" : "0");
  });

  function linkify(parent, text) {
    const parts = text.split(/(https?:\/\/[^\s<>"']+)/g);
    parts.forEach((part, i) => {
      if (i % 2 === 1) {
        const a = document.createElement("a");
        a.href = part; a.textContent = part; a.rel = "noopener noreferrer nofollow"; a.target = "_blank";
        parent.appendChild(a);
      } else if (part) {
        parent.appendChild(document.createTextNode(part));
      }
    });
  }

  function clearButtons() {
    log.querySelectorAll(".buttons button").forEach((b) => { b.disabled = true; });
  }

  function render(m, pending) {
    if (m.id && seen.has(m.id)) return;
    if (m.id) { seen.add(m.id); lastId = Math.max(lastId, m.id); }
    if (m.author === "resident") clearButtons();
    const div = document.createElement("div");
    div.className = "msg " + m.author + (pending ? " pending" : "");
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = m.author === "resident" ? "You" : m.author === "staff" ? "Staff" : "Kindred";
    div.appendChild(who);
    if (m.author === "resident") div.appendChild(document.createTextNode(m.text));
    else linkify(div, m.text);
    if (pending) { const s = document.createElement("span"); s.className = "who"; s.textContent = "Not sent yet"; div.appendChild(s); }
    log.appendChild(div);
    if (m.buttons && m.buttons.length) {
      // Buttons stay usable until the resident answers (a suggestion has one row per card).
      const row = document.createElement("div");
      row.className = "buttons";
      m.buttons.forEach((b) => {
        const btn = document.createElement("button");
        btn.type = "button"; btn.textContent = b.title;
        btn.addEventListener("click", () => {
          clearButtons();
          if (b.payload === "/share_location") { shareLocation(); return; }
          send({ payload: b.payload, title: b.title });
        });
        row.appendChild(btn);
      });
      log.appendChild(row);
    }
    if (m.author !== "resident") { typing.hidden = true; }
    log.scrollTop = log.scrollHeight;
    return div;
  }

  // The token travels in a header, never in a URL (where servers and proxies log it).
  function auth() { return token ? { Authorization: "Bearer " + token } : {}; }

  async function api(path, body) {
    const headers = Object.assign({ "Content-Type": "application/json" }, auth());
    const r = await fetch(path, { method: "POST", headers, body: JSON.stringify(body) });
    let data = {};
    try { data = await r.json(); } catch (e) { data = {}; }
    return { ok: r.ok, status: r.status, data };
  }

  async function startSession() {
    const r = await api("/api/chat/session", {});
    // Refused (too many new chats from here just now): say why, and keep no token.
    if (!r.ok) { errorEl.textContent = r.data.error || "Sorry, I couldn't start a chat just now. Please try again soon."; return; }
    token = r.data.token;
    localStorage.setItem(TOKEN_KEY, token);
    lastId = 0; seen.clear(); log.textContent = "";
    await api("/api/chat/messages", { payload: "/greet" });
  }

  async function loadHistory() {
    const r = await fetch("/api/chat/history?after=" + lastId, { headers: auth() });
    if (r.status === 404 || r.status === 401) { await startSession(); return; }
    const data = await r.json();
    (data.messages || []).forEach((m) => render(m));
  }

  function outbox() { try { return JSON.parse(localStorage.getItem(OUTBOX_KEY) || "[]"); } catch (e) { return []; } }
  function saveOutbox(items) { localStorage.setItem(OUTBOX_KEY, JSON.stringify(items)); }

  async function send(item) {
    errorEl.textContent = "";
    let r;
    try {
      r = await api("/api/chat/messages", item);
    } catch (e) {
      const items = outbox(); items.push(item); saveOutbox(items);
      render({ author: "resident", text: item.text || item.title || "" }, true);
      statusEl.textContent = "You're offline. Your message will be sent when the connection is back.";
      return false;
    }
    if (r.status === 401 || r.status === 404) {
      // The chat ended (deleted, or unused too long): start a new one and send this there.
      await startSession();
      if (socket) socket.close();
      r = await api("/api/chat/messages", item);
    }
    if (!r.ok) { errorEl.textContent = r.data.error || "Sorry, that didn't send. Please try again."; return false; }
    render({ id: r.data.id, author: "resident", text: item.text || item.title || "" });
    typing.hidden = false;
    clearTimeout(typingTimer);
    typingTimer = setTimeout(() => { typing.hidden = true; }, 15000);
    return true;
  }

  // "Use my location": the browser asks the person first; only the coordinates are sent.
  function shareLocation() {
    const fallback = "I couldn't get your location. Please type your postcode instead.";
    if (!navigator.geolocation) { errorEl.textContent = fallback; return; }
    navigator.geolocation.getCurrentPosition(
      (pos) => send({ location: { latitude: pos.coords.latitude, longitude: pos.coords.longitude },
                      title: "📍 I shared my location" }),
      () => { errorEl.textContent = fallback; },
      { timeout: 15000, maximumAge: 600000 }
    );
  }

  async function flushOutbox() {
    const items = outbox();
    if (!items.length) return;
    saveOutbox([]);
    log.querySelectorAll(".msg.pending").forEach((el) => el.remove());
    for (const item of items) {
      const ok = await send(item);
      if (!ok) return;
    }
    statusEl.textContent = "";
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + "/api/chat/ws");
    socket.addEventListener("open", async () => {
      // A WebSocket cannot carry a header: the token is the first frame.
      socket.send(JSON.stringify({ token }));
      retry = 1000; statusEl.textContent = "";
      await loadHistory();
      await flushOutbox();
    });
    socket.addEventListener("message", async (e) => {
      const event = JSON.parse(e.data);
      if (event.type === "message") render(event);
      if (event.type === "forgotten") {
        localStorage.removeItem(TOKEN_KEY); saveOutbox([]);
        statusEl.textContent = "Your conversation has been deleted.";
        socket.close(); await startSession(); connect();
      }
    });
    socket.addEventListener("close", (e) => {
      if (e.target !== socket) return;
      statusEl.textContent = "Reconnecting…";
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 30000);
    });
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const text = box.value;
    if (!text.trim()) { errorEl.textContent = "Type a message first, then press Send."; return; }
    if (await send({ text })) box.value = "";
    else if (!outbox().length) return;
    else box.value = "";
    box.focus();
  });
  box.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); form.requestSubmit(); }
  });
  window.addEventListener("online", flushOutbox);

  (async function start() {
    if (!token) await startSession();
    connect();
  })();
})();
