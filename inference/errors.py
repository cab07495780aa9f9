"""The engine's one error base: every problem it reports to a caller (bad input, a missing or broken
model) is an EngineError whose message names the problem and the fix, so a caller catches one type.
"""


class EngineError(Exception):
    """A request the engine cannot fulfil; ``str(error)`` is a sentence for the user, fix included."""
