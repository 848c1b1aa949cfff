"""vaegan.core.network: the one network check is time-bounded and honours the offline switch."""

import socket
import time

from vaegan.core import network


def test_network_check_is_bounded_even_if_the_resolver_hangs(monkeypatch):
    def hang(*args, **kwargs):
        time.sleep(4)  # far past the timeout; then fail the way a dead resolver would
        raise OSError("name resolution timed out")

    monkeypatch.delenv("VAEGAN_OFFLINE", raising=False)
    monkeypatch.setattr(socket, "create_connection", hang)
    start = time.perf_counter()
    assert network.network_available("example.invalid", timeout=0.5) is False
    assert time.perf_counter() - start < 3


def test_network_check_on_a_closed_local_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # bound but not listening: connections are refused
        assert network.network_available("127.0.0.1", port, timeout=1.0) is False


def test_network_check_respects_offline_variable(monkeypatch):
    monkeypatch.setenv("VAEGAN_OFFLINE", "1")
    assert network.network_available() is False
