"""The neutral building blocks every model family is made of (torch modules, no family's names).

attention      multi-head attention written out, returning its trace; masks; a fused path without one
feed_forward   the position-wise feed-forward network and its activations
blocks         PostNormBlock (the paper, BERT) and PreNormBlock (GPT-2, ViT, Swin)
patch_embed    patches, their linear embedding, pixel normalisation
positional     the sinusoidal positional encoding (numpy)
outputs        ModelOutput, the base of what a model's forward returns

One convention across families:
- A layer's ``forward`` returns ``(output, trace)``: the tensor it passes on and a frozen dataclass of
  what it computed (:class:`viz.layers.attention.AttentionTrace`). With ``trace=False`` attention runs the
  fused kernel and the trace is None.
- A model's ``forward(inputs, ..., trace=True)`` returns one frozen ``<Family>Output`` dataclass: the
  single-stack families derive it from :class:`viz.layers.outputs.ModelOutput` (``hidden_states``,
  ``traces``, ``logits``), the encoder-decoder keeps one stack of traces per attention kind, Swin one trace
  per block with its windows. ``logits`` is None for a model without a head.
- Parts are named alike: ``blocks``, and inside a block ``attention``, ``attention_norm``, ``ffn``,
  ``ffn_norm`` (the decoder adds ``cross_attention``, ``cross_attention_norm``); a final LayerNorm is
  ``norm``; the position limit of a config is ``n_positions``; ``config.n_params`` is a property.
"""
