"""The demo shop's fixed product catalogue: 50 items, built the same way on every start.

A fixed catalogue keeps responses deterministic, so tests can assert on exact results and two
runs of a benchmark against the demo server do the same work.
"""

from __future__ import annotations

from dataclasses import dataclass

_CATEGORIES: tuple[tuple[str, str, int], ...] = (
    # (category, SKU prefix, base price in cents)
    ("laptop", "LAP", 89_900),
    ("phone", "PHN", 49_900),
    ("tablet", "TAB", 39_900),
    ("monitor", "MON", 24_900),
    ("keyboard", "KEY", 7_900),
    ("mouse", "MOU", 3_900),
    ("headphones", "HDP", 12_900),
    ("speaker", "SPK", 9_900),
    ("camera", "CAM", 59_900),
    ("charger", "CHG", 2_900),
)
_MODELS: tuple[str, ...] = ("Air", "Pro", "Max", "Mini", "Studio")


@dataclass(frozen=True, slots=True)
class Product:
    """One catalogue item; ``price`` is in cents so JSON carries no float rounding."""

    id: int
    sku: str
    name: str
    category: str
    price: int

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "sku": self.sku,
            "name": self.name,
            "category": self.category,
            "price": self.price,
        }


def _build() -> tuple[Product, ...]:
    products: list[Product] = []
    for category, prefix, base in _CATEGORIES:
        for rank, model in enumerate(_MODELS):
            number = len(products) + 1
            products.append(
                Product(
                    id=number,
                    sku=f"{prefix}-{100 + rank * 11:03d}",
                    name=f"{category.title()} {model}",
                    category=category,
                    price=base + rank * 5_000,
                )
            )
    return tuple(products)


CATALOGUE: tuple[Product, ...] = _build()
_BY_ID: dict[int, Product] = {product.id: product for product in CATALOGUE}


def find_product(product_id: int) -> Product | None:
    return _BY_ID.get(product_id)


def search_products(query: str) -> list[Product]:
    """Case-insensitive substring match on name, category and SKU; an empty query lists all."""
    needle = query.strip().lower()
    if not needle:
        return list(CATALOGUE)
    return [
        product
        for product in CATALOGUE
        if needle in product.name.lower() or needle in product.category or needle in product.sku.lower()
    ]
