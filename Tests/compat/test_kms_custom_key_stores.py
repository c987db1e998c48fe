"""Custom key stores: AWS CloudHSM (simulated cluster) and external key stores through a real XKS proxy that
verifies KMS's SigV4 signatures with botocore."""

import pytest

from awsemu_host import AwsemuHost, make_client
from kms_helpers import aws_error
from xks_proxy import ACCESS_KEY_ID, SECRET_ACCESS_KEY, XksProxy


@pytest.fixture(scope="module")
def host():
    with AwsemuHost(env={"SERVICES": "kms", "KMS_XKS_TIMEOUT_MS": "3000"}) as running:
        yield running


@pytest.fixture
def proxy():
    running = XksProxy()
    yield running
    running.stop()


def xks_store(kms, proxy, name="xks", secret=SECRET_ACCESS_KEY):
    return kms.create_custom_key_store(
        CustomKeyStoreName=name, CustomKeyStoreType="EXTERNAL_KEY_STORE", XksProxyUriEndpoint=proxy.endpoint,
        XksProxyUriPath=proxy.path, XksProxyConnectivity="PUBLIC_ENDPOINT",
        XksProxyAuthenticationCredential={"AccessKeyId": ACCESS_KEY_ID, "RawSecretAccessKey": secret})["CustomKeyStoreId"]


def state_of(kms, store_id):
    return kms.describe_custom_key_stores(CustomKeyStoreId=store_id)["CustomKeyStores"][0]


def test_external_key_store_end_to_end(host, proxy):
    kms = make_client(host.url, "kms", aws_access_key_id="101010101010")
    store_id = xks_store(kms, proxy)
    entry = state_of(kms, store_id)
    assert store_id.startswith("cks-") and entry["ConnectionState"] == "DISCONNECTED"
    assert entry["XksProxyConfiguration"] == {"Connectivity": "PUBLIC_ENDPOINT", "AccessKeyId": ACCESS_KEY_ID,
                                              "UriEndpoint": proxy.endpoint, "UriPath": proxy.path}
    code, _, _ = aws_error(kms.create_key, CustomKeyStoreId=store_id, Origin="EXTERNAL_KEY_STORE", XksKeyId="key-one")
    assert code == "CustomKeyStoreInvalidStateException"
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    assert state_of(kms, store_id)["ConnectionState"] == "CONNECTED"
    assert proxy.calls[-1][0] == "/health"
    meta = kms.create_key(CustomKeyStoreId=store_id, Origin="EXTERNAL_KEY_STORE", XksKeyId="key-one")["KeyMetadata"]
    assert meta["Origin"] == "EXTERNAL_KEY_STORE" and meta["CustomKeyStoreId"] == store_id
    assert meta["XksKeyConfiguration"] == {"Id": "key-one"}
    blob = kms.encrypt(KeyId=meta["KeyId"], Plaintext=b"double encrypted", EncryptionContext={"a": "b"})["CiphertextBlob"]
    route, metadata = proxy.calls[-1]
    assert route == "/keys/key-one/encrypt"
    assert metadata["kmsOperation"] == "Encrypt" and metadata["kmsKeyArn"] == meta["Arn"]
    assert metadata["awsPrincipalArn"] == "arn:aws:iam::101010101010:root"
    assert kms.decrypt(CiphertextBlob=blob, EncryptionContext={"a": "b"})["Plaintext"] == b"double encrypted"
    assert proxy.calls[-1][0] == "/keys/key-one/decrypt"
    assert aws_error(kms.decrypt, CiphertextBlob=blob, EncryptionContext={"a": "c"})[0] == "InvalidCiphertextException"
    data_key = kms.generate_data_key(KeyId=meta["KeyId"], KeySpec="AES_256")
    assert kms.decrypt(CiphertextBlob=data_key["CiphertextBlob"])["Plaintext"] == data_key["Plaintext"]
    # The external key really takes part: with another key at the proxy, the ciphertext no longer opens.
    proxy.keys["key-one"] = bytes(32)
    assert aws_error(kms.decrypt, CiphertextBlob=blob, EncryptionContext={"a": "b"})[0] == "InvalidCiphertextException"

    code, _, _ = aws_error(kms.create_key, CustomKeyStoreId=store_id, Origin="EXTERNAL_KEY_STORE", XksKeyId="key-one")
    assert code == "XksKeyAlreadyInUseException"
    code, _, _ = aws_error(kms.create_key, CustomKeyStoreId=store_id, Origin="EXTERNAL_KEY_STORE", XksKeyId="nope")
    assert code == "XksKeyNotFoundException"
    proxy.disabled.add("key-two")
    code, _, _ = aws_error(kms.create_key, CustomKeyStoreId=store_id, Origin="EXTERNAL_KEY_STORE", XksKeyId="key-two")
    assert code == "XksKeyInvalidConfigurationException"

    kms.disconnect_custom_key_store(CustomKeyStoreId=store_id)
    assert kms.describe_key(KeyId=meta["KeyId"])["KeyMetadata"]["KeyState"] == "Unavailable"
    code, message, _ = aws_error(kms.encrypt, KeyId=meta["KeyId"], Plaintext=b"x")
    assert (code, message) == ("KMSInvalidStateException", f"{meta['Arn']} is unavailable.")
    assert aws_error(kms.delete_custom_key_store, CustomKeyStoreId=store_id)[0] == "CustomKeyStoreHasCMKsException"


