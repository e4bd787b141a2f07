// The staff web pager: shows what the store's web service says and sends what staff tap.
// The server decides everything (who sees what, which actions a request offers); this page
// only draws the staff state (docs/web.md) and asks. Every text from the store goes in with
// textContent: a shopper's note is shown, never run.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const LANGUAGES = ["en", "nl", "zh_Hans"];
  const POLL_MS = 5000;
  let words = { en: {} };
  let language = "en";
  let state = null; // the last staff state from the server
  let stateAt = 0; // performance.now() when it came: waiting times tick on from there
  let outcomes = { kinds: {}, words: {} };
  let sounds = {};
  let audio = null;
  let stream = null;
  let poller = null;
  let wakeLock = null;
  let signedInNow = false;
  let toastTimer = null;
  window.storeAssistSounds = []; // every sound played: {name, ticket, at}

  function word(key, values) {
    let text = (words[language] || {})[key] ?? words.en[key] ?? key;
    for (const [name, value] of Object.entries(values || {})) text = text.split(`{${name}}`).join(String(value));
    return text;
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function minutes(seconds) {
    const s = Math.max(0, Math.floor(seconds));
    return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
  }

  async function api(path, body) {
    const options = { credentials: "same-origin", headers: { Accept: "application/json" } };
    if (body !== undefined) {
      options.method = "POST";
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    const response = await fetch(path, options);
    let data = null;
    try { data = await response.json(); } catch (_) { data = null; }
    return { status: response.status, body: data };
  }

  // -- words and language ------------------------------------------------------------------

  function pickLanguage() {
    const saved = localStorage.getItem("storeAssist.language");
    if (LANGUAGES.includes(saved)) return saved;
    const asked = (navigator.language || "en").toLowerCase();
    if (asked.startsWith("nl")) return "nl";
    return asked.startsWith("zh") ? "zh_Hans" : "en";
  }

  function applyWords() {
    document.documentElement.lang = language === "zh_Hans" ? "zh-Hans" : language;
    for (const node of document.querySelectorAll("[data-word]")) node.textContent = word(node.dataset.word);
    $("language").value = language;
    if (audio && audio.state === "running") $("sound-banner").textContent = word("sound_on");
    showDuty();
  }

  // -- signing in and out ------------------------------------------------------------------

  function showSignIn(message) {
    signedInNow = false;
    closeStream();
    stopPolling();
    $("duty-view").hidden = true;
    $("signin").hidden = false;
    $("me").textContent = "";
    $("signin-error").hidden = !message;
    $("signin-error").textContent = message || "";
  }

  async function signIn(event) {
    event.preventDefault();
    const button = $("signin-button");
    button.disabled = true;
    button.textContent = word("signing_in");
    try {
      const answer = await api("/api/login", { name: $("name").value.trim(), pin: $("pin").value });
      if (answer.status !== 200) {
        showSignIn((answer.body && answer.body.error) || `HTTP ${answer.status}`);
        return;
      }
      $("pin").value = "";
      await resync();
    } catch (_) {
      showSignIn(word("no_connection"));
    } finally {
      button.disabled = false;
      button.textContent = word("sign_in");
    }
  }

  async function signOut() {
    try { await api("/api/logout", {}); } catch (_) { /* signed out here either way */ }
    state = null;
    showSignIn("");
  }

  async function signedIn(staffState) {
    const first = !signedInNow;
    signedInNow = true;
    $("signin").hidden = true;
    $("duty-view").hidden = false;
    applyState(staffState);
    if (first) {
      await loadTables();
      render();
      openStream();
    }
  }

  async function loadTables() {
    try {
      const [o, s] = await Promise.all([api("/api/staff/outcomes"), api("/api/staff/sounds")]);
      if (o.status === 200) outcomes = o.body;
      if (s.status === 200) sounds = s.body;
    } catch (_) { /* asked again at the next sign-in; the board still works */ }
  }

  // -- the live stream, and polling while it is down ----------------------------------------

  function openStream() {
    closeStream();
    stream = new EventSource("/api/staff/events");
    stream.addEventListener("state", (event) => { streamUp(); applyState(JSON.parse(event.data)); });
    stream.addEventListener("notice", (event) => onNotice(JSON.parse(event.data)));
    stream.onopen = streamUp;
    stream.onerror = () => {
      $("reconnecting").hidden = false;
      // CONNECTING: the browser tries again by itself; CLOSED (an error answer): the poll reopens it.
      if (stream && stream.readyState === EventSource.CLOSED) stream = null;
      startPolling();
    };
  }

  function closeStream() {
    if (stream) stream.close();
    stream = null;
  }

  function streamUp() {
    $("reconnecting").hidden = true;
    stopPolling();
  }

  function startPolling() {
    if (poller === null) poller = setInterval(resync, POLL_MS);
  }

  function stopPolling() {
    if (poller !== null) clearInterval(poller);
    poller = null;
  }

  async function resync() {
    let answer;
    try {
      answer = await api("/api/staff/state");
    } catch (_) {
      if (signedInNow) { $("reconnecting").hidden = false; startPolling(); } else showSignIn(word("no_connection"));
      return;
    }
    if (answer.status === 401) {
      showSignIn(signedInNow ? word("signed_out") : "");
      return;
    }
    if (answer.status !== 200) return;
    await signedIn(answer.body);
    if (stream === null) openStream();
  }

  // -- drawing the staff state --------------------------------------------------------------

  function applyState(staffState) {
    state = staffState;
    stateAt = performance.now();
    render();
  }

  function render() {
    if (!state) return;
    const me = state.me || {};
    $("me").textContent = me.name ? `${me.name} · ${word(`role_${me.role}`)}` : "";
    $("broker-down").hidden = state.connected !== false;
    renderPrinters(state.printers || []);
    renderRequests(state.requests || []);
    renderOnShift(state.on_shift || []);
    const manager = me.role === "manager";
    $("manager").hidden = !manager;
    if (manager) {
      renderFigures(state.figures);
      renderUnhappy(state.unhappy || []);
    }
    const open = $("sheet").dataset.requestId;
    if (open && !(state.requests || []).some((r) => r.id === open)) closeSheet();
  }

  function renderPrinters(printers) {
    const box = $("printers");
    const wrong = printers.filter((p) => p.state && p.state !== "ok");
    box.replaceChildren(...wrong.map((p) => el("p", `printer-${p.state}`,
      `${word("printer_title")} ${p.kiosk}: ${word(`printer_${p.state}`)}`)));
    box.hidden = wrong.length === 0;
  }

  function details(r) {
    const d = r.details || {};
    if (r.kind === "find") {
      const where = d.aisle ? ` · ${word("aisle", { aisle: d.aisle, shelf: d.shelf || "?" })}` : "";
      return (d.item || "") + where;
    }
    if (r.kind === "return") {
      return `${d.reason || ""} · ${d.receipt ? word("receipt", { receipt: d.receipt }) : word("no_receipt")}`;
    }
    const topic = d.topic ? word(`topic_${d.topic}`) : "";
    return d.note ? `${topic}: ${d.note}` : topic;
  }

  // A request's card is drawn again only when what it shows changed: a card being tapped is
  // not swapped under the finger by a state that changed something else.
  function renderRequests(requests) {
    const list = $("requests");
    const me = (state.me || {}).name;
    const kept = new Map([...list.children].map((item) => [item.dataset.requestId, item]));
    const items = requests.map((r) => {
      const { waited_seconds: _w, urgency: _u, seq: _s, ...shown } = r;
      const signature = JSON.stringify([shown, me, language]);
      const old = kept.get(r.id);
      return old && old.dataset.signature === signature ? old : drawRequest(r, me, signature);
    });
    if (items.length !== list.children.length || items.some((item, i) => list.children[i] !== item)) {
      list.replaceChildren(...items);
    }
    $("count").textContent = requests.length ? String(requests.length) : "";
    $("no-requests").hidden = requests.length > 0;
    tick();
  }

  function drawRequest(r, me, signature) {
    const item = el("li", "request");
    item.dataset.requestId = r.id;
    item.dataset.ticket = r.ticket;
    item.dataset.status = r.status;
    item.dataset.signature = signature;
    const head = el("div", "head");
    head.append(el("span", "ticket", r.ticket), el("span", "waited"));
    item.append(head, el("p", "kind", `${word(`kind_${r.kind}`)} · ${r.entrance || r.kiosk}`));
    if (r.escalation > 0 && r.status === "open") {
      item.append(el("p", "escalation", word(`escalation_${Math.min(r.escalation, 3)}`)));
    }
    const said = details(r);
    if (said) item.append(el("p", "details", said));
    if (r.claimed_by) {
      item.append(el("p", "holder", r.claimed_by === me ? word("holder_me") : word("holder", { name: r.claimed_by })));
    }
    const actions = el("div", "actions");
    for (const action of r.actions || []) {
      const button = el("button", `big action ${action === "claim" ? "primary" : ""}`, word(action));
      button.type = "button";
      button.dataset.action = action;
      button.addEventListener("click", () => tapped(r, action));
      actions.append(button);
    }
    item.append(actions);
    return item;
  }

  // Waiting time against the target, as the Kivy pager colours it (staff_pager/rows.py):
  // ok under the target, late from three times the target, warn between.
  function tick() {
    if (!state) return;
    const elapsed = (performance.now() - stateAt) / 1000;
    const byId = new Map((state.requests || []).map((r) => [r.id, r]));
    for (const item of $("requests").children) {
      const r = byId.get(item.dataset.requestId);
      if (!r) continue;
      const waited = (r.waited_seconds || 0) + elapsed;
      const target = r.target_seconds || 60;
      let urgency = "ok";
      if (r.status === "open") urgency = waited < target ? "ok" : (waited < 3 * target ? "warn" : "late");
      item.classList.remove("ok", "warn", "late");
      item.classList.add(urgency);
      item.classList.toggle("escalated", r.escalation > 0 && r.status === "open");
      item.querySelector(".waited").textContent = word("waited", { time: minutes(waited) });
    }
  }

  function renderOnShift(people) {
    const list = $("on-shift");
    const me = (state.me || {}).name;
    const others = people.filter((p) => p.name !== me);
    list.replaceChildren(...people.map((p) => {
      const item = el("li", p.online ? "online" : "offline");
      item.append(el("span", "dot"), el("span", "who", p.name),
        el("span", "muted", ` ${word(`role_${p.role}`)} · ${word(p.online ? "online" : "offline")}` +
          (p.on ? ` · ${word(p.on === "phone" ? "on_phone" : "on_pager")}` : "")));
      return item;
    }));
    if (others.length === 0) list.append(el("li", "muted", word("nobody_on_shift")));
  }

  function renderFigures(figures) {
    const box = $("figures");
    if (!figures) {
      box.replaceChildren(el("dd", "muted", word("figures_none")));
      return;
    }
    const shown = (v, suffix = "") => (v === null || v === undefined ? "–" : `${Math.round(v)}${suffix}`);
    const tiles = [
      ["figure_waiting", shown(figures.waiting),
        figures.longest_wait ? `${word("figure_longest")} ${minutes(figures.longest_wait)}` : ""],
      ["figure_service_level", shown(figures.service_level, " %"),
        word("figure_in_time", { within: figures.within_target ?? 0, due: figures.due ?? 0 })],
      ["figure_satisfaction", shown(figures.satisfaction), word("figure_responses", { n: figures.responses ?? 0 })],
      ["figure_unclaimed", shown(figures.unclaimed), word("figure_abandoned", { n: figures.abandoned ?? 0 })],
      ["figure_requests", shown(figures.requests), ""],
    ];
    box.replaceChildren(...tiles.map(([key, value, note]) => {
      const tile = el("div", "tile");
      tile.append(el("dt", "", word(key)), el("dd", "value", value), el("dd", "note", note));
      return tile;
    }));
  }

  function renderUnhappy(unhappy) {
    $("unhappy").replaceChildren(...unhappy.map((f) => {
      const item = el("li", "unhappy-shopper");
      const reasons = (f.reasons || []).join(", ") || word("no_reason");
      item.append(el("p", "", `${word(`face_${f.rating}`)} · ${f.kiosk || ""} · ${reasons}`));
      if (f.comment) item.append(el("p", "comment", f.comment));
      item.append(el("p", "contact", `${word("contact")}: ${f.contact || ""}`));
      return item;
    }));
    $("no-unhappy").hidden = unhappy.length > 0;
  }

  // -- acting --------------------------------------------------------------------------------

  function tapped(r, action) {
    if (action === "resolve") {
      const codes = r.outcomes || outcomes.kinds[r.kind] || [];
      openSheet(r, word("resolve_title", { ticket: r.ticket }), codes.map((code) => ({
        label: ((outcomes.words || {})[code] || {})[language] || ((outcomes.words || {})[code] || {}).en || code,
        data: { outcome: code },
      })));
    } else if (action === "hand_over") {
      openSheet(r, word("hand_over_title", { ticket: r.ticket }),
        (state.colleagues || []).map((name) => ({ label: name, data: { to: name } })));
    } else {
      act(r, action, {});
    }
  }

  function openSheet(r, title, choices) {
    const sheet = $("sheet");
    sheet.dataset.requestId = r.id;
    $("sheet-title").textContent = title;
    $("sheet-choices").replaceChildren(...choices.map((choice) => {
      const button = el("button", "big choice", choice.label);
      button.type = "button";
      for (const [key, value] of Object.entries(choice.data)) button.dataset[key] = value;
      button.addEventListener("click", () => {
        closeSheet();
        act(r, choice.data.outcome ? "resolve" : "hand_over", choice.data);
      });
      return button;
    }));
    if (choices.length === 0) $("sheet-choices").append(el("p", "muted", word("no_colleagues")));
    sheet.hidden = false;
  }

  function closeSheet() {
    $("sheet").hidden = true;
    delete $("sheet").dataset.requestId;
  }

  async function act(r, action, extra) {
    let answer;
    try {
      answer = await api("/api/staff/act", { action, request_id: r.id, ...extra });
    } catch (_) {
      toast(word("no_connection"), true);
      return;
    }
    if (answer.status === 401) showSignIn(word("signed_out"));
    else if (answer.status === 202) toast(word(`sent_${action}`, { ticket: r.ticket }), false);
    else toast((answer.body && answer.body.error) || `HTTP ${answer.status}`, true);
  }

  function toast(text, error) {
    const box = $("toast");
    box.textContent = text;
    box.classList.toggle("error", Boolean(error));
    box.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { box.hidden = true; }, 6000);
  }

  // -- notices and sound ---------------------------------------------------------------------

  function onNotice(notice) {
    toast(word(`notice_${notice.kind}`, { ticket: notice.ticket, by: notice.by || "" }), notice.kind === "taken");
    if (notice.sound) play(notice.sound, notice.ticket);
  }

  function unlockSound() {
    const Context = window.AudioContext || window.webkitAudioContext;
    const banner = $("sound-banner");
    if (!Context) { banner.textContent = word("sound_none"); return; }
    audio = audio || new Context();
    audio.resume().then(() => {
      banner.textContent = word("sound_on");
      banner.classList.add("on");
    }, () => { banner.textContent = word("sound_none"); });
  }

  // One sound of core/sounds.py: each tone a sine oscillator through a gain with a short
  // rise and fall (no clicks), then the tone's gap of silence; and the phone vibrates.
  function play(name, ticket) {
    const sound = sounds[name];
    if (!sound || !audio || audio.state !== "running") return;
    let at = audio.currentTime + 0.02;
    for (const tone of sound.tones) {
      const seconds = tone.ms / 1000;
      const edge = Math.min(0.01, seconds / 4);
      const oscillator = audio.createOscillator();
      const gain = audio.createGain();
      oscillator.type = "sine";
      oscillator.frequency.value = tone.hz;
      gain.gain.setValueAtTime(0, at);
      gain.gain.linearRampToValueAtTime(tone.gain, at + edge);
      gain.gain.setValueAtTime(tone.gain, at + seconds - edge);
      gain.gain.linearRampToValueAtTime(0, at + seconds);
      oscillator.connect(gain).connect(audio.destination);
      oscillator.start(at);
      oscillator.stop(at + seconds + 0.01);
      at += seconds + (tone.gap_ms || 0) / 1000;
    }
    if (navigator.vibrate) {
      try { navigator.vibrate(sound.vibrate_ms); } catch (_) { /* some browsers refuse: the sound still plays */ }
    }
    window.storeAssistSounds.push({ name, ticket, at: new Date().toISOString() });
  }

  // -- duty mode: the screen stays on, and the page catches up when it is shown again --------

  function showDuty(key) {
    const line = $("duty-state");
    if (key) line.dataset.state = key;
    line.textContent = $("duty").checked && line.dataset.state ? word(line.dataset.state) : "";
  }

  async function keepScreenOn() {
    if (!("wakeLock" in navigator)) { showDuty("duty_unsupported"); return; }
    try {
      wakeLock = await navigator.wakeLock.request("screen");
      wakeLock.addEventListener("release", () => { wakeLock = null; });
      showDuty("duty_on");
    } catch (_) {
      wakeLock = null;
      showDuty("duty_refused");
    }
  }

  function dutyChanged() {
    localStorage.setItem("storeAssist.duty", $("duty").checked ? "on" : "off");
    if ($("duty").checked) keepScreenOn();
    else if (wakeLock) { wakeLock.release(); wakeLock = null; }
    showDuty();
  }

  function becameVisible() {
    if (document.visibilityState !== "visible") return;
    if ($("duty").checked && !wakeLock) keepScreenOn();
    if (audio && audio.state !== "running") {
      $("sound-banner").textContent = word("sound_banner");
      $("sound-banner").classList.remove("on");
    }
    if (signedInNow) resync();
  }

  // -- start ---------------------------------------------------------------------------------

  async function start() {
    language = pickLanguage();
    try { words = await (await fetch("/staff/staff-words.json")).json(); } catch (_) { words = { en: {} }; }
    applyWords();
    $("language").addEventListener("change", () => {
      language = $("language").value;
      localStorage.setItem("storeAssist.language", language);
      applyWords();
      render();
    });
    $("signin-form").addEventListener("submit", signIn);
    $("signout").addEventListener("click", signOut);
    $("sound-banner").addEventListener("click", unlockSound);
    $("sheet-cancel").addEventListener("click", closeSheet);
    $("duty").checked = localStorage.getItem("storeAssist.duty") === "on";
    $("duty").addEventListener("change", dutyChanged);
    if ($("duty").checked) keepScreenOn();
    document.addEventListener("visibilitychange", becameVisible);
    setInterval(tick, 1000);
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register("/staff/sw.js", { scope: "/staff/" }).catch(() => { /* works without */ });
    }
    await resync();
    if (!signedInNow && $("signin").hidden) showSignIn("");
  }

  start();
})();
