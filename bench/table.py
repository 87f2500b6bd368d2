"""Plain-text tables for the console: columns padded to their widest cell."""

from __future__ import annotations


def print_rows(rows: list[tuple[str, ...]], left_columns: int = 1) -> None:
    """Print ``rows`` (the first is the header); the first ``left_columns`` columns are left-aligned,
    the rest (numbers) right-aligned."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = (
            cell.ljust(width) if i < left_columns else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        )
        print("  ".join(cells).rstrip())