def test_proxy_down_and_bad_credentials(host, proxy):
    kms = make_client(host.url, "kms", aws_access_key_id="202020202020")
    store_id = xks_store(kms, proxy, name="down")
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    key = kms.create_key(CustomKeyStoreId=store_id, Origin="EXTERNAL_KEY_STORE", XksKeyId="key-one")["KeyMetadata"]
    proxy.stop()
    code, message, _ = aws_error(kms.encrypt, KeyId=key["KeyId"], Plaintext=b"x")
    assert code == "KMSInvalidStateException" and "not reachable" in message
    kms.disconnect_custom_key_store(CustomKeyStoreId=store_id)
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    entry = state_of(kms, store_id)
    assert (entry["ConnectionState"], entry["ConnectionErrorCode"]) == ("FAILED", "XKS_PROXY_NOT_REACHABLE")
    # A FAILED store is disconnected before it connects again; disconnecting a disconnected store is refused.
    assert aws_error(kms.connect_custom_key_store, CustomKeyStoreId=store_id)[0] == "CustomKeyStoreInvalidStateException"
    kms.disconnect_custom_key_store(CustomKeyStoreId=store_id)
    assert aws_error(kms.disconnect_custom_key_store, CustomKeyStoreId=store_id)[0] \
        == "CustomKeyStoreInvalidStateException"
    assert aws_error(kms.generate_random, NumberOfBytes=8, CustomKeyStoreId=store_id) \
        == ("UnsupportedOperationException", "External key store IDs are not valid for this parameter.", 400)

    other = XksProxy(prefix="/other")
    try:
        bad = xks_store(kms, other, name="bad-credentials", secret="W" * 43)
        kms.connect_custom_key_store(CustomKeyStoreId=bad)
        entry = state_of(kms, bad)
        assert (entry["ConnectionState"], entry["ConnectionErrorCode"]) == ("FAILED", "INVALID_CREDENTIALS")
    finally:
        other.stop()


def test_cloudhsm_key_store(host):
    kms = make_client(host.url, "kms", aws_access_key_id="303030303030")
    store_id = kms.create_custom_key_store(CustomKeyStoreName="hsm", CloudHsmClusterId="cluster-234abcdefgh",
                                           TrustAnchorCertificate="-----BEGIN CERTIFICATE-----x",
                                           KeyStorePassword="kmsuser-password")["CustomKeyStoreId"]
    assert aws_error(kms.create_custom_key_store, CustomKeyStoreName="hsm", CloudHsmClusterId="cluster-234abcdefgi",
                     TrustAnchorCertificate="x", KeyStorePassword="kmsuser-password")[0] \
        == "CustomKeyStoreNameInUseException"
    kms.connect_custom_key_store(CustomKeyStoreId=store_id)
    entry = state_of(kms, store_id)
    assert entry["ConnectionState"] == "CONNECTED" and entry["CloudHsmClusterId"] == "cluster-234abcdefgh"
    assert "KeyStorePassword" not in entry
    key = kms.create_key(CustomKeyStoreId=store_id, Origin="AWS_CLOUDHSM")["KeyMetadata"]
    assert key["CloudHsmClusterId"] == "cluster-234abcdefgh"
    assert "CurrentKeyMaterialId" not in key  # only AWS_KMS and EXTERNAL keys report it
    assert aws_error(kms.list_key_rotations, KeyId=key["KeyId"])[0] == "UnsupportedOperationException"
    assert len(kms.generate_random(NumberOfBytes=24, CustomKeyStoreId=store_id)["Plaintext"]) == 24
    assert aws_error(kms.generate_random, NumberOfBytes=8, CustomKeyStoreId="cks-1234567890abcdef0")[0] \
        == "CustomKeyStoreNotFoundException"
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"in the hsm")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"in the hsm"
    assert aws_error(kms.update_custom_key_store, CustomKeyStoreId=store_id, KeyStorePassword="another-password")[0] \
        == "CustomKeyStoreInvalidStateException"
    kms.update_custom_key_store(CustomKeyStoreId=store_id, NewCustomKeyStoreName="hsm-renamed")
    assert aws_error(kms.delete_custom_key_store, CustomKeyStoreId=store_id)[0] == "CustomKeyStoreInvalidStateException"
    kms.disconnect_custom_key_store(CustomKeyStoreId=store_id)
    assert aws_error(kms.decrypt, CiphertextBlob=blob)[0] == "KMSInvalidStateException"
    assert aws_error(kms.generate_random, NumberOfBytes=8, CustomKeyStoreId=store_id)[0] \
        == "CustomKeyStoreInvalidStateException"
    kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
    assert aws_error(kms.delete_custom_key_store, CustomKeyStoreId=store_id)[0] == "CustomKeyStoreHasCMKsException"
    assert aws_error(kms.describe_custom_key_stores, CustomKeyStoreId="cks-00000000000000000")[0] \
        == "CustomKeyStoreNotFoundException"


