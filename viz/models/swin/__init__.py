"""The Swin Transformer of Liu et al. (2021) (the bundled shapes Swin; Hugging Face Swin folders)."""
