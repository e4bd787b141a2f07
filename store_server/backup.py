"""Back up a store box into one dated archive, and put it back on a new box.

    python -m store_server.backup create --out DIR [--data DIR ...] [--config DIR] [--broker DIR] [--store ID]
    python -m store_server.backup restore ARCHIVE --to ROOT [--force]
    python -m store_server.backup list ARCHIVE

`create` writes `store-assist-<store>-<UTC timestamp>.tar.gz` into --out: the
data folders (kiosk data, the recorder's record, the web service's accounts and
sessions), the config folder and the broker's provisioned folder (passwords,
ACL, CA, certificates and keys), each file under its absolute path, and a
manifest with every file's size and SHA-256. The archive holds secrets, so it
is mode 0600; it is written under a temp name, fsynced and renamed, so --out
never holds half an archive.

The services may keep running: every store writes a file whole (temp file,
then rename), so each file is read through one open handle and goes in as the
whole version there when it was opened. A file replaced while being read goes
in as the version before the replace (the next backup has the new one); one
removed between listing and opening is left out and named on the terminal;
temp files of writes in progress (`.<name>.<random>.tmp`) are never copied.

`restore` first checks every file against the manifest (a damaged or altered
archive is refused, nothing written), refuses a folder that holds files unless
--force, then puts each file back (temp, fsync, rename) at its path under --to
with its mode, and its owner when run as root.

Touches only the folders it is told (or the defaults below) and --out / --to.
"""

from __future__ import annotations

import argparse
import grp
import gzip
import hashlib
import io
import json
import os
import pwd
import sys
import tarfile
import tempfile
import tomllib
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from adapters.atomic_file import TEMP_SUFFIX, fsync_dir

# Where the installer puts things on a store box (one place: the installer and the docs say the same).
DEFAULT_DATA_DIRS = ("/var/lib/store-assist",)
DEFAULT_CONFIG_DIR = "/etc/store-assist"
DEFAULT_BROKER_DIR = "/etc/mosquitto/store-assist"
STORE_CONFIG_FILES = ("store.toml", "kiosk.toml", "web.toml")  # in the config folder: where the store id is read

MANIFEST = "store-assist-manifest.json"
FORMAT = 1
CHUNK = 1 << 20


class BackupError(Exception):
    """Something the person running the command must hear about; nothing was changed."""


@dataclass(frozen=True)
class Entry:
    path: str  # inside the archive: the absolute path without its leading "/"
    kind: str  # "file" or "dir"
    mode: int
    owner: str
    group: str
    size: int = 0
    sha256: str = ""


def _name_of(uid: int, group: bool = False) -> str:
    try:
        return grp.getgrgid(uid).gr_name if group else pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def _entry(path: Path, kind: str, size: int = 0, sha256: str = "", stat: os.stat_result | None = None) -> Entry:
    stat = stat or path.stat()
    return Entry(
        path.as_posix().lstrip("/"),
        kind,
        stat.st_mode & 0o7777,
        _name_of(stat.st_uid),
        _name_of(stat.st_gid, group=True),
        size,
        sha256,
    )


def store_id_from(config_dir: Path) -> str:
    """The store id of the box's config, for the archive's name; "store" when none says."""
    for name in STORE_CONFIG_FILES:
        try:
            found = tomllib.loads((config_dir / name).read_text(encoding="utf-8")).get("store", {}).get("id")
        except (OSError, tomllib.TOMLDecodeError):
            continue
        if isinstance(found, str) and found:
            return found
    return "store"


# -- create -----------------------------------------------------------------------


def _add_file(archive: tarfile.TarFile, path: Path) -> Entry | None:
    """Copy one file whole through one open handle; None when it is gone already."""
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below, after the stat of this very file
    except FileNotFoundError:
        return None
    with handle, tempfile.SpooledTemporaryFile(max_size=8 * CHUNK) as spool:
        stat = os.fstat(handle.fileno())
        digest = hashlib.sha256()
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            spool.write(chunk)
        size = spool.tell()
        spool.seek(0)
        entry = _entry(path, "file", size, digest.hexdigest(), stat)
        info = tarfile.TarInfo(entry.path)
        info.size, info.mode, info.mtime = size, entry.mode, int(stat.st_mtime)
        info.uname, info.gname = entry.owner, entry.group
        archive.addfile(info, spool)
    return entry


