"""A drawing pad in the browser: a student draws a shape with mouse, finger or pen; the vision pages trace it.

The app's own small component (Streamlit's components v2: inline HTML, CSS and a JavaScript module; nothing
is fetched from the internet). The pad is a square white canvas drawn with pointer events (mouse, touch and
pen alike, ``touch-action: none`` so a finger draws instead of scrolling), with a pen width (thin or marker),
three colours and "Undo" and "Clear" buttons; these stay in the browser (drawing tools, not a view: not in
the address). When a stroke ends the canvas is sent to Python as a PNG data URL (the component's state
``image``; "" once the pad is cleared or every stroke undone).

What arrives is untrusted text: :func:`decode_drawing` refuses anything over :data:`MAX_DATA_URL_CHARS`,
anything but a base64 PNG data URL, and then reads the bytes with :func:`viz.data.images.read_image`, so
every bound an upload has (bytes, header, dimensions, decoded memory) applies to a drawing too.
"""

from __future__ import annotations

import base64
import binascii
import hashlib

import streamlit as st

from viz.data.images import ImageInputError, LoadedImage, read_image

#: The longest data URL accepted from the pad (a 320 x 320 drawing is a few tens of kilobytes).
MAX_DATA_URL_CHARS = 2 * 1024 * 1024
PNG_PREFIX = "data:image/png;base64,"
#: The canvas's own pixels a side (it is shown at most this wide, smaller on a narrow phone).
CANVAS_SIDE = 320
#: Pen widths in canvas pixels: a thin pen and a marker (about 1 and 3 pixels of the model's 64 x 64 input).
PEN_WIDTHS = {"Thin pen": 5, "Marker": 16}
PEN_COLOURS = {"Black": "#111111", "Blue": "#1f4fd1", "Red": "#d12a1f"}


def _options(name: str, choices: dict, checked: str, swatch: bool = False) -> str:
    """A group of radio buttons, one per choice (label -> value), ``checked`` picked."""
    items = []
    for label, value in choices.items():
        mark = " checked" if label == checked else ""
        dot = f'<span class="swatch" style="background:{value}"></span> ' if swatch else ""
        items.append(f'<label><input type="radio" name="{name}" value="{value}"{mark}> {dot}{label}</label>')
    return "".join(items)


_HTML = f"""
<div class="pad" role="group" aria-label="Drawing pad">
  <canvas class="paper" width="{CANVAS_SIDE}" height="{CANVAS_SIDE}" role="img"
    aria-label="Drawing pad: draw one shape with the mouse, a finger or a pen"></canvas>
  <div class="tools">
    <fieldset class="choice"><legend>Pen</legend>{_options("width", PEN_WIDTHS, "Marker")}</fieldset>
    <fieldset class="choice"><legend>Colour</legend>
      {_options("colour", PEN_COLOURS, "Black", swatch=True)}
    </fieldset>
    <div class="buttons">
      <button type="button" class="undo" aria-label="Undo the last stroke">Undo</button>
      <button type="button" class="clear" aria-label="Clear the drawing pad">Clear</button>
    </div>
    <p class="status" aria-live="polite">Draw a shape: it is read when you lift the pen.</p>
  </div>
</div>
"""

