"""Which class each new user gets: fixed counts first, then a smooth weighted interleaving."""

from __future__ import annotations

from horde.shapes.dispatch import next_user_class, target_counts


def make(name: str, weight: float = 1, fixed_count: int = 0) -> type:
    return type(name, (), {"weight": weight, "fixed_count": fixed_count})


def sequence(classes: list[type], n: int) -> list[str]:
    counts: dict[type, int] = {}
    names = []
    for _ in range(n):
        chosen = next_user_class(classes, counts)
        counts[chosen] = counts.get(chosen, 0) + 1
        names.append(chosen.__name__)
    return names


def test_weights_5_to_1_interleave_smoothly() -> None:
    a, b = make("A", 5), make("B", 1)
    assert sequence([a, b], 12) == list("AAABAAAAABAA")


def test_every_prefix_is_within_one_user_of_the_weights() -> None:
    classes = [make("A", 3), make("B", 2), make("C", 0.5)]
    counts: dict[type, int] = {}
    for n in range(1, 500):
        chosen = next_user_class(classes, counts)
        counts[chosen] = counts.get(chosen, 0) + 1
        for c in classes:
            assert abs(counts.get(c, 0) - n * c.weight / 5.5) < 1.0


def test_fixed_count_classes_are_spawned_first_and_capped() -> None:
    a, fixed = make("A", 1), make("Z", fixed_count=2)
    assert sequence([a, fixed], 5) == ["Z", "Z", "A", "A", "A"]
    assert target_counts([a, fixed], 5) == {a: 3, fixed: 2}


def test_only_fixed_classes_stop_at_their_total() -> None:
    fixed = make("F", fixed_count=3)
    assert target_counts([fixed], 10) == {fixed: 3}


def test_target_counts_match_weights_exactly_when_divisible() -> None:
    a, b = make("A", 20), make("B", 25)
    assert target_counts([a, b], 45) == {a: 20, b: 25}


def stepped(classes: list[type], user_count: int) -> dict[type, int]:
    """The counts after stepping next_user_class from zero (what target_counts must equal)."""
    counts = {c: 0 for c in classes}
    for _ in range(user_count):
        user_class = next_user_class(classes, counts)
        if user_class is None:
            break
        counts[user_class] += 1
    return counts


def test_target_counts_from_checkpoints_equal_the_sequence_stepped_from_zero() -> None:
    weighted = [make("A", weight=3), make("B", weight=1), make("C", fixed_count=5)]
    fixed_only = [make("D", fixed_count=1500), make("E", fixed_count=7)]  # ends after 1,507
    for classes in (weighted, fixed_only):
        for n in (0, 1, 5, 1023, 1024, 1025, 1507, 1508, 5000, 2049, 3, 4097):  # up, down, past the end
            assert target_counts(classes, n) == stepped(classes, n), (classes, n)
    assert target_counts(weighted, 100_000) == {weighted[0]: 74_996, weighted[1]: 24_999, weighted[2]: 5}


def test_edited_weights_make_another_sequence() -> None:
    first, second = make("A", weight=1), make("B", weight=1)
    assert target_counts([first, second], 2000) == {first: 1000, second: 1000}
    second.weight = 3
    assert target_counts([first, second], 2000) == {first: 500, second: 1500}
