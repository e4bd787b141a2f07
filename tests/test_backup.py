"""Backup and restore of a store box on real parts: a headless kiosk process
with its TinyDB files, taking requests while the backup runs; a broker folder
made by broker_config/provision.py; the command run as `python -m
store_server.backup`; the restored kiosk started on the restored data, and
the production broker started from the restored folder.
"""

from __future__ import annotations

import hashlib
import io
import shlex
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.broker import free_port
from tests.pager_fixture import headless_kiosk
from tests.production_broker import ROOT, Broker, Client, readme_setup_command

COMMAND = readme_setup_command()
STORE = COMMAND[COMMAND.index("--store") + 1]
TIMEOUT = 60
PORTS: dict[str, int] = {}  # the provisioned broker's listeners, once the box is made


def backup(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "store_server.backup", *args], cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT
    )


def hashes(top: Path) -> dict[str, str]:
    return {
        path.relative_to(top).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(top.rglob("*"))
        if path.is_file()
    }


def under(root: Path, path: Path) -> Path:
    return root / path.relative_to("/")


@pytest.fixture(scope="module")
def box() -> Iterator[Path]:
    """A store box's folders under a temp folder the mosquitto user can enter
    (see tests/test_broker_security.py), its broker folder provisioned."""
    if not shutil.which("mosquitto"):
        pytest.skip("mosquitto is not installed (apt-get install mosquitto)")
    base = Path(tempfile.mkdtemp(prefix="store-assist-box-"))
    base.chmod(0o755)
    config = base / "etc" / "store-assist"
    config.mkdir(parents=True)
    (config / "store.toml").write_text(f'[store]\nid = "{STORE}"\n')
    (base / "var" / "lib" / "store-assist").mkdir(parents=True)
    PORTS.update(plain=free_port(), tls=free_port())
    ports = ["--plain-port", str(PORTS["plain"]), "--tls-port", str(PORTS["tls"]), "--tls-bind", "127.0.0.1"]
    made = subprocess.run(
        [*COMMAND, "--out", str(base / "etc" / "mosquitto" / "store-assist"), *ports],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    try:
        yield base
    finally:
        shutil.rmtree(base, ignore_errors=True)


def folders(box: Path) -> dict[str, Path]:
    return {
        "data": box / "var" / "lib" / "store-assist",
        "config": box / "etc" / "store-assist",
        "broker": box / "etc" / "mosquitto" / "store-assist",
    }


def create(box: Path, out: Path) -> Path:
    where = folders(box)
    made = backup(
        "create", "--out", str(out), "--data", str(where["data"]), "--config", str(where["config"]),
        "--broker", str(where["broker"]),
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    archive = Path(made.stdout.strip().removeprefix("backup written: "))
    assert archive.parent == out and archive.name.startswith(f"store-assist-{STORE}-"), archive
    assert archive.name.endswith("Z.tar.gz") and archive.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in out.iterdir()] == [archive.name]  # no temp file left beside it
    return archive


def test_a_backup_taken_while_the_kiosk_runs_brings_back_its_open_requests_and_the_broker(  # type: ignore[no-untyped-def]
    broker, box: Path, tmp_path: Path
) -> None:
    data = folders(box)["data"] / "kiosk"
    kiosk = headless_kiosk(broker, STORE, data)
    try:
        kiosk.send("help question")
        kiosk.send("find hammer")
        tickets = {shlex.split(kiosk.expect("ticket"))[1], shlex.split(kiosk.expect("ticket"))[1]}
        kiosk.send("feedback 4 - fine")
        kiosk.expect("feedback")
        archive = create(box, tmp_path / "backups")
    finally:
        kiosk.close()
    kept = {name: hashes(path) for name, path in folders(box).items()}

    listed = backup("list", str(archive))
    assert listed.returncode == 0, listed.stderr
    assert f"store {STORE}" in listed.stdout.splitlines()[0]
    assert f"{folders(box)['broker'] / 'passwd'}" in listed.stdout

    root = tmp_path / "new-box"
    restored = backup("restore", str(archive), "--to", str(root))
    assert restored.returncode == 0, restored.stderr
    for name, path in folders(box).items():
        assert hashes(under(root, path)) == kept[name], name
    key = under(root, folders(box)["broker"] / "server.key")
    assert key.stat().st_mode & 0o777 == (folders(box)["broker"] / "server.key").stat().st_mode & 0o777

    again = backup("restore", str(archive), "--to", str(root))
    assert again.returncode == 2 and "already holds files" in again.stderr and "--force" in again.stderr

    back = headless_kiosk(broker, STORE, under(root, data))
    try:
        back.send("list")
        assert {shlex.split(back.expect("status"))[1], shlex.split(back.expect("status"))[1]} == tickets
    finally:
        back.close()


def test_a_damaged_archive_is_refused_and_nothing_is_written(box: Path, tmp_path: Path) -> None:
    archive = create(box, tmp_path / "backups")
    whole = archive.read_bytes()
    for at in (len(whole) // 2, len(whole) - 12, len(whole) - 6):  # in the files; in the padding; the CRC
        damaged = tmp_path / f"damaged-{at}.tar.gz"
        flipped = bytearray(whole)
        flipped[at] ^= 0x01
        damaged.write_bytes(bytes(flipped))
        root = tmp_path / f"root-{at}"
        refused = backup("restore", str(damaged), "--to", str(root))
        assert refused.returncode == 2 and "damaged" in refused.stderr, refused.stderr
        assert not root.exists()
        assert backup("list", str(damaged)).returncode == 2


def test_an_archive_whose_file_does_not_match_its_manifest_is_refused(box: Path, tmp_path: Path) -> None:
    """Well-formed gzip and tar, one file altered: only the manifest's SHA-256 can tell."""
    archive = create(box, tmp_path / "backups")
    altered = tmp_path / "altered.tar.gz"
    with tarfile.open(archive, "r:gz") as source, tarfile.open(altered, "w:gz") as target:
        for member in source:
            content = source.extractfile(member).read() if member.isfile() else None  # type: ignore[union-attr]
            if member.name.endswith("/acl"):
                content = content.replace(b"read", b"readwrite", 1)  # type: ignore[union-attr]
                member.size = len(content)
            target.addfile(member, None if content is None else io.BytesIO(content))
    root = tmp_path / "root"
    refused = backup("restore", str(altered), "--to", str(root))
    assert refused.returncode == 2 and "acl does not match its SHA-256" in refused.stderr, refused.stderr
    assert not root.exists()


def test_the_production_broker_starts_from_a_restored_folder_and_takes_the_restored_passwords(
    box: Path, tmp_path: Path
) -> None:
    """A new box: the folders gone, the archive restored at the same paths, the broker started as written."""
    archive = create(box, tmp_path / "backups")
    broker_folder = folders(box)["broker"]
    passwords = dict(line.split() for line in (broker_folder / "passwords.txt").read_text().splitlines())
    shutil.rmtree(box / "etc")
    shutil.rmtree(box / "var")
    restored = backup("restore", str(archive), "--to", "/")
    assert restored.returncode == 0, restored.stderr
    mosquitto = Broker(STORE, broker_folder, PORTS["plain"], PORTS["tls"], passwords)
    mosquitto.start()
    try:
        pager = next(user for user in passwords if user.startswith("pager-"))
        client = Client(mosquitto, pager)
        try:
            assert client.connected_as() == "Success"
        finally:
            client.close()
        wrong = Client(mosquitto, pager, "not-the-password")
        try:
            assert wrong.connected_as() != "Success"
        finally:
            wrong.close()
    finally:
        mosquitto.stop()


def test_restore_with_force_writes_over_a_box_that_holds_files(box: Path, tmp_path: Path) -> None:
    archive = create(box, tmp_path / "backups")
    config = under(tmp_path / "root", folders(box)["config"])
    config.mkdir(parents=True)
    (config / "store.toml").write_text('[store]\nid = "someone-else"\n')
    (config / "local.toml").write_text("# kept\n")
    refused = backup("restore", str(archive), "--to", str(tmp_path / "root"))
    assert refused.returncode == 2 and str(config) in refused.stderr
    assert (config / "store.toml").read_text() == '[store]\nid = "someone-else"\n'
    forced = backup("restore", str(archive), "--to", str(tmp_path / "root"), "--force")
    assert forced.returncode == 0, forced.stderr
    assert (config / "store.toml").read_text() == (folders(box)["config"] / "store.toml").read_text()
    assert (config / "local.toml").read_text() == "# kept\n"  # a file the archive does not have is left alone


def test_a_file_replaced_while_the_backup_reads_it_goes_in_whole(tmp_path: Path) -> None:
    """A writer replaces a 4 MB file over and over, as the stores write (temp, rename):
    every archive holds one whole version of it, and none of the writer's temp files."""
    from adapters.atomic_file import write_atomically
    from store_server.backup import create as create_archive
    from store_server.backup import read_checked

    data = tmp_path / "data"
    data.mkdir()
    busy = data / "requests.json"
    write_atomically(busy, b"a" * (4 << 20))
    stop, versions = threading.Event(), [b"a"]

    def writer() -> None:
        while not stop.is_set():
            versions.append(bytes([97 + len(versions) % 26]))
            write_atomically(busy, versions[-1] * (4 << 20))

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    try:
        made = [
            create_archive(tmp_path / f"out-{n}", [data], "busy", datetime(2026, 1, 1, tzinfo=UTC), lambda _line: None)
            for n in range(5)
        ]
    finally:
        stop.set()
        thread.join(10)
    assert len(versions) > 5, "the writer did not run during the backups"
    for archive in made:
        [entry] = [e for e in read_checked(archive)["entries"] if e["kind"] == "file"]
        assert entry["path"].endswith("data/requests.json")  # no temp file of the writer's
        with tarfile.open(archive, "r:gz") as opened:
            content = opened.extractfile(entry["path"]).read()  # type: ignore[union-attr]
        assert len(content) == 4 << 20 and len(set(content)) == 1, "half of one version and half of another"


def test_a_default_folder_the_box_lacks_is_left_out_and_a_named_one_must_be_there(monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from store_server import backup as module

    (tmp_path / "data").mkdir()
    monkeypatch.setattr(module, "DEFAULT_DATA_DIRS", (str(tmp_path / "data"),))
    monkeypatch.setattr(module, "DEFAULT_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setattr(module, "DEFAULT_BROKER_DIR", str(tmp_path / "no-broker-on-a-kiosk-box"))
    assert module.chosen_sources(None, None, None) == [tmp_path / "data"]
    assert module.main(["create", "--out", str(tmp_path / "out"), "--broker", str(tmp_path / "absent")]) == 2
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
    nested = module.create(tmp_path / "twice", [tmp_path, tmp_path / "data", tmp_path], "s", datetime.now(UTC), print)
    assert module.read_checked(nested)["sources"] == [tmp_path.as_posix()]  # each file in once
    monkeypatch.setattr(module, "DEFAULT_DATA_DIRS", (str(tmp_path / "gone"),))
    with pytest.raises(module.BackupError, match="nothing to back up"):
        module.chosen_sources(None, None, None)
