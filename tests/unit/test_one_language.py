"""core.language: which part of a bilingual message the user reads (issue #15 item 5)."""

from __future__ import annotations

from kaigo_resource_plugin.core.language import one_language, pair_lines, pick


def test_two_blocks_give_the_language_asked_for():
    text = "日本語フォントが見つかりません。\nNo Japanese font is installed."
    assert one_language(text, "ja") == "日本語フォントが見つかりません。"
    assert one_language(text, "en") == "No Japanese font is installed."
    two = "一行目です。\n二行目です。\nFirst line.\nSecond line."
    assert one_language(two, "en") == "First line.\nSecond line."


def test_one_line_with_a_slash_between_the_languages():
    text = "代表地点を決められない町丁字 3 件を除外しました / 3 chōme without a representative point skipped."
    assert one_language(text, "ja") == "代表地点を決められない町丁字 3 件を除外しました"
    assert one_language(text, "en") == "3 chōme without a representative point skipped."


def test_anything_else_is_left_whole():
    for text in (
        "空白地域: 5 / 10 町丁字、資源なし: 3",  # a ratio, not two languages
        "CSV: /tmp/a/b.csv",
        "大東市: 30.7 %",
        "Only English here.",
        "日本語だけです。",
        "三行目まで日本語です。\nそうです。\nEnglish one.",  # uneven: not a pair of blocks
    ):
        assert one_language(text, "ja") == text
        assert one_language(text, "en") == text


def test_consecutive_pairs_of_lines():
    lines = [
        "町丁キー 124 件のうち 124 件が一致。",
        "124 chōme keys: 124 matched.",
        "27218 大東市",
        "表です。",
    ]
    assert pair_lines(lines, "ja") == ["町丁キー 124 件のうち 124 件が一致。", "27218 大東市", "表です。"]
    assert pair_lines(lines, "en") == ["124 chōme keys: 124 matched.", "27218 大東市", "表です。"]
    assert pick("は", "is", "ja") == "は" and pick("は", "is", "fr") == "is"


def test_resource_layers_get_readable_names():
    from kaigo_resource_plugin.core.language import resource_type_label

    assert resource_type_label("convenience_osaka", "ja") == "コンビニエンスストア"
    assert resource_type_label("convenience_osaka", "en") == "Convenience stores"
    assert resource_type_label("library_osaka", "en") == "Libraries"
    assert resource_type_label("my_own_list", "ja") == "my own list"
    assert resource_type_label("コンビニ", "ja") == "コンビニ"
