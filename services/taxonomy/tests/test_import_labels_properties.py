"""Property tests of the label-splitting parser."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from overstap_taxonomy.importer.labels import clean_label, split_labels, unique_labels

# Labels as written in ESCO cells: no line breaks, no bar (a bar between spaces would be a separator).
plain_label = st.text(st.characters(blacklist_characters="\r\n|", blacklist_categories=("Cs",)), max_size=30)
any_cell = st.text(st.characters(blacklist_categories=("Cs",)), max_size=80)


def _expected(labels: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(c for c in (clean_label(label) for label in labels) if c))


@given(st.lists(plain_label, max_size=8))
def test_line_separated_labels_round_trip(labels: list[str]) -> None:
    assert split_labels("\n".join(labels)) == _expected(labels)


@given(st.lists(plain_label, max_size=8))
def test_bar_separated_labels_round_trip(labels: list[str]) -> None:
    assert split_labels(" | ".join(labels)) == _expected(labels)


@given(st.lists(plain_label, max_size=8), st.sampled_from(["\r\n", "\r", "\n", " | ", "\t|  "]))
def test_every_separator_splits_alike(labels: list[str], separator: str) -> None:
    assert split_labels(separator.join(labels)) == split_labels("\n".join(labels))


@given(any_cell)
def test_output_labels_are_clean_unique_and_single_line(cell: str) -> None:
    labels = split_labels(cell)
    assert len(set(labels)) == len(labels)
    for label in labels:
        assert label and label == clean_label(label)
        assert "\n" not in label and "\r" not in label
        assert " | " not in label


@given(any_cell)
def test_splitting_is_idempotent(cell: str) -> None:
    labels = split_labels(cell)
    assert split_labels("\n".join(labels)) == labels
    assert split_labels(" | ".join(labels)) == labels


@given(st.lists(plain_label, max_size=8), plain_label)
def test_unique_labels_drop_case_duplicates_and_excluded(labels: list[str], excluded: str) -> None:
    out = unique_labels(labels, exclude=[excluded])
    keys = [label.casefold() for label in out]
    assert len(set(keys)) == len(keys)
    assert clean_label(excluded).casefold() not in keys or not clean_label(excluded)
