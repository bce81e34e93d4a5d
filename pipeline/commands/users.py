"""`wallboard users add NAME --role ROLE --config FILE`, `wallboard users remove NAME
--config FILE` and `wallboard users list`: people who may sign in to the dashboard,
stored in the config with argon2id hashes. Removal also ends the user's sessions."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

import redis

from pipeline.access.cli_support import (
    access_keys,
    add_redis_arguments,
    audit_config_change,
    redis_client,
)
from pipeline.access.passwords import WeakPassword, hash_password
from pipeline.access.sessions import SessionStore
from pipeline.access.users_file import UnknownUser, UserFileError, add_user, remove_user
from schemas.access import ROLES, Role
from schemas.config import ConfigError, load_settings


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("password: ")
    if first != getpass.getpass("again: "):
        msg = "the two passwords differ"
        raise WeakPassword(msg)
    return first


def _add(args: argparse.Namespace) -> int:
    role: Role = args.role
    if not args.config:
        print("error: --config FILE is required (the user is written there)", file=sys.stderr)
        return 2
    try:
        password_hash = None if args.proxy_only else hash_password(
            _read_password(args.password_stdin))
        settings = add_user(Path(args.config), args.name, role, password_hash,
                            teams=list(args.team or []), agent_id=args.agent_id)
    except (WeakPassword, UserFileError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    teams = ",".join(args.team or [])
    if audit_config_change(args, settings, f"user:{args.name}",
                           f"added role={role} teams={teams} agent={args.agent_id or ''}"):
        client = redis_client(args)
        try:
            sessions = SessionStore(client, access_keys(args, settings), 1)
            sessions.restore_user(args.name)  # in case the name was removed before
        finally:
            client.close()
    print(f"added {args.name} ({role}) to {args.config}; restart the dashboard to apply")
    return 0


def _remove(args: argparse.Namespace) -> int:
    if not args.config:
        print("error: --config FILE is required (the user is removed there)", file=sys.stderr)
        return 2
    done = f"removed {args.name} from {args.config}"
    try:
        settings = remove_user(Path(args.config), args.name)
    except UnknownUser:
        # Already gone from the file (say, a retry after Redis was down): end the sessions.
        settings = load_settings(args.config)
        done = f"{args.name} is not in {args.config}"
    except (UserFileError, ConfigError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    client = redis_client(args)
    try:
        ended = SessionStore(client, access_keys(args, settings),
                             settings.access.session_max_age_s).remove_user(args.name)
    except (redis.RedisError, OSError) as exc:
        print(f"error: {args.name} removed from {args.config}, but their sessions were NOT "
              f"ended (redis unavailable: {exc}); run the command again", file=sys.stderr)
        return 1
    finally:
        client.close()
    audit_config_change(args, settings, f"user:{args.name}",
                        f"removed; {ended} session(s) ended")
    print(f"{done}; {ended} session(s) ended")
    return 0


def _list(args: argparse.Namespace) -> int:
    try:
        settings = load_settings(args.config)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for name, user in sorted(settings.access.users.items()):
        extra = f" teams={','.join(user.teams)}" if user.teams else ""
        extra += f" agent={user.agent_id}" if user.agent_id else ""
        login = "password" if user.password_hash else "proxy only"
        print(f"{name}\t{user.role}\t{login}{extra}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("users", help="dashboard users and roles ([access.users])")
    commands = parser.add_subparsers(dest="users_command", metavar="ACTION", required=True)
    add = commands.add_parser("add", help="add a user (asks for the password)")
    add.add_argument("name", metavar="NAME", help="user name (sign-in name)")
    add.add_argument("--role", choices=ROLES, required=True)
    add.add_argument("--team", action="append", help="a team this team_lead leads (repeat)")
    add.add_argument("--agent-id", help="the agent id of an 'agent' user")
    add.add_argument("--password-stdin", action="store_true",
                     help="read the password from the first line of stdin")
    add.add_argument("--proxy-only", action="store_true",
                     help="no password: the user signs in through the trusted proxy")
    add_redis_arguments(add)
    add.set_defaults(func=_add)
    remove = commands.add_parser(
        "remove", help="remove a user and end their sessions (refused at once)")
    remove.add_argument("name", metavar="NAME", help="user name")
    add_redis_arguments(remove)
    remove.set_defaults(func=_remove)
    listing = commands.add_parser("list", help="list configured users")
    listing.add_argument("--config", required=True, help="TOML configuration")
    listing.set_defaults(func=_list)
