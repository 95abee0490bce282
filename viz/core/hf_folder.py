"""Hugging Face model folders (``config.json`` + ``model.safetensors`` + ``preprocessor_config.json``).

Shared by every family's checkpoint module: weights are read with ``safetensors`` (or, for the text
families, a ``pytorch_model.bin`` through ``torch.load(weights_only=True)``; a pickle is never unpickled),
an explicit table renames every tensor between Hugging Face's names and ours, and loading is strict: a
missing or unexpected tensor, or one of the wrong shape, is an error, not a silent skip.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from pathlib import Path

import torch
from safetensors import safe_open
from safetensors.torch import save_file
from torch import nn

from viz.core import progress

_HEAD = ("classifier.weight", "classifier.bias")
_FIELD = re.compile(r"\\\{(\w+)\\\}")
_INDEX_GROUP, _PARAM_GROUP = r"\d+", "weight|bias"


def template_regex(template: str) -> re.Pattern:
    """A name template as a regex: ``{p}`` matches ``weight`` or ``bias``, any other ``{x}`` an index."""

    def group(match: re.Match) -> str:
        return f"(?P<{match[1]}>{_PARAM_GROUP if match[1] == 'p' else _INDEX_GROUP})"

    return re.compile(f"^{_FIELD.sub(group, re.escape(template))}$")


def _rename(name: str, rules: list[tuple[re.Pattern, str]]) -> str | None:
    for pattern, template in rules:
        match = pattern.match(name)
        if match:
            return template.format(**match.groupdict())
    return None


class NameTable:
    """Renames a model's tensors between Hugging Face's names and ours, in both directions.

    Args:
        pairs: ``(Hugging Face name inside the prefix, our name)`` templates; when several Hugging Face
            spellings map to one of our names, the first is the one written.
        prefix: what Hugging Face puts before the backbone's names in a model with a head (``"vit."``).
        family: the model family named in error messages ("ViT").
        ignored: Hugging Face names (inside the prefix) that are read and dropped.
        head: whether ``classifier.weight`` / ``classifier.bias`` are the model's own head (kept under that
            name); without, a classifier is dropped only if ``ignored`` names it.
    """

    def __init__(
        self,
        pairs: Iterable[tuple[str, str]],
        prefix: str,
        family: str,
        ignored: re.Pattern | None = None,
        head: bool = True,
    ) -> None:
        pairs = list(pairs)
        self.prefix, self.family, self.ignored, self.head = prefix, family, ignored, head
        self._to_ours = [(template_regex(hf), ours) for hf, ours in pairs]
        self._to_hf, seen = [], set()
        for hf, ours in pairs:
            if ours not in seen:
                seen.add(ours)
                self._to_hf.append((template_regex(ours), hf))

    def from_hf_names(
        self, state: dict[str, torch.Tensor], skip: Callable[[str, str, torch.Tensor], bool] | None = None
    ) -> dict[str, torch.Tensor]:
        """Rename a Hugging Face state dict (with or without the prefix) to our names.

        Args:
            skip: called as ``skip(name, name_inside_prefix, tensor)``; a tensor for which it returns
                True is dropped (it may raise to refuse the checkpoint).

        Raises:
            ValueError: for a tensor the table does not know, or two tensors that map to one name.
        """
        mapped: dict[str, torch.Tensor] = {}
        for name, tensor in state.items():
            if self.head and name.startswith("classifier."):
                ours = name if name in _HEAD else None
            else:
                inner = name.removeprefix(self.prefix)
                if (self.ignored is not None and self.ignored.match(inner)) or (
                    skip and skip(name, inner, tensor)
                ):
                    continue
                ours = _rename(inner, self._to_ours)
            if ours is None:
                raise ValueError(f"unexpected tensor in a {self.family} checkpoint: {name}")
            if ours in mapped:
                raise ValueError(f"two tensors in the checkpoint map to {ours}")
            mapped[ours] = tensor
        return mapped

    def to_hf_names(self, state: dict[str, torch.Tensor], with_head: bool) -> dict[str, torch.Tensor]:
        """Our state dict -> Hugging Face names, with the prefix when the model has a classification head.

        Raises:
            ValueError: for a tensor the table does not know.
        """
        prefix = self.prefix if with_head else ""
        out = {}
        for name, tensor in state.items():
            if name.startswith("classifier."):
                out[name] = tensor
                continue
            hf = _rename(name, self._to_hf)
            if hf is None:
                raise ValueError(f"no Hugging Face name for {name}")
            out[prefix + hf] = tensor
        return out


SHARD_INDEX = "model.safetensors.index.json"


def safetensors_files(folder: Path) -> list[Path]:
    """The safetensors file of a folder, or the shards its ``model.safetensors.index.json`` lists (large
    checkpoints come in several files); [] when it has neither.

    Raises:
        ValueError: for an index that is not JSON, or names a shard outside the folder or missing.
    """
    single = folder / "model.safetensors"
    index = folder / SHARD_INDEX
    if single.is_file() or not index.is_file():
        return [single] if single.is_file() else []
    try:
        names = sorted(set(json.loads(index.read_text(encoding="utf-8"))["weight_map"].values()))
    except (ValueError, KeyError, TypeError, AttributeError):
        raise ValueError(f"{SHARD_INDEX} is not a readable shard index (no weight_map)") from None
    shards = []
    for name in names:
        if not isinstance(name, str) or Path(name).name != name or not name.endswith(".safetensors"):
            raise ValueError(
                f"{SHARD_INDEX} names a shard that is not a safetensors file in the folder: {name!r}"
            )
        if not (folder / name).is_file():
            raise ValueError(f"{SHARD_INDEX} lists {name}, which the folder does not hold")
        shards.append(folder / name)
    return shards


def _read_tensors(path: Path) -> dict[str, torch.Tensor]:
    """One safetensors file, tensor by tensor, reporting the bytes read (:mod:`viz.core.progress`)."""
    tensors = {}
    with safe_open(str(path), framework="pt") as file:
        for name in file.keys():  # noqa: SIM118 - a safe_open handle is not a mapping
            tensors[name] = file.get_tensor(name)
            progress.advance(tensors[name].nbytes)
    return tensors


def _load_safetensors(files: list[Path]) -> dict[str, torch.Tensor]:
    state: dict[str, torch.Tensor] = {}
    for path in files:
        try:
            part = _read_tensors(path)
        except Exception as err:  # noqa: BLE001 - safetensors raises its own error type for damaged files
            raise ValueError(f"{path.name} could not be read as safetensors ({err})") from None
        repeated = sorted(set(part) & set(state))
        if repeated:
            raise ValueError(f"{path.name} repeats tensors of another shard: {repeated[:3]}")
        state.update(part)
    return state


def read_state_dict(folder: str | Path) -> dict[str, torch.Tensor]:
    """The tensors of ``folder/model.safetensors`` (or its shards), else of ``pytorch_model.bin`` read without
    unpickling anything but tensors (``torch.load(weights_only=True)``).

    Raises:
        FileNotFoundError: if the folder holds neither. ValueError: for a damaged file or shard index.
    """
    folder = Path(folder)
    files = safetensors_files(folder)
    if files:
        return _load_safetensors(files)
    bin_path = folder / "pytorch_model.bin"
    if bin_path.exists():
        return torch.load(bin_path, map_location="cpu", weights_only=True)
    raise FileNotFoundError(f"{folder} has neither model.safetensors (nor its shards) nor pytorch_model.bin")


def read_weights(folder: str | Path, check_config: Callable[[Path], object]) -> dict[str, torch.Tensor]:
    """The raw tensors of ``folder/model.safetensors`` (or its shards), after ``check_config(folder)`` accepted
    its config.

    ``check_config`` runs before the weights are read, so a folder of another model type is refused early.

    Raises:
        FileNotFoundError: if the folder lacks ``config.json`` or safetensors weights.
        ValueError: if the weights are not readable as safetensors (or ``check_config`` refuses the folder).
    """
    folder = Path(folder)
    if not (folder / "config.json").is_file():
        raise FileNotFoundError(f"{folder} has no config.json")
    files = safetensors_files(folder)
    if not files:
        raise FileNotFoundError(f"{folder} has no model.safetensors (only safetensors checkpoints are read)")
    check_config(folder)
    return _load_safetensors(files)


_QKV_BIAS = re.compile(r"\.w_[qkv]\.bias$")
_ATTENTION_QKV_BIAS = re.compile(r"\.attention\.w_[qkv]\.bias$")


def load_strict(module: nn.Module, state: dict[str, torch.Tensor]) -> None:
    """Copy ``state`` into ``module``; every parameter must be present with the right shape.

    Raises:
        ValueError: naming the first missing, unexpected or misshapen tensors.
    """
    own = module.state_dict()
    missing = sorted(set(own) - set(state))
    unexpected = sorted(set(state) - set(own))
    if missing or unexpected:
        raise ValueError(
            f"checkpoint does not fit the model: missing {missing[:5]}, unexpected {unexpected[:5]}"
        )
    for name, tensor in state.items():
        if own[name].shape != tensor.shape:
            raise ValueError(
                f"{name}: checkpoint shape {tuple(tensor.shape)} != model {tuple(own[name].shape)}"
            )
    module.load_state_dict(state, strict=True)


def load_frozen(
    model: nn.Module, state: dict[str, torch.Tensor], device: torch.device | str, qkv_bias: bool = True
) -> nn.Module:
    """Copy ``state`` (as float32) into ``model`` strictly and return it in eval mode, frozen, on ``device``.

    Without ``qkv_bias`` the checkpoint has no W^Q, W^K, W^V biases and ours are set to zero.
    """
    if not qkv_bias:
        for name, param in model.named_parameters():
            if _ATTENTION_QKV_BIAS.search(name):
                state.setdefault(name, torch.zeros_like(param))
    load_strict(model, {k: v.float() for k, v in state.items()})
    model.eval().requires_grad_(False)
    return model.to(device)


def state_to_save(model: nn.Module, qkv_bias: bool) -> dict[str, torch.Tensor]:
    """``model``'s tensors as contiguous float32 on the CPU, without the (zero) q/k/v biases if it has none."""
    state = {k: v.detach().cpu().float().contiguous() for k, v in model.state_dict().items()}
    if not qkv_bias:
        state = {k: v for k, v in state.items() if not _QKV_BIAS.search(k)}
    return state


