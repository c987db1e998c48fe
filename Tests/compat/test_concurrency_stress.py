"""Concurrency stress: many connections mix CreateKey, Encrypt, Decrypt, ScheduleKeyDeletion, CreateGrant,
RotateKeyOnDemand and TagResource on shared keys; afterwards every invariant is checked. Run it against a
ThreadSanitizer build with AWSEMU_BINARY=.build-tsan/debug/awsemu (see .ci/run) to catch data races.
"""

import os
import random
import threading

import botocore.exceptions

from awsemu_host import AwsemuHost, make_client

THREADS = int(os.environ.get("STRESS_THREADS", "12"))
ROUNDS = int(os.environ.get("STRESS_ROUNDS", "60"))


def test_mixed_load_on_shared_keys_keeps_every_invariant():
    with AwsemuHost(env={"SERVICES": "kms"}) as host:
        admin = make_client(host.url, "kms")
        shared = [admin.create_key()["KeyMetadata"]["KeyId"] for _ in range(4)]
        results = {"blobs": [], "grants": [], "rotations": {k: 0 for k in shared}, "tags": [], "doomed": [],
                   "created": [], "errors": []}
        lock = threading.Lock()

        def worker(index):
            kms = make_client(host.url, "kms")
            rng = random.Random(index)
            for round_ in range(ROUNDS):
                key = rng.choice(shared)
                action = rng.randrange(8)
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
        assert set(shared) | set(results["created"]) | set(results["doomed"]) == keys
        for doomed in results["doomed"]:
            assert admin.describe_key(KeyId=doomed)["KeyMetadata"]["KeyState"] == "PendingDeletion"
