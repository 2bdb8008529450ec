import base64

import pytest

from minesweep.security import envelope


def test_it_round_trips_a_sealed_value_under_a_wrapped_data_key():
    dek = envelope.new_data_key()
    wrapped = envelope.wrap_key(dek)
    sealed = envelope.seal(dek, "煤矿旁的厂房".encode(), b"r:1:content")
    assert "煤矿".encode() not in sealed and dek not in wrapped.wrapped
    assert (
        envelope.open_sealed(
            envelope.unwrap_key(wrapped.key_id, wrapped.wrapped), sealed, b"r:1:content"
        ).decode()
        == "煤矿旁的厂房"
    )


def test_it_refuses_a_ciphertext_moved_to_another_record():
    dek = envelope.new_data_key()
    sealed = envelope.seal(dek, b"secret", b"r:1:content")
    with pytest.raises(envelope.EnvelopeError):
        envelope.open_sealed(dek, sealed, b"r:2:content")


def test_it_unwraps_old_keys_after_rotation_and_rewraps_under_the_new_one(settings):
    old_key = bytes(settings.MASTER_KEY)
    settings.MASTER_KEY_ID = "k1"
    dek = envelope.new_data_key()
    wrapped = envelope.wrap_key(dek)
    settings.MASTER_KEY = b"\x07" * 32
    settings.MASTER_KEY_ID = "k2"
    with pytest.raises(envelope.EnvelopeError):
        envelope.unwrap_key("k1", wrapped.wrapped)  # the old key is not configured yet
    settings.OLD_MASTER_KEYS = ["k1:" + base64.urlsafe_b64encode(old_key).decode()]
    rewrapped = envelope.rewrap_key("k1", wrapped.wrapped)
    assert rewrapped.key_id == "k2" and envelope.unwrap_key("k2", rewrapped.wrapped) == dek
    settings.OLD_MASTER_KEYS = []
    assert envelope.unwrap_key("k2", rewrapped.wrapped) == dek


def test_it_rejects_a_badly_formatted_old_key(settings):
    settings.OLD_MASTER_KEYS = ["no-colon-here"]
    with pytest.raises(envelope.EnvelopeError):
        envelope.keyring()


def test_it_generates_keys_the_settings_accept():
    key = envelope.generate_master_key()
    assert len(base64.urlsafe_b64decode(key + "=" * (-len(key) % 4))) == 32
