"""Interface and member names made one agent (`pipeline.adapters.members`)."""

from __future__ import annotations

from pipeline.adapters.members import MemberNames, extension_of, interface_of_channel


def test_configured_interface_is_its_member_and_claims_its_extension() -> None:
    names = MemberNames({"SIP/1001": "Sathish"}, match_extensions=True)

    # In any order: Agent/1001 and PJSIP/1001 share the configured interface's number.
    assert [names.agent(n) for n in ("Agent/1001", "PJSIP/1001", "SIP/1001", "Sathish")] == [
        "Sathish", "Sathish", "Sathish", "Sathish",
    ]  # fmt: skip


def test_extension_numbers_join_interfaces_and_agent_names_unless_turned_off() -> None:
    on = MemberNames({}, match_extensions=True)
    off = MemberNames({}, match_extensions=False)
    interface, member = "Local/1127@from-queue/n", "Agent/1127"

    assert (on.agent(interface), on.agent(member)) == (interface, interface)
    assert (off.agent(interface), off.agent(member)) == (interface, member)
    assert on.agent("Agent/1128") == "Agent/1128"


def test_what_the_log_says_is_learnt_but_never_overrides_configuration() -> None:
    names = MemberNames({"SIP/1001": "Sathish"}, match_extensions=True)

    names.learn("PJSIP/2001", "Priya")
    names.learn("SIP/1001", "Someone else")

    assert names.agent("PJSIP/2001") == "Priya"
    assert names.agent("SIP/1001") == "Sathish"


def test_a_cycle_in_the_configuration_does_not_loop() -> None:
    names = MemberNames({"A": "B", "B": "A"}, match_extensions=True)

    assert (names.agent("A"), names.agent("B")) == ("B", "B")


def test_channel_names_and_extensions() -> None:
    assert interface_of_channel("SIP/1002-0000001c") == "SIP/1002"
    assert interface_of_channel("Local/1127@from-queue-00000022;1") == "Local/1127@from-queue"
    assert [extension_of(n) for n in ("PJSIP/1001", "Local/1127@from-queue/n", "Sathish")] == [
        "1001", "1127", None,
    ]  # fmt: skip
