// What makes the person holding the phone look: the sounds of core/sounds.py played with Web
// Audio, the phone's vibration, and in duty mode a screen that stays on (Screen Wake Lock).
// Browsers play sound only after a tap on the page, and let go of a wake lock whenever the
// page is hidden: the page unlocks sound on the first tap and asks for the lock again.
let sounds = {};
let audio = null;
let wakeLock = null;
window.storeAssistSounds = []; // every sound played: {name, ticket, at} (the tests read it)

export function knowSounds(table) {
  sounds = table || {};
}

export function soundOn() {
  return Boolean(audio) && audio.state === "running";
}

// Call from the tap's own handler: the audio context is made and resumed within it.
export async function unlockSound() {
  const Context = window.AudioContext || window.webkitAudioContext;
  if (!Context) return false;
  audio = audio || new Context();
  try { await audio.resume(); } catch (_) { return false; }
  return soundOn();
}

// One sound: each tone a sine oscillator through a gain with a short rise and fall (no
// clicks), then the tone's gap of silence; and the phone vibrates with the sound's pattern.
export function play(name, ticket) {
  const sound = sounds[name];
  if (!sound || !soundOn()) return false;
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
  return true;
}

export function holdingScreen() {
  return wakeLock !== null;
}

// The words' key for what happened: duty_on, duty_refused or duty_unsupported.
export async function keepScreenOn() {
  if (!("wakeLock" in navigator)) return "duty_unsupported";
  try {
    wakeLock = await navigator.wakeLock.request("screen");
    wakeLock.addEventListener("release", () => { wakeLock = null; });
    return "duty_on";
  } catch (_) {
    wakeLock = null;
    return "duty_refused";
  }
}

export function letScreenSleep() {
  if (wakeLock) wakeLock.release();
  wakeLock = null;
}