def test_ten_custom_key_stores_per_account_and_region(host):
    kms = make_client(host.url, "kms", aws_access_key_id="404040404040")
    for index in range(10):
        kms.create_custom_key_store(CustomKeyStoreName=f"quota-{index}", CloudHsmClusterId="cluster-" + "abcdefghijk"[index] + "bcdefghijk",
                                    TrustAnchorCertificate="-----BEGIN CERTIFICATE-----x",
                                    KeyStorePassword="kmsuser-password")
    code, *_ = aws_error(kms.create_custom_key_store, CustomKeyStoreName="quota-10", CloudHsmClusterId="cluster-zbcdefghijk",
                        TrustAnchorCertificate="-----BEGIN CERTIFICATE-----x", KeyStorePassword="kmsuser-password")
    assert code == "LimitExceededException"
    # The quota is per Region: another Region of the same account still has room.
    other = make_client(host.url, "kms", aws_access_key_id="404040404040", region_name="eu-west-1")
    other.create_custom_key_store(CustomKeyStoreName="quota-10", CloudHsmClusterId="cluster-zbcdefghijk",
                                  TrustAnchorCertificate="-----BEGIN CERTIFICATE-----x", KeyStorePassword="kmsuser-password")


def test_a_slow_proxy_times_out():
    import time

    with AwsemuHost(env={"SERVICES": "kms", "KMS_XKS_TIMEOUT_MS": "300"}) as running, XksProxy() as slow:
        kms = make_client(running.url, "kms")
        store_id = xks_store(kms, slow, name="slow")
        kms.connect_custom_key_store(CustomKeyStoreId=store_id)
        key = kms.create_key(CustomKeyStoreId=store_id, Origin="EXTERNAL_KEY_STORE", XksKeyId="key-one")["KeyMetadata"]
        slow.delay = 10.0  # far beyond the 300 ms timeout, so the bound below leaves a slow machine room
        started = time.monotonic()
        code, message, _ = aws_error(kms.encrypt, KeyId=key["KeyId"], Plaintext=b"x")
        assert time.monotonic() - started < 5, "KMS waited for the proxy beyond KMS_XKS_TIMEOUT_MS"
        assert code == "KMSInvalidStateException" and "did not answer in time" in message
        kms.disconnect_custom_key_store(CustomKeyStoreId=store_id)
        kms.connect_custom_key_store(CustomKeyStoreId=store_id)
        entry = state_of(kms, store_id)
        assert (entry["ConnectionState"], entry["ConnectionErrorCode"]) == ("FAILED", "XKS_PROXY_TIMED_OUT")


def test_vpc_key_stores_each_need_their_own_endpoint_service_and_dns_name(host):
    kms = make_client(host.url, "kms", aws_access_key_id="505050505050")

    def vpc_store(name, service, endpoint, path="/kms/xks/v1"):
        return kms.create_custom_key_store(
            CustomKeyStoreName=name, CustomKeyStoreType="EXTERNAL_KEY_STORE", XksProxyUriEndpoint=endpoint,
            XksProxyUriPath=path, XksProxyConnectivity="VPC_ENDPOINT_SERVICE", XksProxyVpcEndpointServiceName=service,
            XksProxyAuthenticationCredential={"AccessKeyId": ACCESS_KEY_ID, "RawSecretAccessKey": SECRET_ACCESS_KEY})

    service = "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0"
    vpc_store("first", service, "https://proxy-one.xks.example.com")
    assert aws_error(vpc_store, "second", service, "https://proxy-two.xks.example.com")[0] \
        == "XksProxyVpcEndpointServiceInUseException"
    assert aws_error(vpc_store, "third", service.replace("f0", "f1"), "https://proxy-one.xks.example.com",
                     path="/other/kms/xks/v1")[0] == "XksProxyUriEndpointInUseException"
    fourth = vpc_store("fourth", service.replace("f0", "f1"), "https://proxy-two.xks.example.com")["CustomKeyStoreId"]
    # The same rules hold when a store is updated.
    assert aws_error(kms.update_custom_key_store, CustomKeyStoreId=fourth, XksProxyVpcEndpointServiceName=service)[0] \
        == "XksProxyVpcEndpointServiceInUseException"
    assert aws_error(kms.update_custom_key_store, CustomKeyStoreId=fourth,
                     XksProxyUriEndpoint="https://proxy-one.xks.example.com", XksProxyUriPath="/other/kms/xks/v1")[0] \
        == "XksProxyUriEndpointInUseException"
    assert aws_error(kms.update_custom_key_store, CustomKeyStoreId=fourth, NewCustomKeyStoreName="first")[0] \
        == "CustomKeyStoreNameInUseException"
    kms.update_custom_key_store(CustomKeyStoreId=fourth, NewCustomKeyStoreName="fourth-renamed")
