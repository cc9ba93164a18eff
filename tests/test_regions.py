"""`--region X,Y,W,H` read and checked against the screens, before and without Qt."""

from __future__ import annotations

import pytest

from visiondesk.regions import Rect, RegionError, checked, desktop, parse_region, screen_number

LEFT = Rect(-1920, 0, 1920, 1080)
"""A screen left of the primary one: negative X."""
PRIMARY = Rect(0, 0, 2880, 1800)
"""A 2x screen of 1440x900 logical pixels, in its device pixels."""


def test_a_region_is_four_whole_numbers() -> None:
    assert parse_region("10,20,300,200") == Rect(10, 20, 300, 200)
    assert parse_region(" -1900, 5 ,100,100 ") == Rect(-1900, 5, 100, 100)
    for text in ("10,20,300", "a,b,c,d", "1.5,0,10,10", "10x20+1+2", "", "1,2,3,4,5"):
        with pytest.raises(RegionError, match=r"X,Y,W,H in whole pixels"):
            parse_region(text)


def test_an_empty_region_is_refused_in_one_line() -> None:
    for text in ("0,0,0,10", "0,0,10,0", "5,5,-3,10"):
        with pytest.raises(RegionError, match="is empty") as refused:
            parse_region(text)
        assert "\n" not in str(refused.value)


def test_a_region_must_touch_some_screen() -> None:
    screens = [LEFT, PRIMARY]
    assert checked(Rect(-10, 10, 20, 20), screens) == Rect(-10, 10, 20, 20)  # across both
    assert checked(Rect(2870, 1790, 100, 100), screens) == Rect(2870, 1790, 100, 100)
    for outside in (Rect(2880, 0, 10, 10), Rect(-1930, 0, 10, 10), Rect(0, 1800, 5, 5)):
        with pytest.raises(RegionError, match="outside every screen") as refused:
            checked(outside, screens)
        assert "-1920,0,1920,1080; 0,0,2880,1800" in str(refused.value)


def test_the_desktop_holds_every_screen_and_screens_count_from_one() -> None:
    assert desktop([LEFT, PRIMARY]) == Rect(-1920, 0, 4800, 1800)
    assert screen_number(1, [LEFT, PRIMARY]) == LEFT
    for number in (0, 3):
        with pytest.raises(RegionError, match="this display has 2"):
            screen_number(number, [LEFT, PRIMARY])
    with pytest.raises(RegionError, match="reports none"):
        desktop([])


def test_overlaps() -> None:
    assert PRIMARY.intersection(Rect(-5, -5, 10, 10)) == Rect(0, 0, 5, 5)
    assert PRIMARY.intersection(LEFT) is None  # they only share an edge
