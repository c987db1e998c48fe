"""Bodies that once took the whole host down: Foundation's XMLParser traps on names that are not UTF-8 (found by
the libFuzzer target, Sources/FuzzRequests). S3 must answer MalformedXML and keep serving."""

import base64
import hashlib

from awsemu_host import make_client, request


def test_invalid_utf8_in_xml_names_is_malformed_xml(endpoint):
    s3 = make_client(endpoint, "s3")
    s3.create_bucket(Bucket="malformed-xml")
    for body in (b'<Delete a\xff="1"/>', b"<D\xffelete/>", b'<Delete xmlns:\xff="u"/>'):
        md5 = base64.b64encode(hashlib.md5(body).digest()).decode()
        response = request(endpoint, "POST", "/malformed-xml?delete", body,
                           {"Content-Type": "application/xml", "Content-MD5": md5})
        assert response.status == 400, response.body
        assert b"<Code>MalformedXML</Code>" in response.body
    assert request(endpoint, "GET", "/_emu/health").status == 200