# Type at least 16 px, and the page's own rem where that is larger (22 px in presenter mode); a white sheet.
_CSS = f"""
.pad {{ display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-start; font-size: max(16px, 1rem);
        font-family: var(--st-font, sans-serif); color: var(--st-text-color, #111); }}
.paper {{ width: min({CANVAS_SIDE}px, 100%); aspect-ratio: 1 / 1; background: #ffffff;
          border: 2px solid #8a8a8a; border-radius: 6px; touch-action: none; cursor: crosshair;
          box-shadow: 0 1px 4px rgba(0, 0, 0, 0.15); }}
.tools {{ display: flex; flex-direction: column; gap: 0.75rem; min-width: 12rem; }}
.choice input, .buttons button {{ accent-color: var(--st-primary-color, #1f4fd1); }}
.choice {{ border: 1px solid #b0b0b0; border-radius: 6px; padding: 0.4rem 0.75rem 0.6rem; margin: 0;
           display: flex; flex-wrap: wrap; gap: 0.4rem 1rem; }}
.choice legend {{ font-size: max(16px, 1rem); font-weight: 600; padding: 0 0.25rem; }}
.choice label {{ font-size: max(16px, 1rem); display: inline-flex; align-items: center; gap: 0.3rem;
                 cursor: pointer;
                 min-height: 32px; }}
.choice input {{ width: 18px; height: 18px; margin: 0; }}
.swatch {{ display: inline-block; width: 16px; height: 16px; border-radius: 50%;
           border: 1px solid #555; }}
.buttons {{ display: flex; gap: 0.75rem; }}
.buttons button {{ font: inherit; font-size: max(16px, 1rem); min-height: 40px; min-width: 6rem;
                   padding: 0.3rem 1rem; cursor: pointer;
                   border: 1px solid #8a8a8a; border-radius: 6px; background: #f4f4f4; color: #111; }}
.buttons button:hover {{ background: #e6e6e6; }}
.buttons button:focus-visible {{ outline: 3px solid var(--st-primary-color, #1f4fd1); outline-offset: 2px; }}
.status {{ font-size: max(16px, 1rem); margin: 0; max-width: 20rem; }}
"""

# The module Streamlit calls on every mount and whenever ``data`` changes: it sets the pad up once (the
# strokes live on the canvas element) and hands back the same cleanup function each time.
_JS = """
export default function (component) {
  const { parentElement, data, setStateValue } = component;
  const canvas = parentElement.querySelector('canvas.paper');
  if (!canvas) return;
  if (canvas.__pad) return canvas.__pad.cleanup;
  const ctx = canvas.getContext('2d');
  const status = parentElement.querySelector('.status');
  const strokes = [];
  let base = null;  // the drawing sent before the pad was last shown (restored, under the strokes)
  let current = null;

  const paint = () => {
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    if (base) ctx.drawImage(base, 0, 0, canvas.width, canvas.height);
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    for (const s of strokes) {
      ctx.strokeStyle = s.colour;
      ctx.fillStyle = s.colour;
      ctx.lineWidth = s.width;
      if (s.points.length === 1) {
        ctx.beginPath();
        ctx.arc(s.points[0][0], s.points[0][1], s.width / 2, 0, 2 * Math.PI);
        ctx.fill();
        continue;
      }
      ctx.beginPath();
      ctx.moveTo(s.points[0][0], s.points[0][1]);
      for (const [x, y] of s.points.slice(1)) ctx.lineTo(x, y);
      ctx.stroke();
    }
  };
  const empty = () => strokes.length === 0 && base === null;
  const say = (text) => { status.textContent = text; };
  const send = () => {
    setStateValue('image', empty() ? '' : canvas.toDataURL('image/png'));
  };
  const chosen = (name) => parentElement.querySelector(`input[name="${name}"]:checked`).value;
  const point = (event) => {
    const rect = canvas.getBoundingClientRect();
    return [
      (event.clientX - rect.left) * (canvas.width / rect.width),
      (event.clientY - rect.top) * (canvas.height / rect.height),
    ];
  };

  const down = (event) => {
    if (event.button !== undefined && event.button > 0) return;  // only the main button draws
    event.preventDefault();
    canvas.setPointerCapture(event.pointerId);
    current = { colour: chosen('colour'), width: Number(chosen('width')), points: [point(event)] };
    strokes.push(current);
    paint();
  };
  const move = (event) => {
    if (!current) return;
    event.preventDefault();
    const events = event.getCoalescedEvents ? event.getCoalescedEvents() : [event];
    for (const e of (events.length ? events : [event])) current.points.push(point(e));
    paint();
  };
  const up = (event) => {
    if (!current) return;
    current = null;
    if (canvas.hasPointerCapture(event.pointerId)) canvas.releasePointerCapture(event.pointerId);
    say(`${strokes.length} stroke${strokes.length === 1 ? '' : 's'}: sent to the model.`);
    send();
  };
  const undo = () => {
    if (strokes.length === 0) { say('Nothing to undo.'); return; }
    strokes.pop();
    paint();
    say(empty() ? 'The pad is empty.' : 'Last stroke undone.');
    send();
  };
  const clear = () => {
    strokes.length = 0;
    base = null;
    paint();
    say('The pad is empty.');
    send();
  };

  canvas.addEventListener('pointerdown', down);
  canvas.addEventListener('pointermove', move);
  canvas.addEventListener('pointerup', up);
  canvas.addEventListener('pointercancel', up);
  const undoButton = parentElement.querySelector('button.undo');
  const clearButton = parentElement.querySelector('button.clear');
  undoButton.addEventListener('click', undo);
  clearButton.addEventListener('click', clear);
  const cleanup = () => {
    canvas.removeEventListener('pointerdown', down);
    canvas.removeEventListener('pointermove', move);
    canvas.removeEventListener('pointerup', up);
    canvas.removeEventListener('pointercancel', up);
    undoButton.removeEventListener('click', undo);
    clearButton.removeEventListener('click', clear);
    delete canvas.__pad;
  };
  canvas.__pad = { cleanup };
  paint();
  const restore = data && typeof data.restore === 'string' ? data.restore : '';
  if (restore.startsWith('data:image/png;base64,')) {
    const image = new Image();
    image.onload = () => { base = image; paint(); say('Your last drawing: draw on, or clear it.'); };
    image.src = restore;
  }
  return cleanup;
}
"""

