"""Train a small encoder-decoder in the page, watch it learn, then compare it with the bundled model.

The run itself lives in :func:`viz.training.live.training_queue` (one per server process, one run at a
time); this session keeps only the run's id, so reruns and other sessions never stop it.
"""

from __future__ import annotations

import streamlit as st

from viz.figures.seq2seq import alignment_heatmap, training_curves
from viz.tasks import TASKS
from viz.tasks.vocab import InputError
from viz.trace.seq2seq import translate
from viz.training.live import MAX_SECONDS, QueueFullError, RunView, training_queue
from viz.training.train import TrainSettings
from viz.ui.export import chart
from viz.ui.seq2seq import show_input_error

RUN_KEY = "live_run_id"
LIVE_PRESETS = {"tiny": "tiny: 86K parameters", "small": "small: 430K parameters"}
PRESET_HELP = (
    "tiny: 1 encoder and 1 decoder layer, h = 4, d_model = 64, d_ff = 128. "
    "small (as the bundled models): 2 and 2 layers, h = 4, d_model = 96, d_ff = 256."
)


FULL_KEY = "live_queue_full"


def _session_id() -> str | None:
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return None if ctx is None else ctx.session_id


def _start(settings: TrainSettings) -> None:
    try:  # one run per session: asking again gives this session's run back
        st.session_state[RUN_KEY] = training_queue().submit(settings, owner=_session_id())
        st.session_state.pop(FULL_KEY, None)
    except QueueFullError as err:
        st.session_state[FULL_KEY] = str(err)


def _stop() -> None:
    run_id = st.session_state.get(RUN_KEY)
    if run_id:
        training_queue().stop(run_id)


def settings_form(active: bool) -> TrainSettings:
    cols = st.columns(5)
    task = cols[0].selectbox(
        "Task to learn", list(TASKS), key="train_task", format_func=lambda n: TASKS[n].title
    )
    preset = cols[1].selectbox(
        "Model size",
        list(LIVE_PRESETS),
        key="train_preset",
        format_func=lambda n: LIVE_PRESETS[n],
        help=PRESET_HELP,
    )
    if task == "date":
        length = None
        cols[2].caption("Dates: all 19 formats")
    else:
        length = cols[2].slider("Longest input", 2, TASKS[task].max_input_len, 8, key="train_len")
    steps = cols[3].number_input("Training steps", 1, 5000, 1500, step=100, key="train_steps")
    seed = cols[4].number_input("Seed", 0, 10_000, 0, key="train_seed")
    settings = TrainSettings(
        task=task,
        preset=preset,
        max_input_len=length,
        steps=int(steps),
        seed=int(seed),
        eval_every=50,
        eval_size=200,
        max_seconds=MAX_SECONDS,
    )
    start, stop, status = st.columns([1, 1, 5], vertical_alignment="center")
    start.button(
        "Train",
        key="train_start",
        type="primary",
        on_click=_start,
        args=(settings,),
        disabled=active,
        icon=":material/play_arrow:",
    )
    stop.button("Stop", key="train_stop", on_click=_stop, disabled=not active, icon=":material/stop:")
    if st.session_state.get(FULL_KEY):
        st.warning(st.session_state[FULL_KEY], icon=":material/hourglass_full:")
    running, waiting = training_queue().counts()
    status.caption(
        f"This server trains one model at a time (now {running} running, {waiting} waiting, one run per "
        f"student); each run stops after {MAX_SECONDS:.0f} s at most."
    )
    return settings


def show_run(view: RunView) -> None:
    """Status, progress bar and the live loss / accuracy chart of one run."""
    s = view.settings
    what = f"{TASKS[s.task].title}, {s.preset} model, {s.steps} steps"
    if view.status == "queued":
        st.info(
            f"Your run ({what}) is number {view.position} in the queue: {view.position - 1} ahead of it.",
            icon=":material/hourglass_top:",
        )
    elif view.status == "failed":
        st.error(f"Training failed: {view.error}")
    elif view.status == "dropped":
        st.info("Your run was dropped from the queue: its page stopped asking for it. Start it again.")
    else:
        label = {"running": "Training", "done": "Finished", "stopped": "Stopped"}[view.status]
        st.progress(
            view.fraction,
            text=f"{label}: step {view.step} of {s.steps}, {view.seconds:.0f} s "
            f"({what}, {view.threads or '?'} thread(s))",
        )
    if view.history:
        last = view.history[-1]
        cols = st.columns(3)
        cols[0].metric("Step", f"{last.step}")
        cols[1].metric("Training loss", f"{last.loss:.3f}")
        cols[2].metric("Held-out exact match", "–" if view.accuracy is None else f"{view.accuracy:.0%}")
        figure = training_curves(
            [p.step for p in view.history],
            [p.loss for p in view.history],
            [p.accuracy for p in view.history],
            "Live training: loss and held-out exact match",
            max_steps=s.steps,
        )
        history = [
            {"step": p.step, "loss": p.loss, "held_out_exact_match": p.accuracy, "seconds": p.seconds}
            for p in view.history
        ]
        chart(figure, "train_curve", history, filename="training_curve")


def compare(view: RunView, text: str, page_task: str) -> None:
    """Decode with the fresh model and the bundled one; their cross-attention side by side."""
    model = training_queue().model(view.id)
    if model is None:
        return
    task = view.settings.task
    if task != page_task:
        text = TASKS[task].default_input
    st.subheader("Fresh model against the bundled checkpoint")
    if view.settings.max_input_len and view.settings.max_input_len < TASKS[task].max_input_len:
        st.caption(
            f"The fresh model saw inputs of at most {view.settings.max_input_len} characters; "
            "longer ones are new to it."
        )
    try:
        fresh = translate(text, task=task, model=model)
        bundled = translate(text, task=task)
    except InputError as err:
        show_input_error(err)
        return
    for col, trace, name in zip(st.columns(2), (fresh, bundled), ("Fresh model", "Bundled model")):
        with col:
            st.caption(f"{name}: output")
            st.code(trace.output_text or "(empty)", language=None)
            weights = trace.cross_attentions[-1].mean(axis=0)
            chart(
                fig=alignment_heatmap(
                    weights,
                    trace.output_tokens,
                    trace.input_tokens,
                    f"{name}: cross-attention, last layer, mean of heads",
                ),
                key=f"train_compare_{name.split()[0].lower()}",
            )


def render_live_training(text: str, page_task: str) -> None:
    run_id = st.session_state.get(RUN_KEY)
    view = training_queue().view(run_id) if run_id else None
    if run_id and view is None:
        st.info("Your last run is no longer kept on the server; start a new one.")
    settings_form(active=bool(view and view.active))

    @st.fragment(run_every=1.0 if view is not None and view.active else None)
    def live() -> None:
        current = training_queue().view(run_id) if run_id else None
        if current is None:
            return
        show_run(current)
        if view is not None and view.active and not current.active:
            st.rerun()  # finished: redraw the whole page (buttons, comparison), and stop polling

    live()
    if view is not None and view.finished:
        compare(view, text, page_task)
