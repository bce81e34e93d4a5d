"""Which agent a queue_log name is: interfaces and member names made one identity.

Asterisk writes a queue member's *interface* on membership lines (ADDMEMBER,
REMOVEMEMBER: `SIP/1001`, `PJSIP/1001`, `Local/1127@from-queue/n`) and its *member name*
on call lines (CONNECT, COMPLETE*, RINGNOANSWER, PAUSE in newer versions: `Sathish`,
`Agent/1127`), unless `log_membername_as_agent` is set. Without a map the first CONNECT
would log a second, phantom agent in. The agent id we write is the member name when it
is known, else the first name seen.
"""

from __future__ import annotations

import re

# `SIP/1001`, `PJSIP/1001-0000002a` (a channel), `Local/1127@from-queue/n`, `Agent/1127`.
_EXTENSION = re.compile(r"^(?:[A-Za-z0-9_]+/)?(\d+)(?:[@;/-].*)?$")
_CHANNEL_SUFFIX = re.compile(r"-[0-9a-fA-F]{8}(?:;\d)?$")


def extension_of(name: str) -> str | None:
    """The extension number a name carries (`SIP/1127`, `Agent/1127`, `1127`), if any."""
    match = _EXTENSION.match(name)
    return match.group(1) if match else None


def interface_of_channel(channel: str) -> str:
    """`SIP/1001-0000000a` -> `SIP/1001` (a channel name is its interface plus a suffix)."""
    return _CHANNEL_SUFFIX.sub("", channel.strip())


class MemberNames:
    """Resolves names to agent ids; `configured` (interface -> member name) always wins.

    `match_extensions`: names with the same extension number are one agent.
    """

    def __init__(self, configured: dict[str, str], *, match_extensions: bool) -> None:
        self._configured = dict(configured)
        self._match_extensions = match_extensions
        self._agent_of: dict[str, str] = {}
        self._by_extension: dict[str, str] = {}
        for interface in sorted(self._configured):
            self.agent(interface)

    def agent(self, name: str) -> str:
        """The agent id of `name`, registering it when new."""
        known = self._agent_of.get(name)
        if known is not None:
            return known
        member = self._configured.get(name)
        if member is not None:
            # Configured: the member name is the agent (no extension guess overrides it).
            agent = self._agent_of.setdefault(member, member)
        else:
            agent = self._extension_owner(name) or name
        self._agent_of[name] = agent
        self._claim_extension(name, agent)
        return agent

    def learn(self, interface: str, member: str) -> None:
        """The log says `interface` is `member` (ADDMEMBER data, AGENTLOGIN channel).

        Ignored for a configured interface, or one already resolved to another agent
        (a name keeps the id it was first written with)."""
        if not interface or not member or interface in self._configured:
            return
        if interface in self._agent_of:
            return
        agent = self.agent(member)
        self._agent_of[interface] = agent
        self._claim_extension(interface, agent)

    def _extension_owner(self, name: str) -> str | None:
        extension = extension_of(name) if self._match_extensions else None
        return None if extension is None else self._by_extension.get(extension)

    def _claim_extension(self, name: str, agent: str) -> None:
        extension = extension_of(name) if self._match_extensions else None
        if extension is not None:
            self._by_extension.setdefault(extension, agent)
