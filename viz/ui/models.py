"""The model chooser of the vision pages: the bundled model of a family, or a checkpoint folder, and the
config of the model chosen (opened once, shared), with one message for a folder that will not open."""

from __future__ import annotations

import dataclasses

import streamlit as st

from viz.ui.cache import vision_config


@dataclasses.dataclass(frozen=True)
class VisionFamily:
    """How a family's model is offered. Widget keys are ``<prefix>_model`` and ``<prefix>_folder``."""

    family: str  # "vit" or "swin": the family whose registry opens the model
    name: str  # "ViT", as the page names it
    prefix: str  # widget keys and the session-state store
    help: str
    placeholder: str
    folder_label: str

    @property
    def bundled(self) -> str:
        """The bundled model's short name, ``shapes-<family>``."""
        return f"shapes-{self.family}"

    @property
    def store(self) -> str:
        """The session-state dict that remembers the choice across pages, ``<prefix>_input``."""
        return f"{self.prefix}_input"

    @property
    def options(self) -> tuple[str, str]:
        return f"Bundled shapes {self.name}", f"A {self.name} checkpoint folder"


VIT = VisionFamily(
    family="vit",
    name="ViT",
    prefix="vision",
    help="The bundled ViT was trained by this project on generated shapes only. A Hugging Face ViT folder "
    "(config.json + model.safetensors), e.g. a downloaded ViT, DeiT or DINO, classifies real photographs.",
    placeholder="/path/to/vit-base-patch16-224",
    folder_label="Checkpoint folder on this computer",
)
SWIN = VisionFamily(
    family="swin",
    name="Swin",
    prefix="swin",
    help="A Hugging Face SwinModel or SwinForImageClassification folder opens here too.",
    placeholder="/path/to/swin-tiny-patch4-window7-224",
    folder_label="Swin checkpoint folder on this computer",
)


def _store(family: VisionFamily) -> dict:
    store = st.session_state.setdefault(family.store, {})
    store.setdefault("model", family.options[0])
    store.setdefault("folder", "")
    return store


def _remember(family: VisionFamily, field: str, key: str) -> None:
    _store(family)[field] = st.session_state[key]


def model_choice(family: VisionFamily) -> str | None:
    """The bundled model's name, or the folder typed in; None (with a prompt) while none is given."""
    store = _store(family)
    options = family.options
    choice = st.radio(
        "Model",
        options,
        index=options.index(store["model"]) if store["model"] in options else 0,
        key=f"{family.prefix}_model",
        horizontal=True,
        on_change=_remember,
        args=(family, "model", f"{family.prefix}_model"),
        help=family.help,
    )
    if choice == options[0]:
        return family.bundled
    folder = st.text_input(
        family.folder_label,
        value=store["folder"],
        key=f"{family.prefix}_folder",
        on_change=_remember,
        args=(family, "folder", f"{family.prefix}_folder"),
        placeholder=family.placeholder,
    )
    if not folder.strip():
        st.info(
            f"Type the path of a folder holding config.json and model.safetensors of a {family.name} model."
        )
        return None
    return folder.strip()


def opened_config(family: VisionFamily, model: str):
    """The config of ``model`` (loading it once, shared); None after a message if the folder will not open."""
    try:
        return vision_config(family.family, model)
    except Exception as err:  # noqa: BLE001 - any folder typed in may be broken in its own way
        st.error(
            f"That folder could not be opened as a {family.name} checkpoint. It needs config.json and "
            f"model.safetensors of a Hugging Face {family.name} model. What went wrong:"
        )
        st.text(str(err))
        return None
