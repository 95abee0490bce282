"""BERT-style text encoders (all-MiniLM-L6-v2 bundled; any Hugging Face BERT folder)."""
