"""Adding a user to the TOML configuration (a `[access.users.<name>]` table appended to
the file) and removing one (that table cut out), each checked by loading the whole
result before the file is replaced."""

from __future__ import annotations

import os
import re
import tempfile
import tomllib
from pathlib import Path

from schemas.access import USER_NAME_PATTERN, Role
from schemas.config import ConfigError, Settings, parse_settings


class UserFileError(ValueError):
    """The user cannot be added (bad name, already present, or the result is invalid)."""


class UnknownUser(UserFileError):
    """The user to remove is not in the file."""


def _toml_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def user_table(
    name: str, role: Role, password_hash: str | None, teams: list[str], agent_id: str | None
) -> str:
    """The TOML text of one user."""
    lines = [f"\n[access.users.{_toml_string(name)}]", f"role = {_toml_string(role)}"]
    if password_hash is not None:
        lines.append(f"password_hash = {_toml_string(password_hash)}")
    if teams:
        lines.append("teams = [" + ", ".join(_toml_string(t) for t in teams) + "]")
    if agent_id:
        lines.append(f"agent_id = {_toml_string(agent_id)}")
    return "\n".join(lines) + "\n"


def add_user(
    path: Path,
    name: str,
    role: Role,
    password_hash: str | None,
    *,
    teams: list[str],
    agent_id: str | None,
) -> Settings:
    """Append the user to the config at `path` (created if absent); returns the new settings."""
    if not re.fullmatch(USER_NAME_PATTERN, name):
        msg = f"user name {name!r}: use 1-64 letters, digits, '_', '.', '@', '-'"
        raise UserFileError(msg)
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    try:
        current = parse_settings(tomllib.loads(text), str(path))
    except (tomllib.TOMLDecodeError, ConfigError) as exc:
        msg = f"{path}: cannot add a user to an invalid config: {exc}"
        raise UserFileError(msg) from None
    if name in current.access.users:
        msg = f"user {name!r} already exists in {path}"
        raise UserFileError(msg)
    unknown = [t for t in teams if t not in current.teams]
    if unknown and current.teams:
        msg = f"unknown team(s) {', '.join(unknown)}: not under [teams] in {path}"
        raise UserFileError(msg)
    new_text = text + ("" if text.endswith("\n") or not text else "\n")
    new_text += user_table(name, role, password_hash, teams, agent_id)
    try:
        settings = parse_settings(tomllib.loads(new_text), str(path))
    except (tomllib.TOMLDecodeError, ConfigError) as exc:
        msg = f"{path}: the user would make the config invalid: {exc}"
        raise UserFileError(msg) from None
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(new_text)
    if path.exists():
        os.chmod(temp, path.stat().st_mode & 0o777)
    os.replace(temp, path)
    return settings


def _is_user_header(line: str, name: str) -> bool:
    """`[access.users.NAME]` or `[access.users."NAME"]` (spaces allowed around dots)."""
    compact = re.sub(r"\s+", "", line.split("#", 1)[0])
    return compact in (f"[access.users.{name}]", f'[access.users."{name}"]',
                       f"[access.users.'{name}']")


def remove_user(path: Path, name: str) -> Settings:
    """Remove the user's `[access.users.<name>]` table from the config at `path`; returns
    the new settings. A user written any other way (inline table) is refused."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    try:
        current = parse_settings(tomllib.loads(text), str(path))
    except (tomllib.TOMLDecodeError, ConfigError) as exc:
        msg = f"{path}: cannot remove a user from an invalid config: {exc}"
        raise UserFileError(msg) from None
    if name not in current.access.users:
        msg = f"no user {name!r} in {path}"
        raise UnknownUser(msg)
    kept: list[str] = []
    skipping = False
    for line in text.splitlines(keepends=True):
        if line.lstrip().startswith("["):
            skipping = _is_user_header(line, name)
        if not skipping:
            kept.append(line)
    new_text = "".join(kept)
    try:
        settings = parse_settings(tomllib.loads(new_text), str(path))
    except (tomllib.TOMLDecodeError, ConfigError) as exc:
        msg = f"{path}: removing {name!r} would make the config invalid: {exc}"
        raise UserFileError(msg) from None
    if name in settings.access.users:
        msg = f"{path}: user {name!r} is not written as its own [access.users.{name}] table"
        raise UserFileError(msg)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(new_text)
    os.chmod(temp, path.stat().st_mode & 0o777)
    os.replace(temp, path)
    return settings
