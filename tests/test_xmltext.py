"""sopxl.ooxml.xmltext: the one escape and unescape of text in package parts."""

from __future__ import annotations

import pytest
from lxml import etree

from sopxl.ooxml.xmltext import escape, is_plain, unescape, xml_attr, xml_text

TEXTS = ["", "biasa", "a < b & c > d", 'kutip "ganda" dan \'tunggal\'', "baris\nbaru\tdan tab", "Rp 1.500 – 80 %"]


@pytest.mark.parametrize("text", TEXTS)
def test_element_text_round_trips_through_a_real_parser(text: str) -> None:
    root = etree.fromstring(f"<t>{xml_text(text)}</t>".encode())
    assert (root.text or "") == text
    assert unescape(xml_text(text)) == text


@pytest.mark.parametrize("text", TEXTS)
def test_attribute_round_trips_with_newlines_and_tabs(text: str) -> None:
    root = etree.fromstring(f'<a v="{xml_attr(text)}"/>'.encode())
    assert root.get("v") == text


def test_characters_xml_forbids_are_dropped_not_written() -> None:
    dirty = "a\x00b\x07c\x1fd\ufffee"
    assert xml_text(dirty) == "abcde"
    etree.fromstring(f"<t>{xml_text(dirty)}</t>".encode())  # a strict parser accepts it
    assert xml_attr("x\x0by") == "xy"


def test_unescape_reads_named_and_numeric_references() -> None:
    assert unescape("&lt;&gt;&amp;&quot;&apos;&#65;&#x42;") == "<>&\"'AB"
    assert unescape("&amp;lt;") == "&lt;"  # one level only
    assert unescape("&#99999999999;") == "&#99999999999;"  # out of range: left as written
    assert escape("<&>") == "&lt;&amp;&gt;"


def test_writing_xml_does_not_import_urllib() -> None:
    """xml.sax.saxutils pulls in urllib.request and http.client on every run."""
    import subprocess
    import sys

    code = (
        "import sys; import sopxl.ooxml.cells, sopxl.ooxml.notes, sopxl.writeback.catatan, sopxl.read.state; "
        "print('http.client' in sys.modules, 'xml.sax.saxutils' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "False"]


@pytest.mark.parametrize(
    ("value", "plain"),
    [
        ("Balai Diklat Hukum dan HAM", True),
        ("Pelatihan Teknis – tahap II (é, 漢字)", True),
        ("", True),
        (" awal", False),
        ("akhir ", False),
        ("a\tb", False),
        ("a\nb", False),
        ("a&b", False),
        ("a<b", False),
        ("a\x01b", False),
        ("\u00a0a", False),  # a no-break space at the start: a reader may trim it
    ],
)
def test_is_plain_means_the_text_goes_in_unchanged(value: str, plain: bool) -> None:
    """`is_plain` holds exactly where `xml_text` would change nothing and no whitespace
    needs keeping; the recap's cells take the short way only then and are the same XML."""
    from sopxl.recap.rows import text_cell

    assert is_plain(value) is plain
    if plain:
        assert xml_text(value) == value and value == value.strip()
    # the cell the long way (escaped, space kept where needed) is the same
    text = xml_text(value)
    keep = ' xml:space="preserve"' if text != text.strip() or "\n" in text or "\t" in text else ""
    assert text_cell("C", value, row=7) == f'<c r="C7" t="inlineStr"><is><t{keep}>{text}</t></is></c>'
