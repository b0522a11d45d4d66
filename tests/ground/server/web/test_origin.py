"""What counts as a request from another site (what a browser says in Origin and Sec-Fetch-Site)."""

import pytest

from ground.server.web.origin import cross_site


@pytest.mark.parametrize(("headers", "refused"), [
    ({"host": "127.0.0.1:8000"}, False),                                              # not a browser
    ({"host": "127.0.0.1:8000", "origin": "http://127.0.0.1:8000"}, False),           # the station's page
    ({"host": "127.0.0.1:8000", "origin": "http://127.0.0.1:8000", "sec-fetch-site": "same-origin"}, False),
    ({"host": "127.0.0.1:8000", "origin": "http://localhost:8000"}, True),            # another name: another origin
    ({"host": "127.0.0.1:8000", "origin": "http://127.0.0.1:9000"}, True),            # another port
    ({"host": "127.0.0.1:8000", "origin": "http://evil.example"}, True),
    ({"host": "127.0.0.1:8000", "origin": "null"}, True),                             # a sandboxed or file page
    ({"host": "127.0.0.1:8000", "sec-fetch-site": "cross-site"}, True),               # a form, no Origin
    ({"host": "127.0.0.1:8000", "sec-fetch-site": "same-site"}, True),
    ({"host": "127.0.0.1:8000", "sec-fetch-site": "none"}, False),                    # typed in the address bar
])
def test_cross_site(headers, refused):
    assert cross_site(headers) is refused
