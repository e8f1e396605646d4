"""Configuration: typed models, shipped presets, and the layers they are loaded from."""