_PAD = st.components.v2.component("viz_drawing_pad", html=_HTML, css=_CSS, js=_JS)


def decode_drawing(data_url: object) -> LoadedImage | None:
    """The pad's PNG data URL read as an image; None for an empty pad ("" or None).

    Raises:
        ImageInputError: for anything but a base64 PNG data URL of at most :data:`MAX_DATA_URL_CHARS`
            characters, or for bytes :func:`read_image` refuses (its fixed messages).
    """
    if data_url is None or data_url == "":
        return None
    if not isinstance(data_url, str):
        raise ImageInputError("The drawing did not arrive as a picture; clear the pad and draw again.")
    if len(data_url) > MAX_DATA_URL_CHARS:
        raise ImageInputError(
            f"The drawing is too large to read ({len(data_url) / 2**20:.1f} MB of data; "
            f"the limit is {MAX_DATA_URL_CHARS // 2**20} MB)."
        )
    if not data_url.startswith(PNG_PREFIX):
        raise ImageInputError("The drawing did not arrive as a PNG picture; clear the pad and draw again.")
    try:
        data = base64.b64decode(data_url[len(PNG_PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        raise ImageInputError("The drawing arrived damaged; clear the pad and draw again.") from None
    image = read_image(data)
    if image.format != "PNG":
        raise ImageInputError("The drawing did not arrive as a PNG picture; clear the pad and draw again.")
    return image


def _memory(key: str) -> dict:
    """What the pad last sent, kept across reruns and page switches (a plain dict, never a widget key)."""
    return st.session_state.setdefault(
        f"{key}_drawing", {"url": "", "digest": "", "image": None, "error": None, "strokes": 0}
    )


def remember(key: str, data_url: object) -> None:
    """Read ``data_url`` (what the pad sent) into the pad's memory, unless it is what was read last."""
    memory = _memory(key)
    text = data_url if isinstance(data_url, str) else repr(type(data_url))
    digest = hashlib.sha256(text[: MAX_DATA_URL_CHARS + 1].encode("utf-8", "replace")).hexdigest()
    if digest == memory["digest"]:
        return
    memory["digest"] = digest
    try:
        image = decode_drawing(data_url)
    except ImageInputError as err:
        memory.update(url="", image=None, error=str(err))
        return
    memory.update(url=data_url if image is not None else "", image=image, error=None)


def drawing_pad(key: str, empty_hint: str | None = None) -> LoadedImage | None:
    """The pad, and the drawing on it as read: None while the pad is empty (after ``empty_hint``, when given)
    or after a refusal (its message shown).

    ``key`` names the pad; its last drawing stays in ``st.session_state[f"{key}_drawing"]`` so that it is
    still there (and repainted on the pad) after a switch to another source or page.
    """
    memory = _memory(key)
    result = _PAD(key=key, data={"restore": memory["url"]}, on_image_change=lambda: None)
    sent = result.get("image") if result is not None else None
    if sent is not None:  # None: nothing sent since the pad was shown (the memory stands)
        remember(key, sent)
    if memory["error"]:
        st.error(memory["error"])
        return None
    if memory["image"] is None and empty_hint:
        st.info(empty_hint)
    return memory["image"]