def _add_tree(archive: tarfile.TarFile, top: Path, say) -> list[Entry]:  # type: ignore[no-untyped-def]
    entries = []
    for folder, dirs, files in os.walk(top):
        dirs.sort()
        here = Path(folder)
        entries.append(_entry(here, "dir"))
        info = tarfile.TarInfo(entries[-1].path)
        info.type, info.mode = tarfile.DIRTYPE, entries[-1].mode
        info.uname, info.gname = entries[-1].owner, entries[-1].group
        archive.addfile(info)
        for name in sorted(files):
            path = here / name
            if name.startswith(".") and name.endswith(TEMP_SUFFIX):
                continue  # a write in progress: its file is whole once renamed, and copied then
            if path.is_symlink() or not path.is_file():
                say(f"skipped {path}: not a regular file")
                continue
            entry = _add_file(archive, path)
            if entry is None:
                say(f"skipped {path}: removed while the backup ran")
            else:
                entries.append(entry)
    return entries


def create(out: Path, sources: list[Path], store: str, now: datetime, say) -> Path:  # type: ignore[no-untyped-def]
    """Write the archive of `sources` into `out`; its path."""
    # A folder inside another one (or named twice) goes in once, with the outer one.
    kept: list[Path] = []
    for folder in (Path(os.path.abspath(s)) for s in sources):
        if not any(outer == folder or outer in folder.parents for outer in kept):
            kept = [inner for inner in kept if folder not in inner.parents] + [folder]
    sources = kept
    missing = [str(s) for s in sources if not s.is_dir()]
    if missing:
        raise BackupError(f"not a folder: {', '.join(missing)}")
    out.mkdir(parents=True, exist_ok=True)
    final = out / f"store-assist-{store}-{now.astimezone(UTC):%Y%m%dT%H%M%SZ}.tar.gz"
    if final.exists():
        raise BackupError(f"{final} exists already")
    fd, temp_name = tempfile.mkstemp(prefix=f".{final.name}.", suffix=TEMP_SUFFIX, dir=out)
    temp = Path(temp_name)
    try:
        os.fchmod(fd, 0o600)  # passwords and keys inside
        with os.fdopen(fd, "wb") as raw:
            with tarfile.open(fileobj=raw, mode="w:gz") as archive:
                entries = [entry for top in sources for entry in _add_tree(archive, top, say)]
                manifest = {
                    "format": FORMAT,
                    "store": store,
                    "created": now.astimezone(UTC).isoformat(),
                    "sources": [s.as_posix() for s in sources],
                    "entries": [entry.__dict__ for entry in entries],
                }
                payload = json.dumps(manifest, indent=1).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mode, info.mtime = len(payload), 0o600, int(now.timestamp())
                archive.addfile(info, io.BytesIO(payload))
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(temp, final)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    fsync_dir(out)
    return final


# -- read and check -------------------------------------------------------------------


def _safe(name: str) -> bool:
    parts = PurePosixPath(name).parts
    return bool(parts) and not name.startswith("/") and ".." not in parts


