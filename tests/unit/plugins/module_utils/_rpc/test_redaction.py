# -*- coding: utf-8 -*-
"""Transport URLs and secret scrubbing (``_rpc/redaction.py``)."""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.heat_rpc.engine.plugins.module_utils._rpc.redaction import MASK, ParsedTransportURL, Scrubber

URL = 'rabbit://heat:pa%40ss%2Fw0rd@broker1:5671,heat:pa%40ss%2Fw0rd@[fd00::2]/heat%2Fvhost?ssl=1'


def test_transport_url_with_failover_hosts_ipv6_and_encoded_password():
    url = ParsedTransportURL(URL)
    assert [(h.hostname, h.port) for h in url.hosts] == [('broker1', 5671), ('fd00::2', 5672)]
    assert url.passwords == ['pa@ss/w0rd', 'pa@ss/w0rd']
    assert url.virtual_host == 'heat/vhost'
    assert url.query_flag('ssl') is True
    assert url.hosts[1].address == '[fd00::2]:5672'
    assert url.redacted() == 'rabbit://heat:%s@broker1:5671,heat:%s@[fd00::2]:5672/heat%%2Fvhost?ssl=1' % (MASK, MASK)


def test_scrubber_masks_raw_and_encoded_passwords_and_shows_the_url_redacted():
    scrubber = Scrubber(['t0ken-value'])
    scrubber.add_url(URL)
    text = 'login pa@ss/w0rd failed; pa%40ss%2Fw0rd; pa%40ss/w0rd; token t0ken-value; url ' + URL
    scrubbed = scrubber.scrub(text)
    for secret in ('pa@ss/w0rd', 'pa%40ss%2Fw0rd', 'pa%40ss/w0rd', 't0ken-value'):
        assert secret not in scrubbed
    assert ParsedTransportURL(URL).redacted() in scrubbed
    assert scrubber.scrub({'a': [text], 'b': 3}) == {'a': [scrubbed], 'b': 3}
