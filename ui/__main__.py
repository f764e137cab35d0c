"""`python -m ui`: serve the chat UI, the same as `ops-assistant ui`."""

from ui.serve import main

main()
