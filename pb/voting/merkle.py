"""A Merkle root over receipt hashes: anyone can recompute it from the published list and compare.

Pure Python. Leaves are the receipt hashes sorted; a leaf is SHA-256(0x00 || hash), a node
SHA-256(0x01 || left || right), and a node without a partner moves up unchanged (RFC 6962 style
domain separation, so a leaf can never pass for a node). The root of no receipts is SHA-256 of nothing.

    python -m pb.voting.merkle receipts.txt     # prints the number of receipts and the root
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterable


def merkle_root(receipt_hashes: Iterable[str]) -> str:
    """The root over these receipt hashes (hex), in sorted order; duplicates are an error."""
    leaves = sorted(receipt_hashes)
    if len(set(leaves)) != len(leaves):
        raise ValueError("a receipt hash appears twice")
    level = [hashlib.sha256(b"\x00" + bytes.fromhex(h)).digest() for h in leaves]
    if not level:
        return hashlib.sha256(b"").hexdigest()
    while len(level) > 1:
        paired = [hashlib.sha256(b"\x01" + level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0].hex()


def read_receipts(text: str) -> list[str]:
    """The receipt hashes of a published list: one 64-hex-digit hash per line, blank lines ignored."""
    hashes = [line.strip().lower() for line in text.splitlines() if line.strip()]
    bad = [h for h in hashes if len(h) != 64 or any(c not in "0123456789abcdef" for c in h)]
    if bad:
        raise ValueError(f"not a receipt hash: {bad[0]!r}")
    return hashes


def main(argv: list[str] | None = None) -> int:
    """Print the count and root of a published receipts file."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m pb.voting.merkle RECEIPTS.txt", file=sys.stderr)
        return 2
    try:
        with open(args[0], encoding="utf-8") as handle:
            hashes = read_receipts(handle.read())
        print(f"{len(hashes)} receipts, root {merkle_root(hashes)}")
    except (OSError, ValueError) as error:
        print(f"merkle: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
