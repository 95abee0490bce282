"""FolderRegistry: a bundled name or a folder with config.json, each loaded once per (folder, device)."""

from __future__ import annotations

import threading

import pytest

from viz.core.registry import FolderRegistry


def _folder(path):
    path.mkdir(parents=True, exist_ok=True)
    (path / "config.json").write_text("{}")
    return path


def test_resolves_bundled_names_and_folders(tmp_path):
    bundled = _folder(tmp_path / "bundled")
    registry = FolderRegistry({"tiny": bundled}, lambda folder, device: folder)
    assert registry.resolve("tiny") == bundled
    local = _folder(tmp_path / "local")
    assert registry.resolve(local) == local.resolve()
    assert registry.resolve(str(local)) == local.resolve()


def test_unknown_name_or_folder_without_config_raises(tmp_path):
    registry = FolderRegistry({"tiny": tmp_path, "big": tmp_path}, lambda folder, device: folder)
    with pytest.raises(
        ValueError, match=r"'nope' is neither a bundled model \(big, tiny\) nor a folder with a config.json"
    ):
        registry.resolve("nope")
    with pytest.raises(ValueError, match="neither a bundled model"):
        registry.load(tmp_path / "empty")


def test_loads_a_folder_once_per_device(tmp_path):
    calls = []

    def loader(folder, device):
        calls.append((folder, str(device)))
        return object()

    folder = _folder(tmp_path / "model")
    registry = FolderRegistry({"m": folder.resolve()}, loader)
    first = registry.load(folder, "cpu")
    assert registry.load(str(folder), "cpu") is first
    assert registry.load("m", "cpu") is first
    assert registry.load(folder, "meta") is not first
    assert calls == [(folder.resolve(), "cpu"), (folder.resolve(), "meta")]
    registry.cache_clear()
    assert registry.load(folder, "cpu") is not first


def test_concurrent_first_requests_load_once(tmp_path):
    calls, start = [], threading.Barrier(8)

    def loader(folder, device):
        calls.append(folder)
        return object()

    registry = FolderRegistry({}, loader)
    folder = _folder(tmp_path / "model")
    results = []

    def request():
        start.wait()
        results.append(registry.load(folder, "cpu"))

    threads = [threading.Thread(target=request) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1 and all(r is results[0] for r in results)


def test_default_device_is_the_apps(tmp_path, monkeypatch):
    import viz.core.registry as module

    monkeypatch.setattr(module, "get_device", lambda: "cpu")
    devices = []
    registry = FolderRegistry({}, lambda folder, device: devices.append(device))
    registry.load(_folder(tmp_path / "m"))
    assert [str(d) for d in devices] == ["cpu"]


def test_a_bundled_entry_may_be_a_function_and_folders_may_be_refused(tmp_path):
    asked = []

    def where():
        asked.append(1)
        return _folder(tmp_path / "inside-a-package")

    registry = FolderRegistry({"packaged": where}, lambda folder, device: folder, folders=False)
    assert asked == []  # nothing is looked up before it is asked for
    assert registry.resolve("packaged") == tmp_path / "inside-a-package"
    with pytest.raises(ValueError, match=r"'.*' is not a bundled model \(packaged\)"):
        registry.resolve(_folder(tmp_path / "other"))


def test_a_slow_load_does_not_block_another_folder(tmp_path):
    slow_started, release = threading.Event(), threading.Event()

    def loader(folder, device):
        if folder.name == "slow":
            slow_started.set()
            assert release.wait(10)
        return folder.name

    registry = FolderRegistry({}, loader)
    slow, fast = _folder(tmp_path / "slow"), _folder(tmp_path / "fast")
    thread = threading.Thread(target=registry.load, args=(slow, "cpu"))
    thread.start()
    assert slow_started.wait(10)
    assert not registry.is_loaded(slow, "cpu")
    assert registry.load(fast, "cpu") == "fast"  # answered while the slow folder is still loading
    assert registry.is_loaded(fast, "cpu")
    release.set()
    thread.join(10)
    assert registry.is_loaded(slow, "cpu") and registry.load(slow, "cpu") == "slow"


def test_keeps_the_most_recently_used_models(tmp_path):
    calls = []
    registry = FolderRegistry({}, lambda folder, device: calls.append(folder.name) or folder.name, maxsize=2)
    a, b, c = (_folder(tmp_path / name) for name in "abc")
    registry.load(a, "cpu"), registry.load(b, "cpu"), registry.load(a, "cpu"), registry.load(c, "cpu")
    assert registry.is_loaded(a, "cpu") and registry.is_loaded(c, "cpu") and not registry.is_loaded(b, "cpu")
    assert calls == ["a", "b", "c"]
