"""Concurrency stress: many connections mix CreateKey, Encrypt, Decrypt, ScheduleKeyDeletion, CreateGrant,
RotateKeyOnDemand, TagResource, and Sign and Verify (which borrow pooled OpenSSL contexts per key) on shared keys;
afterwards every invariant is checked, every signature with Python's cryptography. Run it against a
ThreadSanitizer build with AWSEMU_BINARY=.build-tsan/debug/awsemu (see .ci/run) to catch data races.
"""

import os
import random
import threading

import botocore.exceptions
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding

from awsemu_host import AwsemuHost, make_client

THREADS = int(os.environ.get("STRESS_THREADS", "12"))
ROUNDS = int(os.environ.get("STRESS_ROUNDS", "60"))


def test_mixed_load_on_shared_keys_keeps_every_invariant():
    with AwsemuHost(env={"SERVICES": "kms"}) as host:
        admin = make_client(host.url, "kms")
        shared = [admin.create_key()["KeyMetadata"]["KeyId"] for _ in range(4)]
        signers = {algorithm: admin.create_key(KeySpec=spec, KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
                   for algorithm, spec in (("ECDSA_SHA_256", "ECC_NIST_P256"), ("RSASSA_PSS_SHA_256", "RSA_2048"))}
        results = {"blobs": [], "grants": [], "rotations": {k: 0 for k in shared}, "tags": [], "doomed": [],
                   "created": [], "signatures": [], "errors": []}
        lock = threading.Lock()

        def worker(index):
            kms = make_client(host.url, "kms")
            rng = random.Random(index)
            for round_ in range(ROUNDS):
                key = rng.choice(shared)
                action = rng.randrange(9)
                try:
                    if action in (0, 1, 2):
                        plaintext = os.urandom(rng.randrange(1, 200))
                        context = {"thread": str(index), "round": str(round_)}
                        blob = kms.encrypt(KeyId=key, Plaintext=plaintext, EncryptionContext=context)["CiphertextBlob"]
                        assert kms.decrypt(CiphertextBlob=blob, EncryptionContext=context)["Plaintext"] == plaintext
                        with lock:
                            results["blobs"].append((blob, plaintext, context))
                    elif action == 3:
                        grant = kms.create_grant(KeyId=key, GranteePrincipal=f"arn:aws:iam::000000000000:role/t{index}",
                                                 Operations=["Decrypt"])
                        with lock:
                            results["grants"].append((key, grant["GrantId"]))
                    elif action == 4:
                        kms.rotate_key_on_demand(KeyId=key)
                        with lock:
                            results["rotations"][key] += 1
                    elif action == 5:
                        kms.tag_resource(KeyId=key, Tags=[{"TagKey": f"t{index}", "TagValue": str(round_)}])
                        with lock:
                            results["tags"].append((key, f"t{index}"))
                    elif action == 8:
                        algorithm = rng.choice(sorted(signers))
                        message = os.urandom(rng.randrange(1, 300))
                        signature = kms.sign(KeyId=signers[algorithm], Message=message,
                                             SigningAlgorithm=algorithm)["Signature"]
                        assert kms.verify(KeyId=signers[algorithm], Message=message, Signature=signature,
                                          SigningAlgorithm=algorithm)["SignatureValid"]
                        with lock:
                            results["signatures"].append((algorithm, message, signature))
                    elif action == 6:
                        created = kms.create_key()["KeyMetadata"]["KeyId"]
                        with lock:
                            results["created"].append(created)
                    else:
                        doomed = kms.create_key()["KeyMetadata"]["KeyId"]
                        kms.schedule_key_deletion(KeyId=doomed, PendingWindowInDays=7)
                        with lock:
                            results["doomed"].append(doomed)
                except botocore.exceptions.ClientError as error:
                    code = error.response["Error"]["Code"]
                    if code != "LimitExceededException":  # 25 on-demand rotations per key is AWS's limit
                        with lock:
                            results["errors"].append(code)
                except Exception as error:  # a dropped connection or a 5xx is a failure
                    with lock:
                        results["errors"].append(repr(error))

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=600)
        assert results["errors"] == []

        for blob, plaintext, context in results["blobs"]:
            assert admin.decrypt(CiphertextBlob=blob, EncryptionContext=context)["Plaintext"] == plaintext
        for key in shared:
            rotations = admin.list_key_rotations(KeyId=key, Limit=1000)["Rotations"]
            assert len(rotations) == min(results["rotations"][key], 25)
            grants = set()
            page = admin.list_grants(KeyId=key, Limit=1000)
            grants.update(g["GrantId"] for g in page["Grants"])
            assert {grant for k, grant in results["grants"] if k == key} == grants
            tags = {t["TagKey"] for t in admin.list_resource_tags(KeyId=key, Limit=50)["Tags"]}
            assert {tag for k, tag in results["tags"] if k == key} == tags
        keys = set()
        page = admin.list_keys(Limit=1000)
        keys.update(k["KeyId"] for k in page["Keys"])
        assert set(shared) | set(signers.values()) | set(results["created"]) | set(results["doomed"]) == keys
        public_keys = {algorithm: serialization.load_der_public_key(admin.get_public_key(KeyId=key)["PublicKey"])
                       for algorithm, key in signers.items()}
        assert results["signatures"]
        for algorithm, message, signature in results["signatures"]:
            if algorithm == "ECDSA_SHA_256":
                public_keys[algorithm].verify(signature, message, ec.ECDSA(hashes.SHA256()))
            else:
                public_keys[algorithm].verify(signature, message, padding.PSS(mgf=padding.MGF1(hashes.SHA256()),
                                                                              salt_length=32), hashes.SHA256())
        for doomed in results["doomed"]:
            assert admin.describe_key(KeyId=doomed)["KeyMetadata"]["KeyState"] == "PendingDeletion"
