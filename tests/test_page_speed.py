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


def test_on_widget_pages_only_scripts_after_requirejs_are_deferred():
    html = (
        '<script src="clipboard.min.js"></script><script src="_static/require.js"></script>'
        '<script src="widgets-offline.js"></script><script src="html-manager/embed-amd.js">'
        '</script><script src="searchtools.js"></script>'
    )
    assert page_speed.lighten(html) == html.replace(
        '<script src="searchtools.js">', '<script defer src="searchtools.js">'
    )


def test_solid_icons_use_the_font_awesome_6_class_name():
    assert (
        page_speed.lighten('<i class="fas fa-download"></i>')
        == '<i class="fa-solid fa-download"></i>'
    )


def test_icon_font_keeps_the_glyphs_of_used_classes_and_css_icons():
    css = (
        '.fa-bars:before{content:"\\f0c9"}.fa-beer:before{content:"\\f0fc"}'
        ':root{--pst-icon-info:"\uf05a"}.admonition-title:after{content:"\\f071"}'
    )
    assert page_speed.icon_characters([css], {'fa-bars'}) == {'\uf0c9', '\uf05a', '\uf071'}
