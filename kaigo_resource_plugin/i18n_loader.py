"""Locale detection and the Qt translator for the plugin's .qm file."""

from __future__ import annotations

import os

from qgis.PyQt.QtCore import QCoreApplication, QLocale, QSettings, QTranslator

PLUGIN_DIR = os.path.dirname(__file__)


def qgis_locale() -> str:
    """Two-letter language code QGIS runs in ("ja", "en", ...)."""
    env = os.environ.get("KAIGO_LANG")
    if env:
        return env[:2].lower()
    settings = QSettings()
    override = settings.value("locale/overrideFlag", False, type=bool)
    name = settings.value("locale/userLocale", "", type=str) if override else ""
    if not name:
        name = QLocale.system().name()
    return (name or "en")[:2].lower()


def output_language() -> str:
    """Language of chart labels and tables: Japanese by default, English when QGIS runs in English."""
    return "en" if qgis_locale() == "en" else "ja"


def say(ja: str, en: str) -> str:
    """The sentence in the language of what the user reads: Japanese in Japanese QGIS, else English."""
    return ja if output_language() == "ja" else en


def install_translator():
    lang = qgis_locale()
    path = os.path.join(PLUGIN_DIR, "i18n", f"kaigo_resource_plugin_{lang}.qm")
    if not os.path.exists(path):
        return None
    translator = QTranslator()
    if translator.load(path):
        QCoreApplication.installTranslator(translator)
        return translator
    return None
