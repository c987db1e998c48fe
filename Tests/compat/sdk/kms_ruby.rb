# KMS through the AWS SDK for Ruby (Debian's ruby-aws-sdk-kms): a client with its own JSON protocol code, SigV4
# signer, error parser and pager, none of them botocore's. It runs a fixed scenario against AWSEMU_ENDPOINT and
# prints what the SDK handed back as one JSON document; test_sdk_ruby.py judges it, checking the cryptography
# with boto3 and Python's `cryptography`.
require "aws-sdk-kms"
require "base64"
require "json"

kms = Aws::KMS::Client.new(endpoint: ENV.fetch("AWSEMU_ENDPOINT"), region: "us-east-1",
                           credentials: Aws::Credentials.new("test", "test"), retry_limit: 0)
out = { "sdk" => Aws::KMS::GEM_VERSION, "core" => Aws::CORE_GEM_VERSION }

# The error the SDK raised for a call: its class (from __type), code and message.
def error_of
  yield
  nil
rescue Aws::KMS::Errors::ServiceError => e
  { "class" => e.class.name, "code" => e.code, "message" => e.message }
end

created = kms.create_key(description: "ruby sdk key", tags: [{ tag_key: "team", tag_value: "ruby" }])
meta = created.key_metadata
out["create_key"] = { "key_id" => meta.key_id, "arn" => meta.arn, "state" => meta.key_state,
                      "usage" => meta.key_usage, "origin" => meta.origin, "manager" => meta.key_manager,
                      "enabled" => meta.enabled, "creation_date_class" => meta.creation_date.class.name }
key = meta.key_id

kms.create_alias(alias_name: "alias/ruby-sdk", target_key_id: key)
context = { "purpose" => "ruby", "a" => "bc" }
encrypted = kms.encrypt(key_id: "alias/ruby-sdk", plaintext: "hello from ruby", encryption_context: context)
out["encrypt"] = { "key_id" => encrypted.key_id, "blob" => Base64.strict_encode64(encrypted.ciphertext_blob) }
decrypted = kms.decrypt(ciphertext_blob: encrypted.ciphertext_blob, encryption_context: context)
out["decrypt"] = { "key_id" => decrypted.key_id, "plaintext" => decrypted.plaintext }
out["decrypt_other_context"] = error_of do
  kms.decrypt(ciphertext_blob: encrypted.ciphertext_blob, encryption_context: { "purpose" => "ruby", "ab" => "c" })
end

# A blob made by another client (boto3, in the test) comes in through the environment.
if ENV["FOREIGN_BLOB"]
  foreign = kms.decrypt(ciphertext_blob: Base64.strict_decode64(ENV["FOREIGN_BLOB"]))
  out["decrypt_foreign"] = { "key_id" => foreign.key_id, "plaintext" => foreign.plaintext }
end

data_key = kms.generate_data_key(key_id: key, key_spec: "AES_256", encryption_context: context)
out["data_key"] = { "plaintext" => Base64.strict_encode64(data_key.plaintext),
                    "blob" => Base64.strict_encode64(data_key.ciphertext_blob), "key_id" => data_key.key_id }
re_encrypted = kms.re_encrypt(ciphertext_blob: data_key.ciphertext_blob, source_encryption_context: context,
                              destination_key_id: key)
out["re_encrypt"] = { "source" => re_encrypted.source_key_id, "destination" => re_encrypted.key_id,
                      "plaintext" => Base64.strict_encode64(kms.decrypt(ciphertext_blob: re_encrypted.ciphertext_blob).plaintext) }
out["random_length"] = kms.generate_random(number_of_bytes: 64).plaintext.bytesize

out["tags"] = kms.list_resource_tags(key_id: key).tags.map { |t| [t.tag_key, t.tag_value] }
policy = kms.get_key_policy(key_id: key, policy_name: "default").policy
out["policy_sid"] = JSON.parse(policy)["Statement"].map { |s| s["Sid"] }

# The SDK's pager follows Truncated/NextMarker on its own.
3.times { |i| kms.create_key(description: "page #{i}") }
pages = kms.list_keys(limit: 2).each_page.map { |page| page.keys.map(&:key_id) }
out["list_keys_pages"] = pages.map(&:size)
out["list_keys_total"] = pages.flatten.uniq.size

grant = kms.create_grant(key_id: key, grantee_principal: "arn:aws:iam::000000000000:role/ruby",
                         operations: ["Encrypt", "Decrypt"])
out["grants"] = kms.list_grants(key_id: key).grants.map { |g| [g.grant_id == grant.grant_id, g.operations.sort] }
kms.revoke_grant(key_id: key, grant_id: grant.grant_id)

# AWS's errors, as this SDK's parser reads them (class from __type, message from the body).
out["errors"] = {
  "not_found" => error_of { kms.describe_key(key_id: "alias/does-not-exist") },
  "too_many_bytes" => error_of { kms.generate_random(number_of_bytes: 1025) },
  "garbage_blob" => error_of { kms.decrypt(ciphertext_blob: "not a kms blob at all") },
  "alias_exists" => error_of { kms.create_alias(alias_name: "alias/ruby-sdk", target_key_id: key) },
  "reserved_alias" => error_of { kms.create_alias(alias_name: "alias/aws/ruby", target_key_id: key) },
  "bad_window" => error_of { kms.schedule_key_deletion(key_id: key, pending_window_in_days: 3) },
}
kms.disable_key(key_id: key)
out["errors"]["disabled"] = error_of { kms.encrypt(key_id: key, plaintext: "x") }
kms.enable_key(key_id: key)

deletion = kms.schedule_key_deletion(key_id: key, pending_window_in_days: 7)
out["deletion"] = { "key_id" => deletion.key_id, "date_class" => deletion.deletion_date.class.name,
                    "state" => kms.describe_key(key_id: key).key_metadata.key_state }
out["errors"]["pending_deletion"] = error_of { kms.encrypt(key_id: key, plaintext: "x") }
kms.cancel_key_deletion(key_id: key)
out["after_cancel"] = kms.describe_key(key_id: key).key_metadata.key_state
kms.enable_key(key_id: key)  # the test opens this key's blobs with boto3 afterwards

puts JSON.generate(out)
