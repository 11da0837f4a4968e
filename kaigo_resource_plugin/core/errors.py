"""Errors that mean "the user gave something to change", carried in Japanese and English."""

from __future__ import annotations


class InputError(ValueError):
    """A problem with the user's input. str() gives the Japanese sentence, then the English one."""

    def __init__(self, ja: str, en: str):
        super().__init__(f"{ja}\n{en}")
        self.ja = ja
        self.en = en


class Cancelled(RuntimeError):
    """The user cancelled; nothing was written."""
