"""Reasons of the service: English text that keeps the key and values that say it in other languages."""

from __future__ import annotations

import copy
import pickle

from onss_tui.i18n import Messages
from onss_tui.services.errors import Reason, in_every_language


def test_a_reason_reads_as_its_english_and_says_itself_in_each_language() -> None:
    reason = Reason("rule.users.already_status", status=in_every_language("users.status.removed"))
    assert reason == "This user is already removed."
    assert isinstance(reason, str) and reason.key == "rule.users.already_status"
    messages = Messages()
    assert messages.t("fr", reason.key, **reason.values_in("fr")) == "Cet utilisateur est déjà supprimé."
    assert messages.t("de", reason.key, **reason.values_in("de")) == "Dieser Benutzer ist bereits entfernt."
    assert reason.values_in("it") == {"status": "removed"}  # a language no value has: English


def test_a_reason_survives_copies_and_pickling_whole() -> None:
    reason = Reason("rule.quality.unknown", code="onss_x")
    for again in (copy.copy(reason), copy.deepcopy(reason), pickle.loads(pickle.dumps(reason))):
        assert (str(again), again.key, again.params) == (str(reason), reason.key, reason.params)


def test_a_reason_read_back_from_the_api_keeps_the_server_s_words() -> None:
    reason = Reason("rule.no_user", "No such user (server wording).")
    assert reason == "No such user (server wording)." and reason.key == "rule.no_user"
