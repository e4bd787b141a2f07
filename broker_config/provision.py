"""Set up a store's production Mosquitto: device users, per-role ACLs, TLS.

    python3 broker_config/provision.py --store amsterdam-01 --hostname store-broker.local \\
        kiosk:kiosk-1 floor:pager-anna returns:pager-rob manager:manager-mia recorder:recorder web:web

Writes into --out (default /etc/mosquitto/store-assist; created if needed;
nothing outside it):

- `passwd`        Mosquitto password file (hashed with `mosquitto_passwd`);
- `acl`           one block per device, from its role (see ROLE_RULES);
- `passwords.txt` the generated password of each new device (mode 0600: hand
                  each to its device as STORE_ASSIST_MQTT_PASSWORD, then delete);
- `ca.crt`, `ca.key`, `server.crt`, `server.key`  a store CA and the broker's
                  TLS certificate (openssl), unless they exist already;
- `web.crt`, `web.key` the web service's HTTPS certificate, signed by the same
                  CA, for --web-hostname (or --hostname when a web device is
                  added), unless it exists already (key mode 0640);
- `mosquitto.conf` broker_config/production.conf with the paths and listeners
                  filled in;
- `data/`, `log/` the broker's persistence and its log file.

Listeners: plain MQTT on 127.0.0.1:1883 for services on the box, TLS on port
8883 of every interface for the store's devices; --plain-port, --plain-bind,
--tls-port and --tls-bind move them, and plain MQTT reaches the store network
only with --plain-on-network.

Run it again with more devices to add them: existing passwords are kept,
existing certificates are reused. Touches --out and runs mosquitto_passwd and
openssl. Standard library only, so it runs on the broker box without the app.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import pwd
import re
import secrets
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

# What each role may do, as Mosquitto ACL lines. {s}: store id, {d}: device id
# (= MQTT username = client id: the production config sets
# use_username_as_clientid, so a device cannot pose as another one).
# Presence is the same rule for every device, so it is one %u pattern (see
# write_acl); everything else differs by role, hence a block per device: a
# pattern such as `write store/+/requests/%u/+/state` would let a pager write
# fake request states under its own name, which pagers then show.
_PRESENCE = ["topic read store/{s}/devices/+"]
_PAGER = [
    "topic read store/{s}/requests/+/+/state",
    "topic write store/{s}/requests/+/+/action",
    "topic read store/{s}/alerts/+",
    "topic read store/{s}/printers/+",
    # The start-of-shift self test: every kiosk's test alert, and this pager's own acknowledgement.
    "topic read store/{s}/selftest/+",
    "topic write store/{s}/selftest/+/ack/{d}",
    *_PRESENCE,
]
ROLE_RULES = {
    # A kiosk owns its requests: it writes their states and their shoppers'
    # phone tokens, reads actions on them, publishes feedback and alerts; it
    # can never claim or resolve anything. It reads every kiosk's tokens, to
    # know a ticket link scanned at exit that another entrance printed.
    "kiosk": [
        "topic write store/{s}/requests/{d}/+/state",
        "topic write store/{s}/requests/{d}/+/token",
        "topic read store/{s}/requests/+/+/token",
        "topic read store/{s}/requests/{d}/+/action",
        "topic write store/{s}/feedback/{d}",
        "topic write store/{s}/alerts/{d}",
        "topic write store/{s}/unhappy/{d}",
        "topic write store/{s}/printers/{d}",
        "topic write store/{s}/searches/{d}",
        # Its self test: the alert (and its own copy back, which shows the broker works),
        # the pagers' acknowledgements, and the result for the managers.
        "topic write store/{s}/selftest/{d}",
        "topic read store/{s}/selftest/{d}",
        "topic read store/{s}/selftest/{d}/ack/+",
        "topic write store/{s}/selftest/{d}/result",
        *_PRESENCE,
    ],
    # Pagers ask (actions) and follow (states, alerts); they cannot write a
    # state or feedback. Managers also read feedback and unhappy shoppers'
    # contact details, which no other pager may receive, and the recorder's
    # figures and rule alerts for them.
    "floor": _PAGER,
    "returns": _PAGER,
    "pager": _PAGER,
    "manager": [
        *_PAGER,
        "topic read store/{s}/feedback/+",
        "topic read store/{s}/unhappy/+",
        "topic read store/{s}/managers/+",
        "topic read store/{s}/selftest/+/result",
    ],
    # The store's recorder (store server) reads everything of the store that
    # goes in the record and writes only the managers' figures and rule
    # alerts: it can neither act on a request nor pose as a kiosk. It alone
    # reads what shoppers searched for.
    "recorder": [
        "topic read store/{s}/requests/+/+/state",
        "topic read store/{s}/feedback/+",
        "topic read store/{s}/alerts/+",
        "topic read store/{s}/unhappy/+",
        "topic read store/{s}/searches/+",
        "topic read store/{s}/printers/+",
        "topic write store/{s}/managers/figures",
        "topic write store/{s}/managers/alerts",
        *_PRESENCE,
    ],
    # The store's web service (docs/web.md): the staff pager and the shoppers'
    # ticket pages in the browser. It follows the store as a manager's pager
    # does (it hands unhappy shoppers and figures to manager sessions only) and
    # reads the phone tokens, which no pager and no recorder may; it asks the
    # owning kiosk for staff actions and shoppers' cancels (with their token)
    # and publishes only the faces given on ticket pages, as its own feedback.
    # It can write no state, no token and no kiosk's feedback.
    "web": [
        "topic read store/{s}/requests/+/+/state",
        "topic read store/{s}/requests/+/+/token",
        "topic write store/{s}/requests/+/+/action",
        "topic read store/{s}/alerts/+",
        "topic read store/{s}/printers/+",
        "topic read store/{s}/unhappy/+",
        "topic read store/{s}/managers/+",
        "topic write store/{s}/feedback/{d}",
        *_PRESENCE,
    ],
}


def fail(message: str) -> None:
    print(f"provision: {message}", file=sys.stderr)
    raise SystemExit(2)


def parse_devices(specs: list[str]) -> list[tuple[str, str]]:
    devices = []
    for spec in specs:
        role, _, device = spec.partition(":")
        if role not in ROLE_RULES:
            fail(f"{spec!r}: role must be one of {', '.join(ROLE_RULES)}")
        if not ID.match(device):
            fail(f"{spec!r}: device id must be 1-64 letters, digits, '-' or '_'")
        devices.append((role, device))
    if len({d for _r, d in devices}) != len(devices):
        fail("each device id may appear once")
    return devices


def write_acl(out: Path, store: str, devices: list[tuple[str, str]]) -> None:
    lines = [
        "# Generated by broker_config/provision.py: one block per device, by role.",
        "# Every device announces its own presence (username = client id = device id).",
        f"pattern readwrite store/{store}/devices/%u",
        "",
    ]
    previous = out / "acl"
    kept = read_acl_roles(previous) if previous.exists() else {}
    kept.update({device: role for role, device in devices})
    for device, role in sorted(kept.items()):
        lines += [f"# role: {role}", f"user {device}"]
        lines += [rule.format(s=store, d=device) for rule in ROLE_RULES[role]]
        lines.append("")
    previous.write_text("\n".join(lines))


def read_acl_roles(path: Path) -> dict[str, str]:
    roles, role = {}, ""
    for line in path.read_text().splitlines():
        if line.startswith("# role: "):
            role = line.removeprefix("# role: ").strip()
        elif line.startswith("user ") and role:
            roles[line.removeprefix("user ").strip()] = role
    return roles


def add_passwords(out: Path, devices: list[tuple[str, str]]) -> list[tuple[str, str]]:
    passwd = out / "passwd"
    known = {line.split(":", 1)[0] for line in passwd.read_text().splitlines()} if passwd.exists() else set()
    created = []
    passwd.touch(mode=0o600)  # Mosquitto will not start without the file, even with no devices yet
    for _role, device in devices:
        if device in known:
            continue
        password = secrets.token_urlsafe(18)
        subprocess.run(["mosquitto_passwd", "-b", str(passwd), device, password], check=True)
        created.append((device, password))
    if created:
        with open(out / "passwords.txt", "a", encoding="utf-8", opener=lambda p, f: os.open(p, f, 0o600)) as sheet:
            for device, password in created:
                sheet.write(f"{device} {password}\n")
    return created


def make_certificates(out: Path, hostname: str, web_hostname: str | None = None) -> str:
    """A store CA and the broker's certificate, unless they exist; with
    `web_hostname`, the web service's certificate too (web.crt, web.key),
    signed by the same CA, unless it exists. What happened to web.crt, in words."""
    ssl = ["openssl"]
    run = lambda *args: subprocess.run([*ssl, *args], check=True, capture_output=True)  # noqa: E731
    if not (out / "server.crt").exists():
        run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "3650", "-subj", "/CN=Store Assist store CA",
            "-keyout", str(out / "ca.key"), "-out", str(out / "ca.crt"))  # fmt: skip
        (out / "ca.key").chmod(0o600)
        issue_certificate(out, "server", hostname, run)
        (out / "server.key").chmod(0o600)
    if not web_hostname:
        return ""
    if (out / "web.crt").exists():
        return f"{out / 'web.crt'} (kept; delete web.crt and web.key to make it for another name)"
    if not (out / "ca.key").exists():
        fail(f"cannot sign web.crt: the store CA's key {out / 'ca.key'} is missing")
    issue_certificate(out, "web", web_hostname, run)
    # Read by the web service, which runs as its own user: give the key to its group (README).
    (out / "web.key").chmod(0o640)
    return f"{out / 'web.crt'} (for {web_hostname})"


def issue_certificate(out: Path, name: str, hostname: str, run: Callable[..., object]) -> None:
    """`<name>.crt` and `<name>.key`: a TLS server certificate for `hostname` (and
    this box's loopback) signed by the store CA. Browsers and Android want the
    name in subjectAltName and the server use in extendedKeyUsage."""
    names = dict.fromkeys([alt_name(hostname), "DNS:localhost", "IP:127.0.0.1"])
    run("req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={hostname}",
        "-keyout", str(out / f"{name}.key"), "-out", str(out / f"{name}.csr"))  # fmt: skip
    extensions = out / f"{name}.ext"
    extensions.write_text(
        f"subjectAltName={','.join(names)}\nbasicConstraints=CA:FALSE\n"
        "keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n"
    )
    run("x509", "-req", "-in", str(out / f"{name}.csr"), "-CA", str(out / "ca.crt"), "-CAkey", str(out / "ca.key"),
        "-CAcreateserial", "-days", "825", "-extfile", str(extensions), "-out", str(out / f"{name}.crt"))  # fmt: skip
    for leftover in (f"{name}.csr", f"{name}.ext", "ca.srl"):
        (out / leftover).unlink(missing_ok=True)


def alt_name(hostname: str) -> str:
    """`IP:…` for an address (a phone may reach the service by one), `DNS:…` for a name."""
    try:
        return f"IP:{ipaddress.ip_address(hostname)}"
    except ValueError:
        return f"DNS:{hostname}"


LOG_FILE = "log/mosquitto.log"
EVERY_INTERFACE = ""  # a `listener` line without an address: every IPv4 and IPv6 interface


def listener_line(port: int, bind: str) -> str:
    return f"listener {port} {bind}".rstrip()


def where(port: int, bind: str) -> str:
    return f"port {port} of every interface" if bind == EVERY_INTERFACE else f"{bind}:{port}"


def is_loopback(bind: str) -> bool:
    if bind == "localhost":
        return True
    try:
        return ipaddress.ip_address(bind).is_loopback
    except ValueError:
        return False  # a host name (or every interface): assume the network


def write_config(out: Path, plain: tuple[int, str], tls: tuple[int, str]) -> None:
    text = (HERE / "production.conf").read_text()
    values = {
        "DIR": str(out),
        "LOG": str(out / LOG_FILE),
        "PLAIN_LISTENER": listener_line(*plain),
        "TLS_LISTENER": listener_line(*tls),
    }
    for name, value in values.items():
        text = text.replace(f"@{name}@", value)
    left = re.search(r"@[A-Z_]+@", text)
    if left:
        raise AssertionError(f"production.conf: placeholder {left.group()} is not filled in")
    (out / "mosquitto.conf").write_text(text)
    for folder in ("data", "log"):
        (out / folder).mkdir(mode=0o750, exist_ok=True)


def mosquitto_user() -> pwd.struct_passwd | None:
    """The user Mosquitto drops to when started as root (None: it keeps ours)."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam("mosquitto")
    except KeyError:
        return None


def check_reachable(out: Path, user: pwd.struct_passwd | None) -> None:
    """Mosquitto started as root reads its files and writes its data only after
    dropping to the mosquitto user: every folder above --out must let it in."""
    if user is None:
        return
    for folder in [*reversed(out.resolve().parents)]:
        info = folder.stat()
        mode = info.st_mode
        if not (mode & 0o001 or info.st_uid == user.pw_uid or (info.st_gid == user.pw_gid and mode & 0o010)):
            fail(f"--out {out}: the mosquitto user cannot enter {folder} (mode {mode & 0o777:o})")


def hand_to_mosquitto_user(out: Path, user: pwd.struct_passwd | None) -> None:
    """Give the mosquitto user what the broker reads and writes, and nothing it
    could use to change how root starts it: the folder, mosquitto.conf and the
    CA's key stay root's. Without write access to data/ no session is saved, and
    Mosquitto says so only when it stops ("Error: Permission denied.")."""
    if user is None:
        return
    read = {"passwd": 0o640, "acl": 0o640, "server.key": 0o640, "server.crt": 0o644, "ca.crt": 0o644}
    for name, mode in read.items():
        os.chown(out / name, 0, user.pw_gid)
        (out / name).chmod(mode)
    for name in ("mosquitto.conf", "ca.key", "passwords.txt"):
        if (out / name).exists():
            os.chown(out / name, 0, 0)
    os.chown(out, 0, 0)
    out.chmod(0o755)
    for folder in ("data", "log"):
        for path in [out / folder, *(out / folder).rglob("*")]:
            os.chown(path, user.pw_uid, user.pw_gid)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="provision.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", required=True, help="store id (first level under store/)")
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("/etc/mosquitto/store-assist"),
        help="folder for the config and everything it uses (default %(default)s)",
    )
    parser.add_argument("--hostname", default="store-broker", help="the broker's name on the store network (TLS)")
    parser.add_argument(
        "--web-hostname",
        metavar="NAME",
        help="make the web service's TLS certificate (web.crt, web.key) for this name; "
        "made anyway, for --hostname, when a web device is added",
    )
    parser.add_argument("--tls-port", type=int, default=8883, help="TLS port for the store's devices (%(default)s)")
    parser.add_argument(
        "--tls-bind",
        default=EVERY_INTERFACE,
        metavar="ADDRESS",
        help="TLS listener's address (default: every interface)",
    )
    parser.add_argument("--plain-port", type=int, default=1883, help="plain MQTT port (%(default)s)")
    parser.add_argument(
        "--plain-bind", metavar="ADDRESS", help="plain MQTT listener's address (default 127.0.0.1: this box only)"
    )
    parser.add_argument(
        "--plain-on-network",
        action="store_true",
        help="open plain MQTT to the store network (every interface, or --plain-bind): devices' passwords and "
        "shoppers' contact details then cross the network in clear",
    )
    parser.add_argument("devices", nargs="*", metavar="ROLE:DEVICE", help=f"roles: {', '.join(ROLE_RULES)}")
    args = parser.parse_args(argv)
    if not ID.match(args.store):
        fail(f"--store {args.store!r}: 1-64 letters, digits, '-' or '_'")
    plain_bind = args.plain_bind
    if plain_bind is None:
        plain_bind = EVERY_INTERFACE if args.plain_on_network else "127.0.0.1"
    if not is_loopback(plain_bind) and not args.plain_on_network:
        fail(
            f"--plain-bind {plain_bind!r} would carry passwords in clear on the store network; "
            "add --plain-on-network if that is what the store wants"
        )
    for name in ("plain_port", "tls_port"):
        if not 1 <= getattr(args, name) <= 65535:
            fail(f"--{name.replace('_', '-')} {getattr(args, name)}: expected 1-65535")
    if args.plain_port == args.tls_port:
        fail(f"--plain-port and --tls-port are both {args.plain_port}")
    devices = parse_devices(args.devices)
    for tool in ("mosquitto_passwd", "openssl"):
        if not shutil.which(tool):
            fail(f"{tool} is not installed (apt-get install mosquitto openssl)")
    user = mosquitto_user()
    args.out.mkdir(parents=True, exist_ok=True)
    args.out = args.out.resolve()
    check_reachable(args.out, user)
    write_acl(args.out, args.store, devices)
    created = add_passwords(args.out, devices)
    adds_web = any(role == "web" for role, _device in devices)
    web_hostname = args.web_hostname or (args.hostname if adds_web else None)
    web_certificate = make_certificates(args.out, args.hostname, web_hostname)
    write_config(args.out, (args.plain_port, plain_bind), (args.tls_port, args.tls_bind))
    hand_to_mosquitto_user(args.out, user)
    for device, _password in created:
        print(f"added {device}")
    plain_for = "the store network, in clear" if args.plain_on_network else "services on this box"
    print(f"plain MQTT: {where(args.plain_port, plain_bind)} ({plain_for})")
    print(f"TLS (mqtts://{args.hostname}:{args.tls_port}): {where(args.tls_port, args.tls_bind)}")
    print(f"passwords of new devices: {args.out / 'passwords.txt'}")
    if web_certificate:
        print(f"web service certificate: {web_certificate}")
    print(f"broker log: {args.out / LOG_FILE}")
    print(f"start the broker: mosquitto -c {args.out / 'mosquitto.conf'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