def _members(archive_path: Path, take) -> bytes | None:  # type: ignore[no-untyped-def]
    """Read the archive to its very end, handing each file but the manifest to
    `take(member, stream)`; the manifest's bytes. BackupError when it cannot be read."""
    manifest_bytes = None
    try:
        # gzip read by hand and to its very end: tarfile stops at the end-of-archive block,
        # and the gzip CRC after it (which catches a flip in the padding) would go unchecked.
        with gzip.open(archive_path, "rb") as unzipped, tarfile.open(fileobj=unzipped, mode="r|") as archive:
            for member in archive:
                if not _safe(member.name):
                    raise BackupError(f"{archive_path} is refused: it names a path outside its folders: {member.name}")
                if member.isfile():
                    stream = archive.extractfile(member)
                    if member.name == MANIFEST:
                        manifest_bytes = stream.read()  # type: ignore[union-attr]
                    else:
                        take(member, stream)
                elif not member.isdir():
                    raise BackupError(f"{archive_path} is refused: {member.name} is neither a file nor a folder")
            while unzipped.read(CHUNK):
                pass
    except FileNotFoundError:
        raise BackupError(f"no such archive: {archive_path}") from None
    except PermissionError as exc:
        raise BackupError(f"cannot read {archive_path}: {exc.strerror}") from None
    except (tarfile.TarError, zlib.error, EOFError, gzip.BadGzipFile) as exc:
        raise BackupError(f"{archive_path} is damaged and was not restored ({exc})") from None
    return manifest_bytes


def _copy_hashing(stream, into=None) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    digest, size = hashlib.sha256(), 0
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
        if into is not None:
            into.write(chunk)
    return size, digest.hexdigest()


def read_checked(archive_path: Path) -> dict:
    """The manifest, once every file of the archive matches it; BackupError otherwise."""
    found: dict[str, tuple[int, str]] = {}
    manifest_bytes = _members(archive_path, lambda member, stream: found.update({member.name: _copy_hashing(stream)}))
    if manifest_bytes is None:
        raise BackupError(f"{archive_path} is damaged or not a Store Assist backup: it has no manifest")
    try:
        manifest = json.loads(manifest_bytes)
        entries = [Entry(**raw) for raw in manifest["entries"]]
        sources = [str(source) for source in manifest["sources"]]
    except (ValueError, KeyError, TypeError) as exc:
        raise BackupError(f"{archive_path} is damaged: its manifest cannot be read ({exc})") from None
    if not all(_safe(entry.path) for entry in entries) or not all(_safe(s.lstrip("/")) for s in sources):
        raise BackupError(f"{archive_path} is refused: its manifest names a path outside its folders")
    files = {entry.path: entry for entry in entries if entry.kind == "file"}
    if set(files) != set(found):
        odd = sorted(set(files) ^ set(found))
        raise BackupError(f"{archive_path} is damaged: files and manifest disagree on {', '.join(odd[:5])}")
    for path, entry in files.items():
        if found[path] != (entry.size, entry.sha256):
            raise BackupError(f"{archive_path} is damaged: /{path} does not match its SHA-256 in the manifest")
    return manifest


# -- restore --------------------------------------------------------------------------


def _owner_ids(entry: Entry) -> tuple[int, int] | None:
    try:
        return pwd.getpwnam(entry.owner).pw_uid, grp.getgrnam(entry.group).gr_gid
    except KeyError:
        return None  # that user is not on this box (yet): the file stays root's


def restore(archive_path: Path, root: Path, force: bool = False) -> list[Path]:
    """Put every folder and file of the archive back under `root`; the files written.

    Two reads: the first checks every file (nothing is written before it has);
    the second writes each file to a temp name beside its place, and only once
    all are there and match again are they renamed into place."""
    manifest = read_checked(archive_path)
    entries = {raw["path"]: Entry(**raw) for raw in manifest["entries"]}
    targets = [root / source.lstrip("/") for source in manifest["sources"]]
    occupied = [str(t) for t in targets if t.is_dir() and any(t.iterdir())]
    if occupied and not force:
        raise BackupError(f"not restored: {', '.join(occupied)} already holds files (--force writes over them)")
    as_root = os.geteuid() == 0
    for entry in entries.values():  # folders come before the files in them
        if entry.kind == "dir":
            (root / entry.path).mkdir(parents=True, exist_ok=True)
            (root / entry.path).chmod(entry.mode)
    temps: dict[Path, Path] = {}

    def take(member: tarfile.TarInfo, stream) -> None:  # type: ignore[no-untyped-def]
        entry, target = entries[member.name], root / member.name
        if target in temps:
            raise BackupError(f"{archive_path} is damaged: it holds /{member.name} twice; nothing replaced")
        fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=TEMP_SUFFIX, dir=target.parent)
        temps[target] = Path(temp_name)
        os.fchmod(fd, entry.mode)
        with os.fdopen(fd, "wb") as handle:
            if _copy_hashing(stream, handle) != (entry.size, entry.sha256):
                raise BackupError(f"{archive_path} changed while it was restored: /{member.name}; nothing replaced")
            handle.flush()
            os.fsync(handle.fileno())

    try:
        _members(archive_path, take)
    except BaseException:
        for temp in temps.values():
            temp.unlink(missing_ok=True)
        raise
    for target, temp in temps.items():
        os.replace(temp, target)
    for path, entry in entries.items():
        if as_root and (ids := _owner_ids(entry)):
            os.chown(root / path, *ids)
    for folder in {target.parent for target in temps}:
        fsync_dir(folder)
    return list(temps)


