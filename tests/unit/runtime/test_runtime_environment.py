"""What an Environment refuses and offers at construction, as Locust's does."""

from __future__ import annotations

import pytest

from horde.runtime.environment import Environment
from horde.runtime.events import Events
from horde.shapes.load_test_shape import LoadTestShape
from horde.user.task import tag
from horde.user.users import User


def make(name: str, weight: float = 1) -> type[User]:
    return type(name, (User,), {"weight": weight, "__module__": f"pkg.{name.lower()}_{weight}"})


def test_classes_by_name() -> None:
    a, b = make("A"), make("B")
    assert Environment(user_classes=[a, b], events=Events()).user_classes_by_name == {"A": a, "B": b}


def test_two_classes_with_one_name_are_refused_with_their_full_names() -> None:
    with pytest.raises(ValueError) as refused:
        Environment(user_classes=[make("Shopper", 1), make("Shopper", 2), make("Other")], events=Events())
    assert str(refused.value) == (
        "The following user classes have the same class name: pkg.shopper_1.Shopper, pkg.shopper_2.Shopper"
    )


def test_only_zero_weights_is_refused_in_locusts_words() -> None:
    with pytest.raises(ValueError, match=r"^There are no users with weight > 0\.$"):
        Environment(user_classes=[make("A", 0), make("B", 0)], events=Events())


def test_a_shape_class_instead_of_an_instance_is_refused() -> None:
    class Steps(LoadTestShape):
        def tick(self) -> None:
            return None

    with pytest.raises(ValueError, match="shape_class should be instance of LoadTestShape"):
        Environment(user_classes=[make("A")], shape_class=Steps, events=Events())  # type: ignore[arg-type]
    assert Environment(user_classes=[make("A")], shape_class=Steps(), events=Events()).shape_class is not None


def test_tags_given_to_the_environment_filter_the_tasks_as_with_minus_t() -> None:
    def plain(user: User) -> None:
        pass

    checkout = tag("checkout")(lambda user: None)
    browse = tag("browse")(lambda user: None)
    kept = type("Kept", (User,), {"tasks": [checkout, browse, plain]})
    Environment(user_classes=[kept], tags=["checkout"], events=Events())
    assert kept.tasks == [checkout]
    other = type("Other", (User,), {"tasks": [checkout, browse, plain]})
    Environment(user_classes=[other], exclude_tags=["checkout"], events=Events())
    assert other.tasks == [browse, plain]


def test_a_class_defined_in_a_function_has_locusts_fullname() -> None:
    class Local(User):
        pass

    assert Local.fullname() == f"{__name__}.test_a_class_defined_in_a_function_has_locusts_fullname.Local"
