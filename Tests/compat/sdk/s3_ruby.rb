# S3 with SSE-KMS and client-side encryption through the AWS SDK for Ruby (Debian's ruby-aws-sdk-s3): its own
# REST-XML code, SigV4 signer (signed payloads, not UNSIGNED-PAYLOAD), Content-MD5 and flexible checksums,
# `Expect: 100-continue` for large bodies, the multipart `upload_file`, the presigner and the S3 Encryption Client.
# It runs a fixed scenario against AWSEMU_ENDPOINT and prints
# what the SDK observed as one JSON document; test_sdk_ruby.py judges it.
require "aws-sdk-kms"
require "aws-sdk-s3"
require "base64"
require "digest"
require "json"
require "net/http"
require "tempfile"

options = { endpoint: ENV.fetch("AWSEMU_ENDPOINT"), region: "us-east-1",
            credentials: Aws::Credentials.new("test", "test"), retry_limit: 0 }
s3 = Aws::S3::Client.new(**options, force_path_style: true)
kms = Aws::KMS::Client.new(**options)
out = { "sdk" => Aws::S3::GEM_VERSION }

def error_of
  yield
  nil
rescue Aws::S3::Errors::ServiceError => e
  { "class" => e.class.name, "code" => e.code, "message" => e.message }
end

bucket = "ruby-sdk-bucket"
s3.create_bucket(bucket: bucket)
key_arn = kms.create_key(description: "objects from ruby").key_metadata.arn

body = "sealed by ruby " * 10
put = s3.put_object(bucket: bucket, key: "sealed.txt", body: body, server_side_encryption: "aws:kms",
                    ssekms_key_id: key_arn, checksum_algorithm: "SHA256")
head = s3.head_object(bucket: bucket, key: "sealed.txt")
# With checksum_mode ENABLED the SDK checks the returned checksum against the body it reads.
got = s3.get_object(bucket: bucket, key: "sealed.txt", checksum_mode: "ENABLED")
out["sealed"] = { "body_equal" => got.body.read == body, "sse" => head.server_side_encryption,
                  "sse_key" => head.ssekms_key_id, "put_checksum" => put.checksum_sha256,
                  "checksum_validated" => got.context[:http_checksum][:validated],
                  "expected_checksum" => Base64.strict_encode64(Digest::SHA256.digest(body)),
                  "content_length" => head.content_length }

# 2 MiB: the SDK sends `Expect: 100-continue` and Content-MD5 for a body this size.
big = Random.new(7).bytes(2 * 1024 * 1024)
put_big = s3.put_object(bucket: bucket, key: "big.bin", body: big, content_md5: Base64.strict_encode64(Digest::MD5.digest(big)))
out["big"] = { "etag" => put_big.etag, "md5" => Digest::MD5.hexdigest(big),
               "equal" => s3.get_object(bucket: bucket, key: "big.bin").body.read.b == big }

# (Bodies are compared as bytes: the SDK hands them over labelled UTF-8.)
# upload_file: 11 MiB in 5 MiB parts, as a multipart upload.
file = Tempfile.new("ruby-upload")
file.binmode
file.write(Random.new(11).bytes(11 * 1024 * 1024))
file.flush
object = Aws::S3::Resource.new(client: s3).bucket(bucket).object("upload.bin")
object.upload_file(file.path, multipart_threshold: 5 * 1024 * 1024, server_side_encryption: "aws:kms")
out["upload_file"] = { "etag" => object.etag, "size" => object.content_length,
                       "equal" => s3.get_object(bucket: bucket, key: "upload.bin").body.read.b == File.binread(file.path),
                       "sse" => object.server_side_encryption }
file.close!

url = Aws::S3::Presigner.new(client: s3).presigned_url(:get_object, bucket: bucket, key: "sealed.txt", expires_in: 300)
response = Net::HTTP.get_response(URI(url))
out["presigned"] = { "status" => response.code.to_i, "equal" => response.body == body }

