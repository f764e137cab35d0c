"""Bytes of a corpus file to text: a byte-order mark first, then UTF-8, then a detected encoding."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

UTF8 = "utf-8"
PDF_TEXT = "pdf"  # the `encoding` of a PDF's text: pypdf reads it, no codec is involved
# Longest first: the UTF-32-LE mark starts with the UTF-16-LE one.
BOMS = [(codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
        (codecs.BOM_UTF8, UTF8), (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be")]
# Named when it reads the bytes as well as the detector's pick: Windows-1252 is what most
# legacy Western text is in, and the detector often names a sibling code page that gives the
# same characters for it.
COMMON_LEGACY = "cp1252"
# What the detector may pick for a short Windows-1252 text (0x80 is "€" in Windows-1252, "Ç"
# in cp850, "Ć" in cp775): MS-DOS code pages, which hardly any file is in today, and Western
# single-byte ones. Windows-1252 wins over them when it reads the bytes at all.
DOS_PAGE = re.compile(r"cp(?:4|7|8)\d\d$")
WESTERN = {"latin_1", "iso8859_15", "mac_roman"}
CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
MAX_CONTROL_SHARE = 0.01  # text has next to no control characters; binary data is full of them


@dataclass(frozen=True)
class Decoded:
    """A file's text and the encoding it was read in (a codec name, e.g. "utf-16-le")."""

    text: str
    encoding: str


def decode(raw: bytes) -> Decoded | str:
    """`raw` as text, or why it is not text ("binary file ...", a BOM that does not decode).

    A byte-order mark decides; else NUL bytes mean binary data; else strict UTF-8; else
    charset-normalizer's detection. Text that decodes but is full of control characters is
    taken for binary data too.
    """
    for bom, encoding in BOMS:
        if raw.startswith(bom):
            try:
                return _checked(Decoded(raw[len(bom):].decode(encoding), encoding))
            except UnicodeDecodeError as error:
                return f"starts with a {encoding} byte-order mark but is not {encoding} text " \
                       f"({error.reason} at byte {error.start + len(bom)})"
    if b"\x00" in raw:  # guessing UTF-16 without its mark reads any binary data as text
        return "binary file (NUL bytes; UTF-16 or UTF-32 text needs a byte-order mark)"
    try:
        return _checked(Decoded(raw.decode(UTF8), UTF8))
    except UnicodeDecodeError:
        pass
    detected = _detect(raw)
    if detected is None:
        return "binary file: not text in any encoding charset-normalizer knows"
    return _checked(detected)


def _detect(raw: bytes) -> Decoded | None:
    """charset-normalizer's best reading of `raw`, named Windows-1252 when that reads it as well."""
    from charset_normalizer import from_bytes  # imported here: only non-UTF-8 files need it

    matches = from_bytes(raw)
    best = matches.best()
    if best is None:
        return None
    if (COMMON_LEGACY in best.could_be_from_charset or best.encoding in WESTERN
            or DOS_PAGE.match(best.encoding)):
        try:
            return Decoded(raw.decode(COMMON_LEGACY), COMMON_LEGACY)
        except UnicodeDecodeError:  # a byte Windows-1252 leaves undefined: the detector's pick
            pass
    tied = next((m for m in matches if m.encoding == COMMON_LEGACY and m.chaos <= best.chaos
                 and m.coherence >= best.coherence), None)
    chosen = tied or best
    return Decoded(str(chosen), codecs.lookup(chosen.encoding).name)


def _checked(decoded: Decoded) -> Decoded | str:
    controls = len(CONTROL.findall(decoded.text))
    if controls > MAX_CONTROL_SHARE * max(len(decoded.text), 1):
        return f"binary file: {controls} control characters in it read as {decoded.encoding}"
    return decoded
