"""Settings' edits of the profiles, before Save: names stay unique, keys stable, and Save
learns exactly what was renamed and removed (the keychain follows both)."""

from __future__ import annotations

import pytest

from visiondesk.config.profile_edits import NameTaken, ProfileEdits
from visiondesk.config.profiles import Profile, ProviderKind


def _profiles() -> dict[str, Profile]:
    return {
        "openai": Profile("OpenAI", ProviderKind.OPENAI, "https://api.openai.com/v1"),
        "lab": Profile("Lab vLLM", ProviderKind.COMPATIBLE, "http://lab:8000/v1"),
    }


def test_added_profiles_get_a_key_of_their_own_and_a_unique_name() -> None:
    edits = ProfileEdits(_profiles())
    first = edits.add("  Office   vLLM ")
    second = edits.add("Office vLLM 2")
    assert edits.profiles[first].name == "Office vLLM"
    assert (first, second) == ("office-vllm", "office-vllm-2")
    assert edits.keys == ["openai", "lab", first, second]
    with pytest.raises(NameTaken, match="lab VLLM"):
        edits.add("lab VLLM")  # names differ only in case: the same to a person
    with pytest.raises(ValueError, match="needs a name"):
        edits.add("   ")


def test_save_learns_what_was_renamed_and_removed() -> None:
    profiles = _profiles()
    edits = ProfileEdits(profiles)
    edits.replace("lab", Profile("Lab", ProviderKind.COMPATIBLE, "http://lab:8000/v1"))
    edits.remove("openai")
    edits.remove(edits.add("Gone again"))  # added and removed before Save: nothing to forget
    assert edits.renamed() == {"Lab vLLM": "Lab"}
    assert edits.removed() == [profiles["openai"]]
    assert profiles["lab"].name == "Lab vLLM"  # the caller's profiles are never changed


def test_a_rename_onto_another_profiles_name_is_refused() -> None:
    edits = ProfileEdits(_profiles())
    with pytest.raises(NameTaken):
        edits.replace("lab", Profile("openai", ProviderKind.COMPATIBLE, "http://lab:8000/v1"))
    assert edits.profiles["lab"].name == "Lab vLLM"
    edits.replace("lab", Profile("LAB VLLM", ProviderKind.COMPATIBLE, "http://lab:8000/v1"))
    assert edits.renamed() == {"Lab vLLM": "LAB VLLM"}
