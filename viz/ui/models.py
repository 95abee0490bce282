"""The model chooser every model page shows in its sidebar: the models the library found for the page's
family (:mod:`viz.library`), the bundled one first, and the chosen model loaded once, with a progress bar
while a large one is read.

The choice is one of the library's models, bound to the address by the name the list shows
(``?text_model=google-bert/bert-base-uncased``: a repository id, a folder's name, or the bundled model's name
with "(bundled)"); what a user types is
never read as a path, unless the operator allows typed paths (``VIZ_ALLOW_PATHS=1``: then a last option
opens a folder box). Messages name models, never server folders.
"""

from __future__ import annotations

import streamlit as st

from viz.library import loading
from viz.library.catalog import BUNDLED, Library, LibraryError, ModelEntry, human_bytes, library
from viz.library.families import FAMILIES
from viz.ui.controls import bound_selectbox

#: The option that opens the folder box, where typed paths are allowed.
TYPED_OPTION = "path"
#: Models with fewer bytes of weights load in the page's own run (under a second); larger ones in the
#: background with a progress bar.
SYNC_BYTES = 100_000_000
#: What each family's chooser is called (a page may show two: the three-ways panel shows a text model and a
#: language model).
LABELS = {"text": "Text model", "decoder": "Language model", "vit": "Vision model", "swin": "Swin model"}
#: Widget keys per family: the chooser, the folder box.
KEYS = {
    "text": ("text_model", "text_folder"),
    "decoder": ("decoder_model", "decoder_folder"),
    "vit": ("vision_model", "vision_folder"),
    "swin": ("swin_model", "swin_folder"),
}


def _remember(family: str, key: str) -> None:
    st.session_state[f"_chosen_{family}"] = st.session_state[key]


def choose_model(family: str, where=None) -> str | None:
    """The sidebar's model chooser for ``family`` (a :data:`~viz.library.families.FAMILIES` key).

    Returns:
        What the family's traces take as ``model``: a bundled short name or the folder of a loaded model;
        None (after a message or with a progress bar) while no model is ready.
    """
    lib = library()
    entries = {e.key: e for e in lib.entries(family)}
    options = list(entries) + ([TYPED_OPTION] if lib.settings.allow_paths else [])
    if not options:
        st.error(f"No {FAMILIES[family].name} is installed on this server.")
        return None
    key, folder_key = KEYS[family]
    remembered = st.session_state.get(f"_chosen_{family}")
    where = where or st.sidebar

    def name(option: str) -> str:
        if option == TYPED_OPTION:
            return "A folder on this computer…"
        entry = entries[option]
        return f"{entry.name} (bundled)" if entry.source == BUNDLED else entry.name

    chosen = bound_selectbox(
        LABELS[family],
        options,
        key=key,
        index=options.index(remembered) if remembered in options else 0,
        format_func=name,
        where=where,
        on_change=_remember,
        args=(family, key),
        help=_help(lib, family),
    )
    try:
        entry = _typed_entry(lib, family, folder_key, where) if chosen == TYPED_OPTION else entries[chosen]
        if entry is None:
            return None
        where.caption(entry.label().removeprefix(entry.name + " · "))
        return _loaded(lib, entry, where)
    except LibraryError as err:  # its text may quote what the user typed: plain text, never markdown
        st.error(f"That model could not be opened as a {FAMILIES[family].name}:")
        st.text(str(err))
        return None


def _help(lib: Library, family: str) -> str:
    found = len(lib.entries(family)) - 1
    more = (
        f"{found} more found in the operator's folders and the Hugging Face cache."
        if found > 0
        else "The server's operator can offer more: fetch one with `python -m viz fetch gpt2` (or another "
        "name from the library page), or list folders in VIZ_MODEL_DIRS."
    )
    return f"The bundled model always works offline. {more}"


def _typed_entry(lib: Library, family: str, folder_key: str, where) -> ModelEntry | None:
    folder = where.text_input(
        "Model folder", key=folder_key, placeholder="/path/to/a/hugging-face/model-folder", max_chars=1000
    )
    if not folder.strip():
        st.info(
            f"Type the path of a folder holding config.json and the weights of a {FAMILIES[family].name}."
        )
        return None
    return lib.typed(folder, family)


def _loaded(lib: Library, entry: ModelEntry, where) -> str | None:
    """The model's name for the traces once it is in memory; a progress bar (or an error) until then."""
    ref = entry.key if entry.source == BUNDLED else str(entry.folder)
    if lib.is_loaded(entry):
        return ref
    if entry.info.weights_bytes < SYNC_BYTES:
        lib.check(entry)
        try:
            with st.spinner(f"Loading {entry.name}…"):
                lib.load(entry)
        except LibraryError:
            raise
        except Exception as err:  # noqa: BLE001 - any folder may be broken in its own way
            _failed(entry, f"{type(err).__name__}: {err}")
            return None
        return ref
    job = loading.request(lib, entry)
    if job.state == "failed":
        _failed(entry, job.error)
        return None
    if job.state == "loading":
        _progress(job)
        return None
    return ref


def _failed(entry: ModelEntry, detail: str) -> None:
    st.error(f"{entry.name} could not be opened as a {FAMILIES[entry.family].name}. What went wrong:")
    st.text(detail.replace(str(entry.folder), entry.name))  # plain text, never markdown; no server path


@st.fragment(run_every=0.5)
def _progress(job: loading.LoadJob) -> None:
    if job.state != "loading":
        st.rerun(scope="app")
    total = human_bytes(job.entry.info.weights_bytes)
    st.progress(
        job.fraction,
        text=f"Loading {job.entry.name}: {human_bytes(job.bytes_read)} of {total} read "
        f"({job.seconds:.0f} s). The page opens when it is in memory; other students are not held up.",
    )


def opened_config(family: str, model: str):
    """The config of a chosen (loaded) model of a vision family, shared read-only."""
    return FAMILIES[family].registry.load(model).config


def model_name(family: str, model: str) -> str:
    """How the pages name a model :func:`choose_model` returned ("all-MiniLM-L6-v2", "bert-base-uncased")."""
    for entry in library().entries(family):
        if model in (entry.key, str(entry.folder)):
            return entry.name
    return model.rsplit("/", 1)[-1]
