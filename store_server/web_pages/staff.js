// The staff web pager: shows what the store's web service says and sends what staff tap.
// The server decides everything (who sees what, which actions a request offers); this page
// only draws the staff state (docs/web.md) and asks. Every text from the store goes in with
// textContent: a shopper's note is shown, never run.
import { holdingScreen, keepScreenOn, knowSounds, letScreenSleep, play, soundOn, unlockSound } from "./staff-alerts.js";
import { drawState, redraw, tick } from "./staff-draw.js";
import { currentLanguage, el, loadWords, setLanguage, word } from "./staff-say.js";

const $ = (id) => document.getElementById(id);
const POLL_MS = 5000;
let state = null; // the last staff state from the server
let outcomes = { kinds: {}, words: {} };
let stream = null;
let poller = null;
let signedInNow = false;
let toastTimer = null;

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

function applyWords() {
  const language = currentLanguage();
  document.documentElement.lang = language === "zh_Hans" ? "zh-Hans" : language;
  for (const node of document.querySelectorAll("[data-word]")) node.textContent = word(node.dataset.word);
  $("language").value = language;
  if (soundOn()) $("sound-banner").textContent = word("sound_on");
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
    if (s.status === 200) knowSounds(s.body);
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
  render();
}

function render() {
  if (!state) return;
  drawState(state, tapped);
  const open = $("sheet").dataset.requestId;
  if (open && !(state.requests || []).some((r) => r.id === open)) closeSheet();
}

// -- acting --------------------------------------------------------------------------------

function tapped(r, action) {
  if (action === "resolve") {
    const codes = r.outcomes || outcomes.kinds[r.kind] || [];
    openSheet(r, word("resolve_title", { ticket: r.ticket }), codes.map((code) => ({
      label: ((outcomes.words || {})[code] || {})[currentLanguage()] || ((outcomes.words || {})[code] || {}).en || code,
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

async function tappedSound() {
  const banner = $("sound-banner");
  const on = await unlockSound();
  banner.textContent = word(on ? "sound_on" : "sound_none");
  banner.classList.toggle("on", on);
}

// -- duty mode: the screen stays on, and the page catches up when it is shown again --------

function showDuty(key) {
  const line = $("duty-state");
  if (key) line.dataset.state = key;
  line.textContent = $("duty").checked && line.dataset.state ? word(line.dataset.state) : "";
}

async function askScreenOn() {
  showDuty(await keepScreenOn());
}

function dutyChanged() {
  localStorage.setItem("storeAssist.duty", $("duty").checked ? "on" : "off");
  if ($("duty").checked) askScreenOn();
  else letScreenSleep();
  showDuty();
}

function becameVisible() {
  if (document.visibilityState !== "visible") return;
  if ($("duty").checked && !holdingScreen()) askScreenOn();
  if (!soundOn()) {
    $("sound-banner").textContent = word("sound_banner");
    $("sound-banner").classList.remove("on");
  }
  if (signedInNow) resync();
}

// -- start ---------------------------------------------------------------------------------

async function start() {
  await loadWords();
  applyWords();
  $("language").addEventListener("change", () => {
    setLanguage($("language").value);
    applyWords();
    redraw();
  });
  $("signin-form").addEventListener("submit", signIn);
  $("signout").addEventListener("click", signOut);
  $("sound-banner").addEventListener("click", tappedSound);
  $("sheet-cancel").addEventListener("click", closeSheet);
  $("duty").checked = localStorage.getItem("storeAssist.duty") === "on";
  $("duty").addEventListener("change", dutyChanged);
  if ($("duty").checked) askScreenOn();
  document.addEventListener("visibilitychange", becameVisible);
  setInterval(tick, 1000);
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/staff/sw.js", { scope: "/staff/" }).catch(() => { /* works without */ });
  }
  await resync();
  if (!signedInNow && $("signin").hidden) showSignIn("");
}

start();
