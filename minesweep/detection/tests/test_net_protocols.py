"""Mining protocol recognition, names and pool matching (network detection)."""

from __future__ import annotations

from minesweep.detection.network import p2p
from minesweep.detection.network.names import normalise_name, parse_http_request_head, tls_client_hello_sni
from minesweep.detection.network.pools import EXACT, OPERATOR_DOMAIN, SUBDOMAIN, default_pool_list
from minesweep.detection.network.protocols import (
    basic_auth_user,
    classify_message,
    wallets_in_account,
    worker_in_account,
)
from minesweep.detection.tests.test_net_captures import ZEEK


def test_it_tells_stratum_client_and_pool_messages_apart():
    subscribe = classify_message(
        {"id": 1, "method": "mining.subscribe", "params": ["bmminer/2.0.0", None, "btc.f2pool.com", "3333"]}
    )
    notify = classify_message({"id": None, "method": "mining.notify", "params": []})
    assert (
        subscribe is not None and subscribe.direction == "to_pool" and subscribe.software == "bmminer/2.0.0"
    )
    assert subscribe.pool_names == ("btc.f2pool.com",)
    assert notify is not None and notify.direction == "to_miner"


def test_it_counts_submissions_as_shares():
    for message in (
        {"method": "mining.submit", "params": ["w", "j", "e", "t", "n"]},
        {"method": "submit", "params": {"id": "1", "job_id": "2", "nonce": "3", "result": "4"}},
        {"method": "eth_submitWork", "params": ["0x1", "0x2", "0x3"]},
    ):
        recognised = classify_message(message)
        assert recognised is not None and recognised.is_share


def test_it_ignores_generic_json_rpc_with_lookalike_methods():
    assert (
        classify_message({"jsonrpc": "2.0", "method": "login", "params": {"user": "a", "password": "b"}})
        is None
    )
    assert classify_message({"jsonrpc": "2.0", "method": "submit", "params": {"form": 1}}) is None
    assert classify_message({"jsonrpc": "2.0", "method": "subtract", "params": [42, 23]}) is None
    assert classify_message(["not", "an", "object"]) is None


def test_it_splits_accounts_into_wallet_and_worker():
    assert wallets_in_account("0x9c99d212f7e5daa18ab50810e0fd255d1f04303b.farm01") == [
        ("ethereum", "0x9c99d212f7e5daa18ab50810e0fd255d1f04303b")
    ]
    assert worker_in_account("t1fAhZF5aUJdY7CikGULHmeYk7id8qmvbAd.rig4") == "rig4"
    assert wallets_in_account("someaccount.worker") == []


def test_it_reads_the_getwork_user_from_basic_auth():
    assert basic_auth_user("Basic Qmlnc2t5OjEyMw==") == "Bigsky"
    assert basic_auth_user("Basic !!!") is None
    assert basic_auth_user(None) is None


def test_it_matches_pool_names_exactly_by_subdomain_and_by_operator():
    pools = default_pool_list()
    exact = pools.match_name("erg.2miners.com")
    sub = pools.match_name("eu1-zcash.flypool.org")
    deeper = pools.match_name("x.erg.2miners.com")
    operator = pools.match_name("newcoin.2miners.com")
    assert exact is not None and exact.how == EXACT and exact.pool_name == "2Miners"
    assert sub is not None and sub.how == SUBDOMAIN and sub.pool_name == "Flypool"
    assert deeper is not None and deeper.how == SUBDOMAIN and deeper.listed_host == "erg.2miners.com"
    assert operator is not None and operator.how == OPERATOR_DOMAIN
    assert pools.match_name("www.example.com") is None
    assert pools.match_name("flypool.org.evil.example") is None


def test_it_does_not_take_a_pool_operators_website_for_a_mining_endpoint():
    pools = default_pool_list()
    assert pools.match_name("www.2miners.com") is None
    assert pools.match_name("www.supportxmr.com") is None and pools.match_name("supportxmr.com") is not None
    assert pools.match_name("xmr.2miners.com") is not None


def test_it_does_not_match_siblings_under_shared_dynamic_dns_domains():
    assert default_pool_list().match_name("someones-nas.ddns.net") is None


def test_it_normalises_names_from_headers():
    assert normalise_name("US1.BitMinter.com:3333") == "us1.bitminter.com"
    assert normalise_name("example.org.") == "example.org"


def test_it_reads_sni_from_a_real_client_hello():
    import dpkt

    with open(ZEEK / "coinhive.pcap", "rb") as handle:
        for _, frame in dpkt.pcap.Reader(handle):
            tcp = dpkt.ethernet.Ethernet(frame).data.data
            if isinstance(tcp, dpkt.tcp.TCP) and tcp.data[:1] == b"\x16" and tcp.data[5:6] == b"\x01":
                assert tls_client_hello_sni(bytes(tcp.data)) == "authedmine.com"
                return
    raise AssertionError("no ClientHello found")


def test_it_parses_http_heads_only_when_complete():
    assert parse_http_request_head(b"POST / HTTP/1.1\r\nHost: a.b\r\n") is None
    head = parse_http_request_head(b"POST / HTTP/1.1\r\nHost: A.b:80\r\nContent-Length: 5\r\n\r\nhello")
    assert head is not None and head.host == "a.b" and head.content_length == 5


def test_it_recognises_bitcoin_and_rlpx_handshakes():
    version = b"\xf9\xbe\xb4\xd9" + b"version\x00\x00\x00\x00\x00" + (100).to_bytes(4, "little") + b"\x00" * 4
    assert p2p.bitcoin_message_command(version) == "version"
    assert (
        p2p.bitcoin_message_command(b"\xf9\xbe\xb4\xd9" + b"VERSION\x00\x00\x00\x00\x00" + b"\x00" * 8)
        is None
    )
    eip8 = (300).to_bytes(2, "big") + b"\x01" * 300
    assert p2p.is_rlpx_handshake(eip8, (50000, 30303))
    assert not p2p.is_rlpx_handshake(eip8, (50000, 443))


def test_it_skips_a_monero_payment_id_when_naming_the_worker():
    account = (
        "4BCeEPhodgPMbPWFN1dPwhWXdRX8q4mhhdZdA1dtSMLTLCEYvAj9QXjXAfF7CugEbmfBhgkqHbdgK9b2wKA6nqRZQCgvCDm."
        + "ab" * 32
        + ".ryzen"
    )
    assert worker_in_account(account) == "ryzen"
    assert worker_in_account("wallet." + "c" * 16) is None


def test_it_reads_the_xmrig_rig_id_as_worker():
    login = classify_message(
        {"method": "login", "params": {"login": "w", "pass": "x", "agent": "XMRig/6.21.0", "rigid": "farm-7"}}
    )
    assert login is not None and login.worker == "farm-7" and login.software == "XMRig/6.21.0"
