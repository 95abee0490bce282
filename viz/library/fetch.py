"""Fetching a real checkpoint once into the Hugging Face cache, where the library finds it.

``python -m viz fetch gpt2`` (a short name from :data:`CURATED`, or any repository id) downloads with
``huggingface_hub.snapshot_download``, restricted to the files the app reads (config, weights, tokenizer and
image-processor files): a weight file in both formats is fetched once, as safetensors. Downloads resume
where a broken one stopped (the hub library keeps the partial file). Where the machine is offline, or
``HF_HUB_OFFLINE`` is set, the message says so and how a classroom server gets its models instead.
"""

from __future__ import annotations

import dataclasses
import io
import os
import re
import threading
from collections.abc import Callable
from pathlib import Path

from viz.library.scan import hf_cache_dir

#: The files the app reads from a model repository (weights are chosen separately).
READ_FILES = (
    "config.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "vocab.txt",
    "vocab.json",
    "merges.txt",
    "preprocessor_config.json",
    "sentence_bert_config.json",
    "model.safetensors.index.json",
)
_REPO_ID = re.compile(r"^[A-Za-z0-9][\w.-]{0,95}(/[A-Za-z0-9][\w.-]{0,95})?$")


@dataclasses.dataclass(frozen=True)
class Recommended:
    """A checkpoint the course uses: short name, repository, family, about how many MB of weights."""

    short: str
    repo_id: str
    family: str
    megabytes: int
    about: str


CURATED: tuple[Recommended, ...] = (
    Recommended("bert-base", "google-bert/bert-base-uncased", "text", 440, "BERT base, 12 layers x 12 heads"),
    Recommended("distilbert", "distilbert/distilbert-base-uncased", "text", 268, "DistilBERT, 6 layers"),
    Recommended("roberta-base", "FacebookAI/roberta-base", "text", 499, "RoBERTa base, byte-level BPE"),
    Recommended("gpt2", "openai-community/gpt2", "decoder", 548, "GPT-2 small, 124 M parameters"),
    Recommended("distilgpt2", "distilbert/distilgpt2", "decoder", 353, "DistilGPT-2, 6 layers"),
    Recommended("vit-base", "google/vit-base-patch16-224", "vit", 346, "ViT-B/16, ImageNet-1k classes"),
    Recommended("deit-tiny", "facebook/deit-tiny-patch16-224", "vit", 23, "DeiT tiny, 5.7 M parameters"),
    Recommended(
        "deit-tiny-distilled",
        "facebook/deit-tiny-distilled-patch16-224",
        "vit",
        23,
        "DeiT tiny with its distillation token",
    ),
    Recommended(
        "deit-small-distilled",
        "facebook/deit-small-distilled-patch16-224",
        "vit",
        89,
        "DeiT small with its distillation token",
    ),
    Recommended("dino-vits16", "facebook/dino-vits16", "vit", 87, "DINO ViT-S/16, self-supervised, no head"),
    Recommended("dinov2-small", "facebook/dinov2-small", "vit", 88, "DINOv2 small, self-supervised, no head"),
    Recommended("swin-tiny", "microsoft/swin-tiny-patch4-window7-224", "swin", 113, "Swin-T, ImageNet-1k"),
)
SHORT_NAMES = {r.short: r for r in CURATED}


class FetchError(RuntimeError):
    """A download that could not be done, with what to do about it."""


def repo_id_of(name: str) -> str:
    """A short name's repository, or ``name`` itself when it reads as a repository id.

    Raises:
        FetchError: for a name that is neither.
    """
    name = name.strip()
    if name in SHORT_NAMES:
        return SHORT_NAMES[name].repo_id
    if not _REPO_ID.match(name) or ".." in name:
        raise FetchError(
            f"{name!r} is neither a short name ({', '.join(SHORT_NAMES)}) nor a repository id like "
            "'google/vit-base-patch16-224'"
        )
    return name


def files_to_fetch(repo_files: list[str]) -> list[str]:
    """Of a repository's files, those the app reads: its safetensors weights, else ``pytorch_model.bin``."""
    chosen = [f for f in repo_files if f in READ_FILES]
    weights = [f for f in repo_files if "/" not in f and f.endswith(".safetensors")]
    if not weights and "pytorch_model.bin" in repo_files:
        weights = ["pytorch_model.bin"]
    return chosen + weights


