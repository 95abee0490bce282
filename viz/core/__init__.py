"""The neutral base every model family stands on: the device, the thread policy of a shared server, one
folder registry, and the plumbing of Hugging Face folders (config fields, name tables, safetensors)."""
