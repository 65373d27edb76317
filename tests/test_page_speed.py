"""The build-time page lightening of _ext/page_speed.py, on small pages."""

import sys

from conftest import ROOT

sys.path.insert(0, str(ROOT / '_ext'))
import page_speed  # noqa: E402


def test_head_scripts_are_deferred_and_the_icon_script_dropped():
    html = (
        '<script src="a.js"></script><script defer src="b.js"></script>'
        '<script src="_static/scripts/fontawesome.js?digest=1"></script>'
        '<script type="application/json">{}</script><script>inline()</script>'
    )
    assert page_speed.lighten(html) == (
        '<script defer src="a.js"></script>'
        '<script defer src="b.js"></script>'
        '<script type="application/json">{}</script>'
        '<script>inline()</script>'
    )


def test_scripts_that_are_already_deferred_or_not_javascript_are_left_alone():
    html = (
        '<script defer src="widgets-static.js"></script>'
        '<script type="application/vnd.jupyter.widget-state+json">{}</script>'
    )
    assert page_speed.lighten(html) == html


def test_icon_font_keeps_the_glyphs_of_used_classes_and_css_icons():
    css = (
        '.fa-bars:before{content:"\\f0c9"}.fa-beer:before{content:"\\f0fc"}'
        ':root{--pst-icon-info:"\uf05a"}.admonition-title:after{content:"\\f071"}'
    )
    assert page_speed.icon_characters([css], {'fa-bars'}) == {'\uf0c9', '\uf05a', '\uf071'}