# -- command --------------------------------------------------------------------------


def listing(archive_path: Path) -> list[str]:
    """What `list` prints: a heading, then one line per file."""
    manifest = read_checked(archive_path)
    lines = [f"store {manifest['store']}, made {manifest['created']}, from {' '.join(manifest['sources'])}"]
    for raw in manifest["entries"]:
        entry = Entry(**raw)
        if entry.kind == "file":
            lines.append(
                f"{entry.mode:04o} {entry.owner}:{entry.group} {entry.size:>10} {entry.sha256[:16]} /{entry.path}"
            )
    return lines


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="store-assist-backup", description=__doc__.split("\n\n")[0])
    commands = top.add_subparsers(dest="command", required=True)
    make = commands.add_parser("create", help="write a dated archive of data, config and broker folder")
    make.add_argument("--out", required=True, type=Path, help="folder the archive goes into")
    make.add_argument("--data", action="append", type=Path, help=f"a data folder (default {DEFAULT_DATA_DIRS})")
    make.add_argument("--config", type=Path, help=f"the config folder (default {DEFAULT_CONFIG_DIR})")
    make.add_argument("--broker", type=Path, help=f"the broker's folder (default {DEFAULT_BROKER_DIR})")
    make.add_argument("--store", help="store id for the archive's name (default: from the config folder)")
    back = commands.add_parser("restore", help="check an archive and put its files back under --to")
    back.add_argument("archive", type=Path)
    back.add_argument("--to", required=True, type=Path, help="root folder (/ on the new box)")
    back.add_argument("--force", action="store_true", help="write over folders that already hold files")
    show = commands.add_parser("list", help="check an archive and show what is inside")
    show.add_argument("archive", type=Path)
    return top


def chosen_sources(data: list[Path] | None, config: Path | None, broker: Path | None) -> list[Path]:
    """The folders named, and in place of one not named its default when this box has it
    (a kiosk box has no broker folder); a folder named must be there."""
    sources: list[Path] = []
    for named, defaults in ((data, DEFAULT_DATA_DIRS), (config, [DEFAULT_CONFIG_DIR]), (broker, [DEFAULT_BROKER_DIR])):
        if named:
            sources += named if isinstance(named, list) else [named]
        else:
            sources += [Path(folder) for folder in defaults if Path(folder).is_dir()]
    if not sources:
        raise BackupError("nothing to back up: none of the default folders is on this box (--data, --config, --broker)")
    return sources


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        if args.command == "create":
            sources = chosen_sources(args.data, args.config, args.broker)
            store = args.store or store_id_from(args.config or Path(DEFAULT_CONFIG_DIR))
            made = create(args.out, sources, store, datetime.now(UTC), lambda line: print(line, file=sys.stderr))
            print(f"backup written: {made}")
        elif args.command == "restore":
            written = restore(args.archive, args.to, args.force)
            print(f"restored {len(written)} files under {args.to}")
        else:
            print("\n".join(listing(args.archive)))
    except BackupError as exc:
        print(f"store-assist-backup: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