copy = s3.copy_object(bucket: bucket, key: "copy.txt", copy_source: "#{bucket}/sealed.txt")
out["copy"] = { "etag_present" => !copy.copy_object_result.etag.to_s.empty?,
                "body_equal" => s3.get_object(bucket: bucket, key: "copy.txt").body.read == body }

listed = s3.list_objects_v2(bucket: bucket, max_keys: 2).each_page.map { |page| page.contents.map(&:key) }
out["list"] = listed
deleted = s3.delete_objects(bucket: bucket, delete: { objects: [{ key: "copy.txt" }, { key: "big.bin" }] })
out["deleted"] = deleted.deleted.map(&:key).sort

# Client-side encryption: the S3 Encryption Client (v2) asks KMS for a data key under an encryption context, seals
# the body itself with AES-GCM and keeps the wrapped key in the object's metadata. (Debian's KMS client predates
# Decrypt's KeyId, which the encryption client passes; unvalidated, the old client leaves it out.)
kms_for_cse = Aws::KMS::Client.new(**options, validate_params: false)
cse_key = kms.create_key(description: "client-side encryption").key_metadata.key_id
cse = Aws::S3::EncryptionV2::Client.new(client: s3, kms_key_id: cse_key, kms_client: kms_for_cse,
                                        key_wrap_schema: :kms_context, content_encryption_schema: :aes_gcm_no_padding,
                                        security_profile: :v2)
cse.put_object(bucket: bucket, key: "client-side.txt", body: "sealed before it left ruby")
out["client_side"] = { "key" => "client-side.txt", "key_arn" => kms.describe_key(key_id: cse_key).key_metadata.arn,
                       "decrypted" => cse.get_object(bucket: bucket, key: "client-side.txt").body.read }

out["errors"] = {
  "no_key" => error_of { s3.get_object(bucket: bucket, key: "never-was") },
  "no_bucket" => error_of { s3.head_bucket(bucket: "ruby-no-such-bucket") },
  "not_empty" => error_of { s3.delete_bucket(bucket: bucket) },
  "bad_kms_key" => error_of {
    s3.put_object(bucket: bucket, key: "x", body: "x", server_side_encryption: "aws:kms",
                  ssekms_key_id: "arn:aws:kms:us-east-1:000000000000:key/00000000-0000-0000-0000-000000000000")
  },
}

# Versioning and ACLs through Ruby's own XML parser: versions and a delete marker listed together, an older version
# read by id, the marker's 404 headers, and the owner-only ACL of a bucket whose ACLs are disabled.
versioned = "ruby-sdk-versions"
s3.create_bucket(bucket: versioned)
s3.put_bucket_versioning(bucket: versioned, versioning_configuration: { status: "Enabled" })
ids = %w[old new].map { |text| s3.put_object(bucket: versioned, key: "k", body: text).version_id }
marker = s3.delete_object(bucket: versioned, key: "k")
listing = s3.list_object_versions(bucket: versioned)
hidden = begin
  s3.get_object(bucket: versioned, key: "k")
  nil
rescue Aws::S3::Errors::NoSuchKey => e
  e.context.http_response.headers["x-amz-delete-marker"]
end
acl = s3.get_bucket_acl(bucket: versioned)
out["versions"] = {
  "status" => s3.get_bucket_versioning(bucket: versioned).status,
  "ids_differ" => ids.uniq.size == 2 && !ids.include?("null"),
  "old_body" => s3.get_object(bucket: versioned, key: "k", version_id: ids[0]).body.read,
  "marker" => [marker.delete_marker, marker.version_id == listing.delete_markers.map(&:version_id).first],
  "listed" => listing.versions.map { |v| [v.version_id == ids[1] ? "new" : "old", v.is_latest] },
  "marker_latest" => listing.delete_markers.map(&:is_latest),
  "hidden_header" => hidden,
  "acl" => acl.grants.map { |g| [g.grantee.type, g.grantee.id == acl.owner.id, g.permission] },
}
puts JSON.generate(out)
