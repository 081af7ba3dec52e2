"""The bound on text per document: checked while reading, so that nothing too large (a huge
file, a decompression bomb) is ever held whole."""

from __future__ import annotations

import gzip
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geomap.errors import InputError
from geomap.sources.limits import (MAX_CHARS, TooLong, byte_bound, check_text, gunzip_lines, max_chars_from, parse_chars,
                           read_bounded, read_file_bounded)


def _bomb(megabytes: int, unit: bytes = b"\0") -> bytes:
    """gzip data that decompresses to ``megabytes`` MiB of ``unit`` repeated: one member of
    16 MiB, repeated (gzip members may be concatenated)."""
    member = gzip.compress(unit * ((16 << 20) // len(unit)), compresslevel=9)
    return member * max(1, megabytes // 16)


def test_the_bound_comes_from_the_environment_or_the_default():
    assert max_chars_from({}) == MAX_CHARS == 20_000_000
    assert max_chars_from({"GEOMAP_MAX_CHARS": "5M"}) == 5_000_000
    with pytest.raises(InputError, match="GEOMAP_MAX_CHARS=lots.*unset it"):
        max_chars_from({"GEOMAP_MAX_CHARS": "lots"})


@pytest.mark.parametrize("bad", ["", "0", "-5", "12x", "M"])
def test_a_bound_must_be_a_positive_number(bad):
    with pytest.raises(ValueError, match="positive number of characters"):
        parse_chars(bad)


@settings(max_examples=200)
@given(st.text(max_size=60), st.integers(1, 80))
def test_no_text_beyond_the_bound_fits_in_the_byte_bound(text, max_chars):
    for encoding in ("utf-8", "utf-16", "utf-32", "utf-8-sig"):
        data = text.encode(encoding, errors="surrogatepass")
        if len(text) > max_chars:
            assert len(data) > byte_bound(max_chars) or len(data) >= len(text)  # the bytes hold every char
        if len(data) > byte_bound(max_chars):
            assert len(text) > max_chars


def test_a_text_beyond_the_bound_is_refused_in_one_line_that_says_what_to_do():
    assert check_text("a.txt", "Kyiv", 4) == "Kyiv"
    with pytest.raises(TooLong) as caught:
        check_text("a.txt", "Kyiv!", 4)
    message = str(caught.value)
    assert "\n" not in message and message.startswith("a.txt holds 5 characters")
    assert "--max-chars" in message and "GEOMAP_MAX_CHARS" in message


def test_a_file_beyond_the_byte_bound_is_refused_on_its_size(tmp_path):
    import tracemalloc

    path = tmp_path / "big.txt"
    with path.open("wb") as handle:
        handle.truncate(100 * 2**30)  # a sparse 100 GiB file: refused unread
    tracemalloc.start()
    try:
        with pytest.raises(TooLong, match=r"big.txt is 107,374,182,400 bytes"):
            read_file_bounded(path, MAX_CHARS)
        assert tracemalloc.get_traced_memory()[1] < 1_000_000
    finally:
        tracemalloc.stop()
    path.write_bytes("Київ".encode("utf-16"))
    assert read_file_bounded(path, 4) == "Київ".encode("utf-16")


def test_standard_input_is_read_only_up_to_the_bound():
    stream = io.BytesIO(b"x" * 1000)
    with pytest.raises(TooLong, match="<stdin> is larger than 44 bytes"):
        read_bounded("<stdin>", stream, 10)
    assert stream.tell() == byte_bound(10) + 1
    assert read_bounded("<stdin>", io.BytesIO(b"Kyiv"), 10) == b"Kyiv"


def test_a_gzip_bomb_is_stopped_after_a_few_megabytes():
    bomb = _bomb(1024)  # 1 GiB of zero bytes in about a megabyte
    assert len(bomb) < 2_000_000
    seen = 0
    with pytest.raises(TooLong, match="has a line longer than"):
        for line in gunzip_lines("bomb.jsonl.gz", bomb, 1_000_000):
            seen += len(line)
    assert seen == 0


def test_a_gzip_bomb_of_short_lines_is_stopped_by_its_ratio():
    bomb = _bomb(256, b'{"text": "Kyiv"}\n')  # 256 MiB of valid lines
    count = 0
    with pytest.raises(TooLong, match="decompression bomb"):
        for _ in gunzip_lines("many.jsonl.gz", bomb, 1_000_000):
            count += 1
    assert 0 < count < 256 * (1 << 20) // 17 // 4  # stopped well before the end


@settings(max_examples=100)
@given(st.lists(st.binary(max_size=40).map(lambda b: b.replace(b"\n", b"")), max_size=20), st.integers(1, 3))
def test_gzip_lines_are_the_lines_of_the_data(lines, members):
    data = b"\n".join(lines)
    compressed = b"".join(gzip.compress(part) for part in _split(data, members))
    assert list(gunzip_lines("x.gz", compressed, 10_000)) == data.split(b"\n")


def _split(data: bytes, parts: int) -> list[bytes]:
    size = -(-len(data) // parts) or 1
    return [data[i:i + size] for i in range(0, len(data), size)] or [b""]


def test_broken_gzip_is_an_input_error():
    with pytest.raises(InputError, match="not a valid gzip file"):
        list(gunzip_lines("x.gz", b"not gzip at all", 100))
    with pytest.raises(InputError, match="ends early"):
        list(gunzip_lines("x.gz", gzip.compress(b"Kyiv and Kherson " * 20)[:-12], 1000))
