"""The model library page: what this server offers per family, the course's recommended checkpoints, and
(where the operator allows downloads) a Download button with a progress bar for each one missing.

Students see names, sizes and parameter counts, never server folders.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from viz.library import fetch as fetching
from viz.library.catalog import human_bytes, human_count, library
from viz.library.families import FAMILIES


def offered_section() -> None:
    lib = library()
    rows = [
        {
            "model": entry.name,
            "family": FAMILIES[entry.family].name,
            "parameters": human_count(entry.n_params) if entry.n_params else "–",
            "weights": human_bytes(entry.info.weights_bytes),
            "from": entry.source,
        }
        for entry in lib.entries()
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    skipped = sorted({info.model_type or "no model_type" for info in lib.unsupported()})
    if skipped:
        st.caption(
            f"Also found, but of families the app does not open: {', '.join(skipped)}. "
            "Each model page's sidebar offers the models of its family."
        )
    settings = lib.settings
    st.caption(
        f"Server settings: {len(settings.dirs)} operator folder(s); Hugging Face cache "
        f"{'scanned' if settings.scan_hf_cache else 'not scanned'}; typed folder paths "
        f"{'allowed' if settings.allow_paths else 'off'}; downloads from this page "
        f"{'allowed' if settings.allow_downloads else 'off'}; at most {settings.max_model_gb:g} GB of weights "
        "per model."
    )


def _start(short: str) -> None:
    fetching.start_fetch(short, on_done=library().refresh)


def recommended_section() -> None:
    lib = library()
    present = {entry.key for entry in lib.entries()}
    rows = [
        {
            "name": item.short,
            "repository": item.repo_id,
            "family": FAMILIES[item.family].name,
            "weights": f"about {item.megabytes} MB",
            "what": item.about,
            "here": "yes" if item.repo_id in present else "no",
        }
        for item in fetching.CURATED
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    if not lib.settings.allow_downloads:
        st.info(
            "Downloads from this page are off on this server. The operator fetches a model once with "
            "`python -m viz fetch <name>` (for example `python -m viz fetch vit-base`), on this machine or at "
            "home, then copies the Hugging Face cache; see the README.",
            icon=":material/download:",
        )
        return
    missing = [item for item in fetching.CURATED if item.repo_id not in present]
    for item in missing:
        left, right = st.columns([3, 1], vertical_alignment="center")
        left.markdown(f"**{item.short}** · {item.repo_id} · about {item.megabytes} MB")
        job = fetching.fetch_job(item.short)
        if job is None or job.state == "failed":
            right.button("Download", key=f"fetch_{item.short}", on_click=_start, args=(item.short,))
            if job is not None:
                left.error("The last download failed:")
                left.text(job.error)
        else:
            with left:
                _fetch_progress(item.short)


@st.fragment(run_every=1.0)
def _fetch_progress(short: str) -> None:
    job = fetching.fetch_job(short)
    if job is None:
        return
    if job.state == "done":
        st.success("Downloaded: it is in the model lists now.")
        return
    if job.state == "failed":
        st.rerun(scope="app")
    total = f" of {human_bytes(job.total)}" if job.total else ""
    st.progress(job.fraction, text=f"{human_bytes(job.done)}{total} downloaded")
