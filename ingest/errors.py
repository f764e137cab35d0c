"""Expected failures: the CLI turns these into one clear message instead of a traceback."""


class OpsAssistantError(Exception):
    """Base of every error a user can cause or fix; `exit_code` is what the CLI exits with."""

    exit_code = 1


class ModelIntegrityError(OpsAssistantError):
    """The bundled embedding model is missing or is not the official weights."""


class StoreUnavailable(OpsAssistantError):
    """The Chroma server cannot be reached."""

    exit_code = 2


class IndexMissing(OpsAssistantError):
    """No index has been built yet, or it was deleted or damaged."""


class IndexDamaged(IndexMissing):
    """The embedded index folder is there but Chroma cannot read it (e.g. a corrupted database)."""


class BuildGone(OpsAssistantError):
    """The build being read was deleted by a newer ingest; readers re-open the active build.

    Reaches the user only when the index changed again during that retry.
    """


class MissingPaths(OpsAssistantError):
    """A file or folder named to ingest does not exist (a typo would otherwise drop from the
    index every file it held); nothing is ingested."""

    exit_code = 2


class NothingToIngest(OpsAssistantError):
    """Every path given to ingest was missing or unusable."""


class DataCheckError(OpsAssistantError):
    """A built index failed a check, so it was not switched in."""
