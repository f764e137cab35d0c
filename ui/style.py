"""The page's look: theme (system fonts, so the page loads nothing from the internet; colours with
at least 4.5:1 contrast for text and a visible focus ring) and CSS, with the phone layout."""

from __future__ import annotations

import gradio as gr

SYSTEM_FONTS = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "sans-serif"]
MONO_FONTS = ["ui-monospace", "SFMono-Regular", "Menlo", "monospace"]


FOCUS = "#3730a3"  # indigo-800: >= 7:1 against the page and the inputs


def theme() -> gr.themes.Base:
    return gr.themes.Soft(primary_hue="indigo", neutral_hue="slate", font=SYSTEM_FONTS,
                          font_mono=MONO_FONTS).set(
        body_text_color_subdued="*neutral_600", body_text_color_subdued_dark="*neutral_300",
        input_placeholder_color="*neutral_600", input_placeholder_color_dark="*neutral_300",
        button_primary_background_fill="*primary_700",
        button_primary_background_fill_hover="*primary_800",
        button_primary_text_color="white")


CSS = """
.gradio-container {max-width: 1280px !important; margin: 0 auto;}
#title h1 {margin-bottom: 0;}
#title p {margin-top: 4px; color: var(--body-text-color-subdued);}
#chat h2 {font-size: 1.15em;}
#sources-title h2 {font-size: 1.1em; margin: 0;}
/* Gradio shows every message at opacity 0.8: the badges' text then falls below 4.5:1 */
#chat .message-wrap .prose.chatbot.md {opacity: 1;}
#chat .question {white-space: pre-wrap; overflow-wrap: anywhere;}
#chat .notice {margin-top: 6px; font-size: 0.85em; font-style: italic;}
#chat .answer .text {line-height: 1.55;}
#chat .answer .text p {margin: 0 0 6px;}
#chat .answer .text ul {margin: 2px 0 8px; padding-left: 1.3em; list-style: disc;}
#chat .answer .text li {margin: 3px 0;}
#chat a.cite {text-decoration: none; font-weight: 600; font-size: 0.8em; vertical-align: super;
  padding: 0 3px; border-radius: 4px; background: var(--color-accent-soft);}
#chat .sources {margin-top: 10px; padding-top: 6px;
  border-top: 1px solid var(--border-color-primary);}
#chat details.source {margin: 3px 0; font-size: 0.9em; border-radius: 6px;}
#chat details.source summary {cursor: pointer;}
#chat details.source[open] {background: var(--background-fill-secondary); padding: 4px 8px;}
#chat details.source.highlight {box-shadow: 0 0 0 2px var(--color-accent);}
#chat details.source blockquote, #sources blockquote {margin: 6px 0; padding-left: 10px;
  border-left: 3px solid var(--color-accent); font-style: italic; white-space: pre-wrap;}
#chat details.read-as {margin-top: 6px; font-size: 0.85em; color: var(--body-text-color-subdued);}
#chat details.read-as summary {cursor: pointer;}
#chat .answer.abstained {border-left: 4px solid #d97706; padding-left: 10px;}
#chat .pending .dots {font-style: italic; color: var(--body-text-color-subdued);}
.badge {display: inline-block; font-size: 0.78em; font-weight: 600; border-radius: 999px;
  padding: 1px 10px; margin-bottom: 6px; color: #92400e; background: #fef3c7;}
.badge.error {color: #991b1b; background: #fee2e2;}
.badge.recommendation {color: #3730a3; background: #e0e7ff;}
.problem {border-left: 4px solid #dc2626; padding-left: 10px;}
#problem .problem {padding: 10px 14px; background: #fef2f2; border-radius: 8px; color: #7f1d1d;}
#sources {max-height: 640px; overflow-y: auto;}
#sources .panel-for {font-size: 0.9em; color: var(--body-text-color-subdued); margin-bottom: 8px;}
#sources .source-card {border: 1px solid var(--border-color-primary); border-radius: 8px;
  padding: 8px 12px; margin-bottom: 8px; background: var(--background-fill-primary);}
#sources .source-card.highlight {border-color: var(--color-accent);
  box-shadow: 0 0 0 1px var(--color-accent);}
#sources .section {font-weight: 600; font-size: 0.92em;}
#sources .meta {font-size: 0.85em;}
.panel-empty {color: var(--body-text-color-subdued); font-style: italic; padding: 6px 0;}
#welcome .hint, #follow-ups .hint {font-size: 0.9em; color: var(--body-text-color-subdued);}
#follow-ups button, #welcome button {white-space: normal; text-align: left;}
#queued-note {font-size: 0.85em; color: var(--body-text-color-subdued); min-height: 0;
  margin: 0;}
#send:disabled {cursor: progress; opacity: 1; background: var(--neutral-600); color: white;}
footer, footer a, footer button, .show-api {color: var(--body-text-color-subdued) !important;}
#question textarea:focus, #question textarea:focus-visible, button:focus-visible,
a:focus-visible, summary:focus-visible {outline: 3px solid FOCUS !important;
  outline-offset: 2px;}
@media (max-width: 640px) {
  #title h1 {font-size: 1.6em;}
  #chat {height: min(460px, 58vh) !important;}
  #welcome, #follow-ups, #chat-actions {order: 2;}
}
""".replace("FOCUS", FOCUS)
