"""`store-assist-web accounts …`: managers keep the staff accounts of the web pager.

    store-assist-web accounts add NAME --role floor|returns|manager [--pin-stdin]
    store-assist-web accounts remove NAME
    store-assist-web accounts pin NAME [--pin-stdin]
    store-assist-web accounts unlock NAME
    store-assist-web accounts list

Touches `<web.data_dir>/accounts.json` (store_server/accounts.py), the
terminal or stdin (the PIN), stdout and stderr. Safe while the service runs:
it reads the file again when it changed; a removed account or a new PIN ends
that person's sessions at their next request.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from adapters.argon2_hash import PinHasher
from shell.web_config import WebConfig
from store_server.accounts import PIN_RULE, ROLES, AccountError, Accounts


def add_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    # --config and --data-dir may come after the command too (`accounts add … --config /etc/…`):
    # the accounts must be those the service reads. SUPPRESS keeps the service's own when not given.
    where = argparse.ArgumentParser(add_help=False)
    where.add_argument("--config", type=Path, default=argparse.SUPPRESS, help="the service's config file")
    where.add_argument("--data-dir", default=argparse.SUPPRESS, help="the service's web.data_dir")
    accounts = commands.add_parser(
        "accounts", parents=[where], help="staff accounts of the web pager (see: accounts --help)"
    )
    what = accounts.add_subparsers(dest="what", required=True, metavar="add|remove|pin|unlock|list")
    add = what.add_parser("add", parents=[where], help="a new account: asks its PIN twice")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--pin-stdin", action="store_true", help="read the PIN from one line of stdin (scripts)")
    pin = what.add_parser("pin", parents=[where], help="a new PIN (ends the account's sessions)")
    pin.add_argument("name")
    pin.add_argument("--pin-stdin", action="store_true", help="read the PIN from one line of stdin (scripts)")
    what.add_parser("remove", parents=[where], help="remove an account (ends its sessions)").add_argument("name")
    what.add_parser("unlock", parents=[where], help="end a lockout after too many wrong PINs").add_argument("name")
    what.add_parser("list", parents=[where], help="every account: name, role, locked or not")


def read_pin(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            raise AccountError("--pin-stdin: no line on stdin")
        return line.rstrip("\r\n")
    if not sys.stdin.isatty():
        raise AccountError("no terminal to ask the PIN on: give it on one line of stdin with --pin-stdin")
    first = getpass.getpass(f"PIN ({PIN_RULE}): ")
    if getpass.getpass("the same PIN again: ") != first:
        raise AccountError("the two PINs differ: nothing changed")
    return first


def run_accounts(config: WebConfig, args: argparse.Namespace) -> int:
    web = config.web
    accounts = Accounts(Path(web.data_dir), PinHasher(), web.lockout_failures, web.lockout_minutes)
    try:
        if args.what == "add":
            account = accounts.add(args.name, args.role, read_pin(args.pin_stdin))
            print(f"added {account.name} ({account.role}) to {accounts.path.resolve()}")
        elif args.what == "pin":
            account = accounts.set_pin(args.name, read_pin(args.pin_stdin))
            print(f"new PIN for {account.name}; their sessions have ended")
        elif args.what == "remove":
            account = accounts.remove(args.name)
            print(f"removed {account.name}; their sessions have ended")
        elif args.what == "unlock":
            account = accounts.unlock(args.name)
            print(f"unlocked {account.name}")
        else:
            listed = accounts.all()
            for account in listed:
                until = account.locked_until.astimezone(config.tz) if account.locked_until else None
                locked = f" locked until {until:%Y-%m-%d %H:%M} ({config.store.timezone})" if until else ""
                print(f"{account.name}\t{account.role}{locked}")
            if not listed:
                print(f"no accounts yet in {accounts.path.resolve()}", file=sys.stderr)
    except AccountError as exc:
        print(f"store-assist-web accounts: {exc}", file=sys.stderr)
        return 1
    return 0
