"""Helpers for the KMS compat tests: error assertions and the host clock."""

import json

import botocore.config
import botocore.exceptions
import pytest

from awsemu_host import request


def aws_error(call, *args, **kwargs):
    """Runs a boto3 call that must fail; returns (code, message, http status)."""
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call(*args, **kwargs)
    error = info.value.response["Error"]
    return error["Code"], error.get("Message", ""), info.value.response["ResponseMetadata"]["HTTPStatusCode"]


def advance_clock(endpoint: str, seconds: float) -> None:
    """Moves the host clock forward (deletion windows, rotation) and lets plugins act on it."""
    response = request(endpoint, "POST", "/_emu/clock", json.dumps({"advanceSeconds": seconds}).encode())
    assert response.status == 200, response.body


def unvalidated(client, service="kms", **kw):
    """A client that sends what it is given, so the server's own validation answers (boto3 checks min/max first)."""
    config = botocore.config.Config(parameter_validation=False, retries={"total_max_attempts": 1})
    return client(service, config=config, **kw)
