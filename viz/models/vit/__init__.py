"""The Vision Transformer of Dosovitskiy et al. (2021) (the bundled shapes ViT; Hugging Face ViT folders)."""
