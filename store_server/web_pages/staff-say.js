// The staff page's words in the picked language (staff-words.json: English, Dutch and simplified
// Chinese), and the few helpers that put text on the page: always as text, never as markup.
const LANGUAGES = ["en", "nl", "zh_Hans"];
let words = { en: {} };
let language = "en";

export async function loadWords() {
  language = pickLanguage();
  try { words = await (await fetch("/staff/staff-words.json")).json(); } catch (_) { words = { en: {} }; }
}

export function currentLanguage() {
  return language;
}

export function setLanguage(code) {
  language = LANGUAGES.includes(code) ? code : "en";
  localStorage.setItem("storeAssist.language", language);
}

function pickLanguage() {
  const saved = localStorage.getItem("storeAssist.language");
  if (LANGUAGES.includes(saved)) return saved;
  const asked = (navigator.language || "en").toLowerCase();
  if (asked.startsWith("nl")) return "nl";
  return asked.startsWith("zh") ? "zh_Hans" : "en";
}

export function word(key, values) {
  let text = (words[language] || {})[key] ?? words.en[key] ?? key;
  for (const [name, value] of Object.entries(values || {})) text = text.split(`{${name}}`).join(String(value));
  return text;
}

export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

export function minutes(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}