def write_folder(
    folder: str | Path, tensors: dict[str, torch.Tensor], config: dict, preprocessor: dict
) -> Path:
    """Write ``model.safetensors``, ``config.json`` and ``preprocessor_config.json`` into ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(folder / "model.safetensors"), metadata={"format": "pt"})
    (folder / "config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    (folder / "preprocessor_config.json").write_text(
        json.dumps(preprocessor, indent=2) + "\n", encoding="utf-8"
    )
    return folder


#: The sub-layers of a Hugging Face BERT-style block (BERT, ViT, Swin): (name in the block, ours), where
#: ``{attention}`` is the family's attention module ("attention.self" or "attention.attention").
_BERT_STYLE_BLOCK = (
    ("{attention}.query", "attention.w_q"),
    ("{attention}.key", "attention.w_k"),
    ("{attention}.value", "attention.w_v"),
    ("attention.output.dense", "attention.w_o"),
    ("intermediate.dense", "ffn.w_1"),
    ("output.dense", "ffn.w_2"),
)


def block_pairs(
    hf_block: str, our_block: str, attention: str, norms: tuple[tuple[str, str], ...]
) -> list[tuple[str, str]]:
    """Name-table pairs of one Hugging Face BERT-style block: its projections, feed-forward and ``norms``.

    Args:
        hf_block: the block's prefix in the checkpoint (``"encoder.layer.{i}."``).
        our_block: ours (``"blocks.{i}."``).
        attention: the checkpoint's attention module (``"attention.self"``).
        norms: (checkpoint name, ours) of the two LayerNorms, e.g. ``("layernorm_before", "attention_norm")``.
    """
    pairs = [(hf.format(attention=attention), ours) for hf, ours in _BERT_STYLE_BLOCK] + list(norms)
    return [(f"{hf_block}{hf}.{{p}}", f"{our_block}{ours}.{{p}}") for hf, ours in pairs]


#: The LayerNorms of a pre-LayerNorm image block (ViT, Swin) in Hugging Face's names.
PRE_NORMS = (("layernorm_before", "attention_norm"), ("layernorm_after", "ffn_norm"))


def load_classifier_folder(
    folder: str | Path,
    table: NameTable,
    read_config: Callable[..., object],
    build: Callable[[object], nn.Module],
    device: torch.device | str,
    skip: Callable[[str, str, torch.Tensor], bool] | None = None,
    **flags: str,
) -> nn.Module:
    """An image classifier (or backbone) from its Hugging Face folder: the head's size is read from the tensors.

    Args:
        read_config: ``read_config(folder, **overrides)``, the family's ``Config.from_hf``.
        build: the model class.
        flags: config field -> a tensor name; the field is True when the checkpoint holds that tensor
            (``pooler="pooler.dense.weight"``).

    Raises:
        FileNotFoundError, ValueError: as :func:`read_weights` and :meth:`NameTable.from_hf_names`.
    """
    folder = Path(folder)
    state = table.from_hf_names(read_weights(folder, read_config), skip=skip)
    classifier = state.get("classifier.weight")
    config = read_config(
        folder,
        n_classes=0 if classifier is None else int(classifier.shape[0]),
        **{field: name in state for field, name in flags.items()},
    )
    return load_frozen(build(config), state, device, config.qkv_bias)


def save_classifier_folder(model: nn.Module, table: NameTable, folder: str | Path) -> Path:
    """Write an image model as a Hugging Face folder (config.json, preprocessor_config.json, model.safetensors)."""
    config = model.config
    tensors = table.to_hf_names(state_to_save(model, config.qkv_bias), with_head=config.n_classes > 0)
    return write_folder(folder, tensors, *config.to_hf())
