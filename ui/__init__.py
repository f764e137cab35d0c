"""Presentation: the `ops-assistant` command line and the Gradio chat UI."""
