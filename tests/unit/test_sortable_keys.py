"""repoints._sortable: digit keys as int64 (value × 32 + length), anything else left as text."""

import numpy as np

from kaigo_resource_plugin.core.repoints import _sortable


def test_digit_keys_become_value_and_length():
    got = _sortable(np.array(["0123", "123", "9", "00000000000000000", "99999999999999999"]))
    assert got.dtype == np.int64
    assert got.tolist() == [123 * 32 + 4, 123 * 32 + 3, 9 * 32 + 1, 0 * 32 + 17, 99999999999999999 * 32 + 17]


def test_other_keys_stay_text():
    for keys in (
        ["12a", "1"],  # a letter
        ["１２", "3"],  # full-width digits
        ["٣", "3"],  # a non-ASCII digit
        ["1" * 18, "2"],  # too long for int64 with the length
        ["12 ", "3"],  # a space
        ["1\x002", "3"],  # a NUL inside a key
        ["/", ":"],  # the characters on either side of 0-9
    ):
        arr = np.array(keys)
        got = _sortable(arr)
        assert got.dtype.kind == "U" and got.tolist() == arr.tolist()


def test_order_matches_text_keys_grouping():
    rng = np.random.default_rng(7)
    keys = np.array(
        ["0" * int(z) + str(v) for z, v in zip(rng.integers(0, 3, 3000), rng.integers(0, 10**9, 3000))]
    )
    ints = _sortable(keys)
    _, inv_text = np.unique(keys, return_inverse=True)
    _, inv_int = np.unique(ints, return_inverse=True)
    # same partition into groups: equal keys ↔ equal numbers
    pairs = set(zip(inv_text.ravel().tolist(), inv_int.ravel().tolist()))
    assert len(pairs) == len(set(inv_text.ravel().tolist())) == len(set(inv_int.ravel().tolist()))
