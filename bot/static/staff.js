// The staff console's live updates. Every page works without this file; with it, the queue and an
// open conversation update themselves as things happen, and urgent escalations raise a visible
// (and, once switched on, audible) alert. Events carry only ids: what is shown is fetched as
// server-rendered, escaped HTML from the same role-checked routes a reload would use.
(function () {
  "use strict";
  var body = document.body;
  var page = body.getAttribute("data-page");
  var live = document.getElementById("live");
  var alerts = 0;
  body.setAttribute("data-alerts", "0");
  body.setAttribute("data-beeps", "0");

  // --- sound -------------------------------------------------------------------------------------
  var audio = null;
  var soundButton = document.getElementById("sound");
  function soundOn() { return localStorage.getItem("kindred-sound") === "on"; }
  function showSound() {
    if (!soundButton) return;
    soundButton.setAttribute("aria-pressed", soundOn() ? "true" : "false");
    soundButton.textContent = soundOn() ? "Sound alerts are on (turn off)" : "Turn on sound alerts";
  }
  function beep() {
    if (!soundOn()) return;
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      [0, 0.35].forEach(function (offset) {
        var osc = audio.createOscillator();
        var gain = audio.createGain();
        osc.frequency.value = 880;
        gain.gain.value = 0.2;
        osc.connect(gain);
        gain.connect(audio.destination);
        osc.start(audio.currentTime + offset);
        osc.stop(audio.currentTime + offset + 0.2);
      });
      body.setAttribute("data-beeps", String(Number(body.getAttribute("data-beeps")) + 1));
    } catch (e) { /* no audio device: the visible alert still shows */ }
  }
  if (soundButton) {
    showSound();
    soundButton.addEventListener("click", function () {
      localStorage.setItem("kindred-sound", soundOn() ? "off" : "on");
      if (soundOn()) { audio = audio || new (window.AudioContext || window.webkitAudioContext)(); }
      showSound();
    });
  }

  // --- fetching fragments ------------------------------------------------------------------------
  function refresh(element, after) {
    var src = element.getAttribute("data-src");
    return fetch(src, { credentials: "same-origin", headers: { "Accept": "text/html-fragment" } })
      .then(function (r) {
        if (r.status === 401) { location.href = "/staff/login?next=" + encodeURIComponent(location.pathname + location.search); return; }
        if (!r.ok) return;
        return r.text().then(function (html) { element.innerHTML = html; if (after) after(); });
      })
      .catch(function () { /* offline for a moment; the next event or timer tries again */ });
  }
  function debounce(fn, ms) {
    var timer = null;
    return function () { clearTimeout(timer); timer = setTimeout(fn, ms); };
  }

  // --- the queue -------------------------------------------------------------------------------
  var rows = document.getElementById("queue-rows");
  var alertBox = document.getElementById("alert");
  var alertText = document.getElementById("alert-text");
  function urgentIds() {
    var found = {};
    if (!rows) return found;
    rows.querySelectorAll('tr[data-level="urgent"][data-status="new"]').forEach(function (tr) {
      found[tr.getAttribute("data-escalation")] = true;
    });
    return found;
  }
  var knownUrgent = urgentIds();
  function afterRows() {
    var now = urgentIds();
    var fresh = Object.keys(now).filter(function (id) { return !knownUrgent[id]; });
    var count = Object.keys(now).length;
    knownUrgent = now;
    if (count) {
      alertText.textContent = count + " urgent conversation" + (count > 1 ? "s" : "") + " waiting";
      alertBox.hidden = false;
    } else {
      alertBox.hidden = true;
    }
    if (fresh.length) {
      alerts += 1;
      body.setAttribute("data-alerts", String(alerts));
      beep();
      if (document.hidden) document.title = "(!) Urgent · Queue · Kindred staff console";
    }
  }
  var refreshRows = rows ? debounce(function () { refresh(rows, afterRows); }, 250) : null;
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) document.title = document.title.replace("(!) Urgent · ", "");
  });

  // --- a conversation ----------------------------------------------------------------------------
  var region = document.getElementById("live-region");
  var conversation = region ? region.getAttribute("data-conversation") : null;
  var refreshConversation = region ? debounce(function () { refresh(region); }, 250) : null;
  document.querySelectorAll(".canned-send").forEach(function (button) {
    button.addEventListener("click", function (event) {
      var box = document.getElementById("reply-text");
      if (!box) return;
      event.preventDefault();
      box.value = button.getAttribute("data-text");
      box.focus();
    });
  });

  // --- the event stream ----------------------------------------------------------------------------
  if ((rows || region) && window.EventSource) {
    var source = new EventSource("/staff/events");
    source.onopen = function () {
      if (live) live.textContent = "Updates live.";
      body.setAttribute("data-live", "yes");
      // Catch up on anything that happened while the stream was connecting or reconnecting: an event
      // published before this moment never reaches this page.
      if (refreshRows) refreshRows();
      if (refreshConversation) refreshConversation();
    };
    source.onerror = function () { if (live) live.textContent = "Reconnecting…"; body.setAttribute("data-live", "no"); };
    source.onmessage = function (message) {
      var event;
      try { event = JSON.parse(message.data); } catch (e) { return; }
      if (event.kind === "reload") { location.reload(); return; }
      // The session ended (signed out, switched off, or idle): the stream is closed; back to sign in.
      if (event.kind === "signed_out") { source.close(); location.href = "/staff/login"; return; }
      if (refreshRows && (event.kind === "queue" || event.kind === "message")) refreshRows();
      if (refreshConversation && (event.conversation === conversation)) refreshConversation();
    };
    // Waiting times move on even when nothing happens.
    setInterval(function () { if (refreshRows) refreshRows(); }, 30000);
  }
})();
