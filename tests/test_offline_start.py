"""Starting the app contacts nothing outside the machine: every socket the server opens is logged (a
``sitecustomize`` wraps ``socket.connect`` and name lookups) and must go to this machine."""

from __future__ import annotations

import json
import os
import urllib.request

from tests.browser.serve import streamlit_server

LOGGER = """
import json, os, socket
_log = os.environ["VIZ_SOCKET_LOG"]
def _note(kind, address):
    with open(_log, "a") as f:
        f.write(json.dumps([kind, repr(address)]) + "\\n")
_connect = socket.socket.connect
def connect(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6):
        _note("connect", address)
    return _connect(self, address)
socket.socket.connect = connect
_getaddrinfo = socket.getaddrinfo
def getaddrinfo(host, *args, **kwargs):
    _note("lookup", host)
    return _getaddrinfo(host, *args, **kwargs)
socket.getaddrinfo = getaddrinfo
_note("loaded", "None")
"""
LOCAL = ("127.0.0.1", "localhost", "::1", "0.0.0.0", "None")


def test_starting_the_app_contacts_nothing_outside_the_machine(tmp_path):
    (tmp_path / "sitecustomize.py").write_text(LOGGER, encoding="utf-8")
    log = tmp_path / "sockets.jsonl"
    log.touch()
    path = os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])
    with streamlit_server(env={"PYTHONPATH": path, "VIZ_SOCKET_LOG": str(log)}) as url:
        with urllib.request.urlopen(f"{url}/", timeout=30) as response:  # the page itself
            assert response.status == 200
    entries = [json.loads(line) for line in log.read_text().splitlines()]
    assert ["loaded", "'None'"] in entries, "the socket logger did not load in the server"
    outside = [e for e in entries if not any(host in e[1] for host in LOCAL)]
    assert not outside, f"the server reached outside the machine: {outside}"


def test_the_setting_is_what_stops_the_external_ip_lookup(monkeypatch):
    """The check can fail: with ``browser.serverAddress`` unset, Streamlit's start asks for the external IP."""
    import tomllib
    from pathlib import Path

    from streamlit import config, net_util
    from streamlit.web import bootstrap

    settings = tomllib.loads((Path(__file__).resolve().parents[1] / ".streamlit/config.toml").read_text())
    assert settings["browser"]["serverAddress"] == "localhost"
    asked = []
    monkeypatch.setattr(net_util, "get_external_ip", lambda: asked.append(1))
    monkeypatch.setattr(net_util, "get_internal_ip", lambda: None)
    monkeypatch.setattr(bootstrap.cli_util, "print_to_cli", lambda *a, **k: None)
    options = {"server.headless": True, "browser.serverAddress": "localhost", "server.baseUrlPath": ""}
    monkeypatch.setattr(config, "get_option", lambda name: options.get(name, False))
    for manually_set, expected in ((False, [1]), (True, [])):
        asked.clear()
        monkeypatch.setattr(
            config, "is_manually_set", lambda name, m=manually_set: m and name == "browser.serverAddress"
        )
        monkeypatch.setattr(bootstrap, "server_address_is_unix_socket", lambda: False)
        bootstrap._print_url(False)
        assert asked == expected, manually_set