class _Bar:
    """A tqdm stand-in class factory: records the bytes downloaded into ``report(done, total)``."""

    @staticmethod
    def make(report: Callable[[int, int], None]):
        from tqdm.auto import tqdm

        class Bar(tqdm):
            def __init__(self, *args, **kwargs):
                kwargs.pop("name", None)
                kwargs["file"] = io.StringIO()  # never drawn on the server's terminal
                super().__init__(*args, **kwargs)

            def update(self, n=1):
                result = super().update(n)
                if self.unit == "B" and self.total:
                    report(int(self.n), int(self.total))
                return result

        return Bar


def fetch(
    name: str,
    cache_dir: Path | None = None,
    report: Callable[[int, int], None] | None = None,
    endpoint: str | None = None,
) -> Path:
    """Download the repository ``name`` (short name or id) into the Hugging Face cache; its snapshot folder.

    Args:
        cache_dir: the cache (default: where the library looks, :func:`viz.library.scan.hf_cache_dir`).
        report: called with (bytes done, bytes in all) as the download goes.
        endpoint: the hub's address (default: ``HF_ENDPOINT``, else huggingface.co).

    Raises:
        FetchError: offline, no such repository, a gated one, or a repository without weights the app reads.
    """
    repo_id = repo_id_of(name)
    cache_dir = cache_dir or hf_cache_dir()
    endpoint = endpoint or os.environ.get("HF_ENDPOINT") or None  # a mirror, as set now (not at import)
    from huggingface_hub import HfApi, constants, snapshot_download
    from huggingface_hub import errors as hub_errors

    if constants.HF_HUB_OFFLINE:  # HF_HUB_OFFLINE=1, as read when the hub library was imported
        raise FetchError(
            "downloads are switched off on this machine (HF_HUB_OFFLINE is set). Fetch the model on a "
            "machine with internet access and copy its Hugging Face cache here (see the README)."
        )
    try:
        siblings = HfApi(endpoint=endpoint).model_info(repo_id).siblings or []
        files = files_to_fetch([s.rfilename for s in siblings])
        if "config.json" not in files or not any(f.endswith((".safetensors", ".bin")) for f in files):
            raise FetchError(f"{repo_id} has no config.json and weights the app can read")
        kwargs = {"tqdm_class": _Bar.make(report)} if report else {}
        folder = snapshot_download(
            repo_id, cache_dir=str(cache_dir), allow_patterns=files, endpoint=endpoint, **kwargs
        )
    except FetchError:
        raise
    except hub_errors.GatedRepoError:
        raise FetchError(f"{repo_id} is gated: accept its terms on the hub and log in first") from None
    except hub_errors.RepositoryNotFoundError:
        raise FetchError(f"the hub has no public model {repo_id!r}") from None
    except (hub_errors.HfHubHTTPError, hub_errors.LocalEntryNotFoundError, OSError) as err:
        raise FetchError(
            f"could not download {repo_id} ({type(err).__name__}: {err}). Without internet access, fetch the "
            "model elsewhere and copy the Hugging Face cache (see the README); run the command again to "
            "resume a broken download."
        ) from None
    except Exception as err:  # noqa: BLE001 - the HTTP stack's connection errors have no common base here
        raise FetchError(f"could not download {repo_id}: {type(err).__name__}: {err}") from None
    return Path(folder)


@dataclasses.dataclass(eq=False)
class FetchJob:
    """A download started from the library page: ``state`` is ``"running"``, ``"done"`` or ``"failed"``."""

    repo_id: str
    state: str = "running"
    done: int = 0
    total: int = 0
    error: str = ""

    @property
    def fraction(self) -> float:
        return 1.0 if self.state == "done" else (self.done / self.total if self.total else 0.0)


_jobs: dict[str, FetchJob] = {}
_jobs_lock = threading.Lock()
_one_at_a_time = threading.Semaphore(1)  # a class's downloads share the line, one after another


def start_fetch(name: str, on_done: Callable[[], None] | None = None) -> FetchJob:
    """Start downloading ``name`` in the background (once: a running job is returned as it is)."""
    repo_id = repo_id_of(name)
    with _jobs_lock:
        job = _jobs.get(repo_id)
        if job is not None and job.state != "failed":
            return job
        job = _jobs[repo_id] = FetchJob(repo_id)

    def report(done: int, total: int) -> None:
        job.done, job.total = done, total

    def run() -> None:
        with _one_at_a_time:
            try:
                fetch(repo_id, report=report)
            except FetchError as err:
                job.error, job.state = str(err), "failed"
                return
            job.state = "done"
        if on_done is not None:
            on_done()

    threading.Thread(target=run, name=f"viz-fetch-{repo_id}", daemon=True).start()
    return job


def fetch_job(name: str) -> FetchJob | None:
    with _jobs_lock:
        return _jobs.get(repo_id_of(name))
