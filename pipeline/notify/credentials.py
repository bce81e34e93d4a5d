"""Resolve each channel's webhook URL and signing secret from the environment or secrets file.

The URL counts as a secret (it carries the robot's token). Both are kept as `SecretStr`, so
reprs and logs show `**********`; errors name the channel and the variable, never a value.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from schemas.notify import ChannelSettings, Language, NotifySettings, Vendor


class CredentialError(ValueError):
    """A channel's URL or secret is missing; the message names where it was looked for."""


@dataclass(frozen=True)
class ResolvedChannel:
    """A channel ready to send: settings plus its URL and optional signing secret."""

    name: str
    vendor: Vendor
    language: Language
    url: SecretStr
    secret: SecretStr | None
    rate_per_min: float
    burst: int
    queue_size: int


def _read_secrets_file(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        msg = f"secrets file {path} not found"
        raise CredentialError(msg) from None
    except tomllib.TOMLDecodeError:
        # The decoder's message may quote a line of the file, that is a secret.
        msg = f"secrets file {path} is not valid TOML"
        raise CredentialError(msg) from None


def _lookup(
    name: str,
    field: str,
    env_name: str | None,
    environ: Mapping[str, str],
    file_entry: Mapping[str, Any] | None,
) -> str | None:
    if env_name is not None:
        value = environ.get(env_name)
        if value:
            return value
    value = None if file_entry is None else file_entry.get(field)
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        msg = f"channel {name}: secrets file [{name}] {field} must be a non-empty string"
        raise CredentialError(msg)
    return value


def resolve_channel(
    name: str,
    channel: ChannelSettings,
    environ: Mapping[str, str],
    file_entry: Mapping[str, Any] | None,
) -> ResolvedChannel:
    """`file_entry` is the channel's table in the secrets file, None without a file."""
    url = _lookup(name, "url", channel.url_env, environ, file_entry)
    if url is None:
        places = [f"environment variable {channel.url_env}"] if channel.url_env else []
        if file_entry is not None:
            places.append(f"secrets file [{name}] url")
        where = " or ".join(places)
        msg = f"channel {name}: no webhook URL (looked in {where})"
        raise CredentialError(msg)
    if not url.startswith(("http://", "https://")):
        msg = f"channel {name}: the webhook URL must start with http:// or https://"
        raise CredentialError(msg)
    secret = _lookup(name, "secret", channel.secret_env, environ, file_entry)
    if channel.secret_env is not None and secret is None:
        msg = f"channel {name}: environment variable {channel.secret_env} is not set"
        raise CredentialError(msg)
    return ResolvedChannel(
        name=name,
        vendor=channel.vendor,
        language=channel.effective_language,
        url=SecretStr(url),
        secret=SecretStr(secret) if secret is not None else None,
        rate_per_min=channel.effective_rate_per_min,
        burst=channel.burst,
        queue_size=channel.queue_size,
    )


def resolve_channels(
    notify: NotifySettings,
    environ: Mapping[str, str],
    base_dir: Path | None = None,
) -> dict[str, ResolvedChannel]:
    """Every configured channel with its URL and secret; raise `CredentialError` if missing.

    `base_dir` is the main config file's folder, used for a relative `secrets_file`.
    """
    file_data: dict[str, Any] | None = None
    if notify.secrets_file is not None:
        path = Path(notify.secrets_file)
        if not path.is_absolute() and base_dir is not None:
            path = base_dir / path
        file_data = _read_secrets_file(path)
    resolved = {}
    for name, channel in notify.channels.items():
        entry = None if file_data is None else file_data.get(name, {})
        if entry is not None and not isinstance(entry, dict):
            msg = f"channel {name}: secrets file entry [{name}] must be a table"
            raise CredentialError(msg)
        resolved[name] = resolve_channel(name, channel, environ, entry)
    return resolved
