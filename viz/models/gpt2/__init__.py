"""GPT-2-style decoder-only language models (a bundled one; any Hugging Face GPT-2 folder)."""
