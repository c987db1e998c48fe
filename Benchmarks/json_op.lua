-- wrk script: one AWS JSON 1.1 operation, as an SDK sends it. Set by bench.sh through the environment:
--   BENCH_TARGET   the X-Amz-Target, e.g. EchoService.Echo or TrentService.Encrypt
--   BENCH_BODY     the JSON body
--   BENCH_SERVICE  the signing name in the credential scope (default "echo"); the signature is not checked
wrk.method = "POST"
wrk.body = os.getenv("BENCH_BODY") or "{}"
wrk.headers["Content-Type"] = "application/x-amz-json-1.1"
wrk.headers["X-Amz-Target"] = os.getenv("BENCH_TARGET")
wrk.headers["X-Amz-Date"] = "20260101T000000Z"
wrk.headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/"
    .. (os.getenv("BENCH_SERVICE") or "echo")
    .. "/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
    .. "Signature=0000000000000000000000000000000000000000000000000000000000000000"
