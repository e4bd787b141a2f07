"""The kiosk and the pager as a store starts them, checked on the picture.

`run_kiosk.py` and `run_pager.py` run as processes with the README's flags,
each in its own window (App.run()) on one virtual screen, against the test
session's Mosquitto; a console pager (`run_pager.py --console`) is the staff
member who answers. The windows are tapped and typed into through X and read
off screenshots: each text is looked for by what one copy of it looks like
(tests/picture.py), so a screen drawn twice is seen. The README's pictures
of the kiosk and the pager are saved on the way (docs/screenshots/). Last,
each app is started alone on a screen of a laptop's size, with no Kivy
settings from outside, as a person starts it: it must open at its own shape
scaled to fit, every text on Welcome whole.
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Iterator

import pytest

from kiosk.language import LANGUAGES, shared_translations
from kiosk.theme import HIGH_CONTRAST, LARGE_TEXT, NORMAL
from kiosk.wording import FACES, connection_words, greeting
from tests.broker import free_port
from tests.kiosk_fixture import PtyPrinter, new_store
from tests.pager_fixture import console_pager
from tests.processes import LineProcess
from tests.windows import AppWindow, Text, TextPictures
from tests.xvfb import ARTIFACTS, ROOT, VirtualScreen

SHOTS = ARTIFACTS / "windows"
README = ROOT / "docs" / "screenshots"
KIOSK_SIZE = (1280, 800)
WHEEL_TO_THE_END = 5  # X wheel button that brings a Kivy list to its end
LAPTOP, SMALL = (1280, 800), (1024, 768)  # screens the apps are started alone on

# Text sizes in sp, as the kiosk's .kv files draw them (kiosk/widgets.kv, welcome.kv).
LANGUAGE, BIG, TITLE, BODY, CHOICE, FIELD, ACCESS = 24, 32, 44, 26, 26, 32, 20


def _(message: str, language: str = "en") -> str:
    return shared_translations().tr(message, language)


@pytest.fixture(scope="module")
def store() -> str:
    return new_store()


@pytest.fixture(scope="module")
def anna(broker, store: str) -> Iterator[LineProcess]:  # type: ignore[no-untyped-def]
    """A floor associate on the console pager."""
    pager = console_pager(broker, store, "Anna")
    yield pager
    pager.close()


@pytest.fixture(scope="module")
def kiosk(broker, store, screen, pictures, anna, tmp_path_factory) -> Iterator[AppWindow]:  # type: ignore[no-untyped-def]
    """The kiosk window as the README starts it, with a printer on a pty; on Welcome."""
    printer = PtyPrinter()
    data = tmp_path_factory.mktemp("kiosk")
    window = AppWindow(
        screen, pictures, "run_kiosk.py", "--broker", broker.url, "--store", store,
        "--data-dir", str(data), "--printer", printer.port, size=KIOSK_SIZE,
    )  # fmt: skip
    try:
        window.wait_for(Text("English", LANGUAGE))
        yield window
    finally:
        code = window.close()
        printer.close()
    assert code == 0, f"Escape: the kiosk exited {code}: {window.log()[-3000:]}"


@pytest.fixture
def on_welcome(kiosk: AppWindow) -> Iterator[AppWindow]:
    """Each test starts on Welcome in English and leaves the kiosk there."""
    kiosk.wait_for(Text(_("Ask for help"), BIG, bold=True))
    yield kiosk
    kiosk.wait_for(Text(_("Ask for help"), BIG, bold=True))


def readme_picture(window: AppWindow, name: str) -> None:
    shutil.copyfile(window.save(SHOTS / name), README / name)


def ask_for_help(kiosk: AppWindow, anna: LineProcess, language: str) -> str:
    """A shopper asks for help in `language`; Anna's console pager hears of it.
    The ticket number."""
    kiosk.tap_text(Text(_("Ask for help", language), BIG, bold=True))
    kiosk.tap_text(Text(_("Product question", language), CHOICE))
    kiosk.tap_text(Text(_("Call a staff member", language), BIG, bold=True))
    ticket = anna.expect("new ").split()[1]
    kiosk.wait_for(Text(ticket, 140, bold=True))
    return ticket


def test_welcome_shows_each_language_once_and_every_kv_file_is_loaded_once(on_welcome: AppWindow) -> None:
    picture = on_welcome.shot()
    for _code, name in LANGUAGES:
        on_welcome.once(Text(name, LANGUAGE), picture)
    assert "loaded multiples times" not in on_welcome.log()
    readme_picture(on_welcome, "kiosk-welcome.png")


def test_a_shopper_calls_for_help_and_anna_claims_it(on_welcome: AppWindow, anna: LineProcess) -> None:
    kiosk = on_welcome
    kiosk.tap_text(Text("Ask for help", BIG, bold=True))
    kiosk.wait_for(Text("Ask for help", TITLE, bold=True))
    picture = kiosk.shot()
    for text in (Text("Ask for help", TITLE, bold=True), Text("A short note", FIELD)):
        kiosk.once(text, picture)
    kiosk.tap_text(Text("Back", BODY))
    ticket = ask_for_help(kiosk, anna, "en")
    anna.send(f"claim {ticket}")
    anna.expect(f"claimed {ticket}")
    kiosk.wait_for(Text("Anna is on the way", TITLE, bold=True))
    readme_picture(kiosk, "kiosk-ticket.png")
    kiosk.tap_text(Text("Done", BIG, bold=True))


def test_the_ticket_in_simplified_chinese(on_welcome: AppWindow, anna: LineProcess) -> None:
    kiosk = on_welcome
    kiosk.tap_text(Text("简体中文", LANGUAGE))
    ticket = ask_for_help(kiosk, anna, "zh_Hans")
    anna.send(f"claim {ticket}")
    kiosk.wait_for(Text(_("{name} is on the way", "zh_Hans").format(name="Anna"), TITLE, bold=True))
    readme_picture(kiosk, "kiosk-ticket-zh-hans.png")
    kiosk.tap_text(Text(_("Done", "zh_Hans"), BIG, bold=True))


def faces_drawn(kiosk: AppWindow, palette: dict[str, tuple[float, ...]], scale: float = 1.0) -> None:
    """The four faces on Feedback, each a disc in its colour above its word (the
    frame around it, in the same colour, is about 6,000 pixels)."""
    picture = kiosk.shot()
    colours = Counter(picture.getdata())
    for rating, word in FACES:
        disc = tuple(round(255 * c) for c in palette[f"face{rating}"][:3])
        filled = sum(
            n for colour, n in colours.items() if max(abs(a - b) for a, b in zip(colour, disc, strict=True)) <= 2
        )
        assert filled > 12000, f"face {rating} ({word}): {filled} pixels of its colour ({kiosk.keep(picture)})"
        kiosk.once(Text(word, 28 * scale, bold=True), picture)


def test_the_feedback_faces_are_drawn_in_every_mode(on_welcome: AppWindow) -> None:
    kiosk = on_welcome
    kiosk.tap_text(Text("Leaving? Tell us how we did", BIG, bold=True))
    kiosk.wait_for(Text("How did we do today?", TITLE, bold=True))
    faces_drawn(kiosk, NORMAL)
    readme_picture(kiosk, "kiosk-feedback.png")
    kiosk.tap_text(Text("Back", BODY))
    kiosk.tap_text(Text("Larger text", ACCESS))
    kiosk.tap_text(Text("High contrast", ACCESS * LARGE_TEXT))
    kiosk.wait_for(Text("High contrast", ACCESS * LARGE_TEXT))
    readme_picture(kiosk, "kiosk-welcome-large-contrast.png")
    kiosk.tap_text(Text("Leaving? Tell us how we did", BIG * LARGE_TEXT, bold=True))
    kiosk.wait_for(Text("How did we do today?", TITLE * LARGE_TEXT, bold=True))
    faces_drawn(kiosk, HIGH_CONTRAST, LARGE_TEXT)
    kiosk.save(SHOTS / "kiosk-feedback-large-contrast.png")
    kiosk.tap_text(Text("Back", BODY * LARGE_TEXT))


def test_a_shopper_shows_their_ticket_at_exit_and_a_wrong_scan_is_refused(
    on_welcome: AppWindow, anna: LineProcess
) -> None:
    kiosk = on_welcome
    ticket = ask_for_help(kiosk, anna, "en")
    kiosk.tap_text(Text("Done", BIG, bold=True))
    kiosk.tap_text(Text("Leaving? Tell us how we did", BIG, bold=True))
    kiosk.tap_text(Text("Very happy", 28, bold=True))
    kiosk.wait_for(Text("What went well?", TITLE, bold=True))
    kiosk.tap_text(Text("Show your ticket (optional)", BODY))
    kiosk.wait_for(Text("Show us your ticket", TITLE, bold=True))
    kiosk.once(Text(ticket, 44, bold=True))
    # A scanner types into the field it is given, and ends with Enter: a product's barcode is no ticket.
    kiosk.tap_text(Text("Scan the QR code", FIELD))
    kiosk.type("8710103123456")
    kiosk.press("Return")
    refused = "That is not a ticket from this store. Scan the QR code on your ticket, or tap your number."
    kiosk.wait_for(Text(refused, 24))
    readme_picture(kiosk, "kiosk-feedback-ticket.png")
    kiosk.tap_text(Text(ticket, 44, bold=True))
    kiosk.wait_for(Text(f"Your ticket: {ticket}", BODY))
    readme_picture(kiosk, "kiosk-feedback-details.png")
    kiosk.tap_text(Text("Send", BIG, bold=True))
    kiosk.wait_for(Text("Thank you!", 56, bold=True))


def type_into(kiosk: AppWindow, hint: Text, words: str, then_tap: Text) -> None:
    """Tap the field showing `hint`, type `words` on the keyboard, and tap
    `then_tap` (outside the field), which puts the on-screen keyboard away."""
    kiosk.tap_text(hint)
    kiosk.type(words)
    kiosk.wait_for(Text(words, FIELD))
    kiosk.tap_text(then_tap)


def test_a_dutch_shopper_types_a_note_on_help(on_welcome: AppWindow) -> None:
    kiosk = on_welcome
    kiosk.tap_text(Text("Nederlands", LANGUAGE))
    kiosk.tap_text(Text(_("Ask for help", "nl"), BIG, bold=True))
    kiosk.tap_text(Text(_("Product question", "nl"), CHOICE))
    title = Text(_("Ask for help", "nl"), TITLE, bold=True)
    type_into(kiosk, Text(_("A short note", "nl"), FIELD), "Welke verf is het beste voor een badkamer?", title)
    readme_picture(kiosk, "kiosk-help-nl.png")
    kiosk.tap_text(Text(_("Back", "nl"), BODY))


def test_find_shows_where_an_item_is_and_take_me_there_calls_staff(on_welcome: AppWindow, anna: LineProcess) -> None:
    kiosk = on_welcome
    kiosk.tap_text(Text("Find an item", BIG, bold=True))
    title = Text("Find an item", TITLE, bold=True)
    type_into(kiosk, Text("e.g. blue paint, hammer, 8710103...", FIELD), "blu pant", title)
    kiosk.wait_for(Text("Wall paint blue matt 2.5 l", BODY, bold=True))
    kiosk.once(Text("Wall paint blue matt 2.5 l", BODY, bold=True))
    readme_picture(kiosk, "kiosk-find.png")
    kiosk.tap_text(Text("Take me there", 24, bold=True))  # the best match, on top
    new = anna.expect("new ")
    assert " find " in new and "Wall paint blue matt 2.5 l" in new, new
    kiosk.tap_text(Text("Done", BIG, bold=True))


def test_the_pager_window_signs_in_and_shows_what_is_waiting(  # type: ignore[no-untyped-def]
    on_welcome: AppWindow, anna: LineProcess, broker, store: str, screen: VirtualScreen, pictures: TextPictures
) -> None:
    ticket = ask_for_help(on_welcome, anna, "en")
    on_welcome.tap_text(Text("Done", BIG, bold=True))
    pager = AppWindow(
        screen, pictures, "run_pager.py", "--broker", broker.url, "--store", store,
        "--device", "pager-mia", "--role", "manager", size=(480, 800), at=(1300, 0),
    )  # fmt: skip
    try:
        # Sign in as a person does: tap the box right under "Your name", type, tap Sign in.
        pager.wait_for(Text("Your name", 18))
        label = pager.once(Text("Your name", 18))
        pager.tap(label.centre[0], label.top + label.height + 44)
        pager.type("Mia")
        pager.wait_for(Text("Mia", 22))
        pager.tap_text(Text("Sign in", 20, bold=True))
        pager.wait_for(Text("Mia · manager", 20, bold=True))
        pager.wait_for(Text("Connected", 16))
        pager.wait_for(Text("H-001", 26, bold=True))
        readme_picture(pager, "pager.png")
        # The newest request is the last, oldest first: below the fold once the list is long.
        pager.wheel(240, 600, WHEEL_TO_THE_END)
        pager.wait_for(Text(ticket, 26, bold=True))
        pager.once(Text(ticket, 26, bold=True))
        assert "loaded multiples times" not in pager.log()
    finally:
        assert pager.close() == 0, pager.log()[-3000:]


def test_on_an_upright_screen_the_keyboard_comes_up_under_the_note(on_welcome: AppWindow) -> None:
    kiosk = on_welcome
    kiosk.resize(1080, 1920)
    try:
        kiosk.wait_for(Text("Ask for help", BIG, bold=True), where=lambda f: f.top > KIOSK_SIZE[1])  # laid out anew
        kiosk.tap_text(Text("Ask for help", BIG, bold=True))
        kiosk.tap_text(Text("A short note", FIELD))
        kiosk.type("bathroom paint")
        kiosk.wait_for(Text("bathroom paint", FIELD))
        readme_picture(kiosk, "kiosk-keyboard-portrait.png")
        kiosk.tap_text(Text("Ask for help", TITLE, bold=True))
        kiosk.tap_text(Text("Back", BODY))
    finally:
        kiosk.resize(*KIOSK_SIZE)


# -- the apps started alone, as a store's IT person or a developer does -----------


def alone_on(size: tuple[int, int]) -> VirtualScreen:
    return VirtualScreen(f"-screen 0 {size[0]}x{size[1]}x24 +extension GLX")


@pytest.fixture(scope="module")
def alone(pictures: TextPictures, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[AppWindow, AppWindow]]:
    """The kiosk alone on a 1280x800 screen and the pager alone on a 1024x768
    one, with no Kivy settings from outside; no broker there (the kiosk says so)."""
    offline = f"mqtt://127.0.0.1:{free_port()}"
    laptop, small = alone_on(LAPTOP), alone_on(SMALL)
    data = tmp_path_factory.mktemp("kiosk-alone")
    windows: list[AppWindow] = []
    try:
        for screen, args in (
            (laptop, ("run_kiosk.py", "--data-dir", str(data), "--device", "kiosk-alone")),
            (small, ("run_pager.py", "--device", "pager-alone")),
        ):
            windows.append(AppWindow(screen, pictures, *args, "--broker", offline, size=None))
        yield windows[0], windows[1]
    finally:
        codes = [window.close() for window in windows]
        laptop.stop()
        small.stop()
    assert codes == [0] * len(windows), [window.log()[-3000:] for window in windows]


def on_screen(window: AppWindow, shape: tuple[int, int], screen: tuple[int, int]) -> float:
    """The window is `shape` scaled down, wholly on the screen, about as tall
    as the screen; the scale (Kivy's density in it)."""
    left, top, right, bottom = window.sized_box()
    width, height = right - left, bottom - top
    assert abs(width / height - shape[0] / shape[1]) < 0.01, f"{width}x{height} is not the shape of {shape}"
    assert min(left, top) >= 0 and right <= screen[0] and bottom <= screen[1], f"{window.box()}: off the screen"
    assert height >= 0.9 * screen[1], f"{width}x{height}: not scaled to fit the {screen[0]}x{screen[1]} screen"
    return height / shape[1]


def whole_on_its_button(window: AppWindow, text: Text, picture, background) -> None:  # type: ignore[no-untyped-def]
    """`text` is drawn whole, once, with its button's colour all round it:
    it does not run over the button's edge onto the screen's background."""
    around = window.around(window.once(text, picture), picture)
    assert len(around) == 1 and background not in around, (
        f"{text.words!r} runs over its button's edge: {around} around it ({window.keep(picture)})"
    )


def welcome_whole(kiosk: AppWindow, scale: float, language: str, zoom: float, notice: bool) -> None:
    """Welcome as the shopper sees it: a greeting, every language name and
    both accessibility buttons drawn whole, each within its button; the
    offline notice (`notice`) whole in one line."""

    def sized(words: str, size: float, bold: bool = False) -> Text:
        return Text(words, round(size * zoom * scale, 4), bold)

    picture = kiosk.shot()
    background = picture.getpixel((2, 2))
    greetings = [_(greeting(hour), language) for hour in (6, 13, 20)]
    drawn = [found for words in greetings for found in kiosk.find(sized(words, 56, bold=True), picture)]
    assert len(drawn) == 1, f"{len(drawn)} greetings drawn whole, of {greetings} ({kiosk.keep(picture)})"
    for _code, name in LANGUAGES:
        whole_on_its_button(kiosk, sized(name, LANGUAGE), picture, background)
    for words in ("Larger text", "High contrast"):
        whole_on_its_button(kiosk, sized(_(words, language), ACCESS), picture, background)
    if notice:
        kiosk.once(sized(connection_words(False, lambda message: _(message, language)), 20), picture)
    kiosk.save(SHOTS / f"kiosk-alone-{language}{'-larger' if zoom > 1 else ''}.png")


def test_the_kiosk_started_alone_is_its_upright_screen_scaled_to_fit_with_every_text_whole(alone) -> None:  # type: ignore[no-untyped-def]
    kiosk, _pager = alone
    scale = on_screen(kiosk, (1080, 1920), LAPTOP)
    larger = Text(_("Larger text", "nl"), round(ACCESS * scale, 4))
    kiosk.wait_for(Text(_(connection_words(False)), round(20 * scale, 4)))
    welcome_whole(kiosk, scale, "en", 1.0, notice=True)
    kiosk.tap_text(Text("Nederlands", round(LANGUAGE * scale, 4)))
    kiosk.wait_for(larger)
    welcome_whole(kiosk, scale, "nl", 1.0, notice=True)
    kiosk.tap_text(larger)
    kiosk.wait_for(Text(larger.words, round(ACCESS * LARGE_TEXT * scale, 4)))
    # Larger, the notice no longer fits one line at full size: it is made smaller (kiosk/fit_text.py).
    welcome_whole(kiosk, scale, "nl", LARGE_TEXT, notice=False)


def test_the_pager_started_alone_is_phone_shaped_and_fits_the_screen(alone) -> None:  # type: ignore[no-untyped-def]
    _kiosk, pager = alone
    scale = on_screen(pager, (480, 800), SMALL)
    pager.wait_for(Text("Your name", round(18 * scale, 4)))
    pager.once(Text("Sign in", round(20 * scale, 4), bold=True))
    pager.save(SHOTS / "pager-alone.png")
