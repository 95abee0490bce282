"""The bundled task models (reverse, sort, date) by task name, each loaded once per process, shared read-only.

They ship in ``assets/seq2seq/``, one safetensors file a task, made by the seeded commands of
``assets/README.md``.
"""

from __future__ import annotations

from pathlib import Path

from viz.core.registry import ASSETS, FolderRegistry
from viz.models.seq2seq.checkpoint import load_seq2seq
from viz.models.seq2seq.model import Transformer
from viz.tasks import TASKS, get_task

SEQ2SEQ_ASSETS = ASSETS / "seq2seq"


def checkpoint_path(task: str) -> Path:
    return SEQ2SEQ_ASSETS / f"{task}.safetensors"


REGISTRY: FolderRegistry[tuple[Transformer, dict]] = FolderRegistry(
    {task: checkpoint_path(task) for task in TASKS}, load_seq2seq, maxsize=8, folders=False
)


def load_task_model(task: str) -> tuple[Transformer, dict]:
    """The bundled model of ``task`` and its checkpoint metadata, loaded once, shared, frozen, eval mode.

    Raises:
        ValueError: for an unknown task. FileNotFoundError: if its checkpoint is missing.
    """
    get_task(task)
    path = REGISTRY.resolve(task)
    if not path.is_file():
        raise FileNotFoundError(
            f"the bundled checkpoint {path} is missing; see assets/README.md to rebuild it"
        )
    return REGISTRY.load(task)
