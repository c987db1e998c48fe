import EmuPluginKit
import Logging
import PluginABI

/// The `emu_host_api` table handed to every plugin: plain C functions that forward to `HostRuntime.current`.
enum HostAPITable {
    nonisolated(unsafe) static let pointer: UnsafePointer<emu_host_api> = {
        let table = UnsafeMutablePointer<emu_host_api>.allocate(capacity: 1)
        table.initialize(to: emu_host_api(
            struct_size: UInt32(MemoryLayout<emu_host_api>.size),
            abi_major: EMU_ABI_MAJOR,
            abi_minor: EMU_ABI_MINOR,
            log: { level, plugin, message in
                guard let runtime = HostRuntime.current else { return }
                var logger = runtime.logger
                logger[metadataKey: "plugin"] = "\(plugin.hostString)"
                logger.log(level: level.swiftLogLevel, "\(message.hostString)")
            },
            set_status: { writer, status in
                guard let writer else { return }
                Unmanaged<ResponseWriter>.fromOpaque(UnsafeRawPointer(writer)).takeUnretainedValue().status = status
            },
            add_header: { writer, name, value in
                guard let writer else { return }
                guard ResponseHeaderCheck.isSafe(name: name, value: value) else {
                    HostRuntime.current?.logger.warning(
                        "a plugin's response header was dropped: its name is not an HTTP token or its value holds CR, LF or NUL")
                    return
                }
                Unmanaged<ResponseWriter>.fromOpaque(UnsafeRawPointer(writer)).takeUnretainedValue().headers
                    .append((name.hostString, value.hostString))
            },
            respond: { writer, body, length in
                guard let writer, let body, length > 0 else { return }
                Unmanaged<ResponseWriter>.fromOpaque(UnsafeRawPointer(writer)).takeUnretainedValue().body
                    .append(contentsOf: UnsafeBufferPointer(start: body, count: length))
            },
            respond_error: { writer, code, message, status in
                guard let writer else { return }
                Unmanaged<ResponseWriter>.fromOpaque(UnsafeRawPointer(writer)).takeUnretainedValue()
                    .fail(code.hostString, message.hostString, status: status == 0 ? 400 : status)
            },
            bus_call: { ctx, service, operation, input, inputLength, onResult, userData in
                guard let runtime = HostRuntime.current, let ctx, let onResult else { return EMU_ERR_INVALID_ARGUMENT }
                let body = UnsafeRawBufferPointer(start: input, count: input == nil ? 0 : inputLength)
                let (status, writer) = runtime.busCall(caller: ctx, serviceId: service.hostString,
                                                       operation: operation.hostString, input: body)
                guard status == EMU_OK, let writer else { return status }
                if let stream = writer.stream {
                    // A bus answer is one buffer by contract: a callee that streamed is drained here.
                    writer.stream = nil
                    do { writer.body = try stream.drain() } catch {
                        writer.fail("InternalFailure", "The callee's streamed answer failed.", status: 500)
                    }
                }
                let code = writer.error?.code ?? ""
                let message = writer.error?.message ?? ""
                let httpStatus = writer.error?.status ?? writer.status
                withCStrings(code, message) { codeStr, messageStr in
                    writer.body.withUnsafeBufferPointer { bodyBuffer in
                        var result = emu_bus_result(
                            struct_size: UInt32(MemoryLayout<emu_bus_result>.size), http_status: httpStatus,
                            error_code: codeStr, error_message: messageStr, body: bodyBuffer.baseAddress,
                            body_len: bodyBuffer.count)
                        onResult(userData, &result)
                    }
                }
                return EMU_OK
            },
            state_put: { ctx, ns, key, value, length in
                guard let ctx else { return EMU_ERR_INVALID_ARGUMENT }
                let bytes = value.map { Array(UnsafeBufferPointer(start: $0, count: length)) } ?? []
                return HostRuntime.current?.recordChange(ctx, namespace: ns.hostString, key: key.hostString,
                                                         value: bytes) ?? EMU_ERR_INTERNAL
            },
            state_delete: { ctx, ns, key in
                guard let ctx else { return EMU_ERR_INVALID_ARGUMENT }
                return HostRuntime.current?.recordChange(ctx, namespace: ns.hostString, key: key.hostString,
                                                         value: nil) ?? EMU_ERR_INTERNAL
            },
            identity_lookup: { accessKey, onFound, userData in
                guard let runtime = HostRuntime.current, let onFound else { return EMU_ERR_INVALID_ARGUMENT }
                guard let identity = runtime.identities.lookup(accessKey.hostString) else { return EMU_ERR_NOT_FOUND }
                withCStrings(identity.accountId, identity.principalArn) { account, principal in
                    var found = emu_identity(struct_size: UInt32(MemoryLayout<emu_identity>.size),
                                             account_id: account, principal_arn: principal)
                    onFound(userData, &found)
                }
                return EMU_OK
            },
            identity_register: { accessKey, secret, account, principal, expires in
                guard let runtime = HostRuntime.current, accessKey.len > 0 else { return EMU_ERR_INVALID_ARGUMENT }
                runtime.identities.register(
                    accessKeyId: accessKey.hostString,
                    identity: Identity(accountId: account.hostString, principalArn: principal.hostString,
                                       secretAccessKey: secret.hostString,
                                       expiresMilliseconds: expires > 0 ? expires : nil))
                return EMU_OK
            },
            clock_now_ms: {
                HostRuntime.current?.clock.nowMilliseconds() ?? 0
            },
            persistence_enabled: {
                HostRuntime.current?.configuration.persistence ?? false
            },
            config_get: { name, onValue, userData in
                guard let runtime = HostRuntime.current, let onValue,
                    let value = runtime.configuration.environment[name.hostString]
                else { return false }
                withEmuString(value) { valueStr in onValue(userData, valueStr) }
                return true
            },
            http_call: { method, url, headers, headerCount, body, bodyLength, timeoutMs, onResult, userData in
                guard let onResult else { return EMU_ERR_INVALID_ARGUMENT }
                var requestHeaders: [(String, String)] = []
                if let headers {
                    for index in 0..<headerCount {
                        requestHeaders.append((headers[index].name.hostString, headers[index].value.hostString))
                    }
                }
                let payload = body.map { Array(UnsafeBufferPointer(start: $0, count: bodyLength)) }
                let outcome = OutboundHTTPClient.request(url.hostString, method: method.hostString,
                                                         headers: requestHeaders, body: payload,
                                                         timeout: Double(max(timeoutMs, 1)) / 1000)
                switch outcome {
                case .success(let response):
                    var storage: [String] = []
                    for (name, value) in response.headers { storage += [name, value] }
                    withCStringList(storage) { strings in
                        let cHeaders = (0..<response.headers.count).map {
                            emu_header(name: strings[2 * $0], value: strings[2 * $0 + 1])
                        }
                        cHeaders.withUnsafeBufferPointer { headerBuffer in
                            response.body.withUnsafeBufferPointer { bodyBuffer in
                                var result = emu_http_result(
                                    struct_size: UInt32(MemoryLayout<emu_http_result>.size),
                                    status: UInt32(response.status), error_message: emu_str(ptr: nil, len: 0),
                                    headers: headerBuffer.baseAddress, header_count: headerBuffer.count,
                                    body: bodyBuffer.baseAddress, body_len: bodyBuffer.count)
                                onResult(userData, &result)
                            }
                        }
                    }
                case .failure(let error):
                    withEmuString(error.description) { message in
                        var result = emu_http_result(
                            struct_size: UInt32(MemoryLayout<emu_http_result>.size), status: 0,
                            error_message: message, headers: nil, header_count: 0, body: nil, body_len: 0)
                        onResult(userData, &result)
                    }
                }
                return EMU_OK
            },
            read_body: { request, buffer, capacity, outLength in
                guard let request, let outLength, request.pointee.body_streamed,
                    let spooled = request.pointee.host_body
                else { return EMU_ERR_INVALID_ARGUMENT }
                let body = Unmanaged<SpooledBody>.fromOpaque(spooled).takeUnretainedValue()
                guard let count = body.read(into: UnsafeMutableRawBufferPointer(start: buffer, count: buffer == nil ? 0 : capacity))
                else { return EMU_ERR_STORAGE }
                outLength.pointee = count
                return EMU_OK
            },
            respond_stream: { writer, length, source in
                guard let writer, let source else { return }
                let stream = ResponseBodyStream(length: length, source: source.pointee)
                let response = Unmanaged<ResponseWriter>.fromOpaque(UnsafeRawPointer(writer)).takeUnretainedValue()
                guard response.error == nil else { return stream.close() }
                response.stream?.close()
                response.stream = stream
                response.body = []
            },
            respond_error_fields: { writer, code, message, status, fields, count in
                guard let writer else { return }
                let response = Unmanaged<ResponseWriter>.fromOpaque(UnsafeRawPointer(writer)).takeUnretainedValue()
                var kept: [AWSErrorField] = []
                for index in 0..<(fields == nil ? 0 : count) {
                    let field = AWSErrorField(fields![index].name.hostString, fields![index].value.hostString)
                    // `Message` means something only to a plugin of ABI 1.5 or later; to an older one it is reserved.
                    let instruction = field.name == AWSErrorField.capitalizedMessage && response.pluginABIMinor >= 5
                    guard AWSErrorField.isAllowed(name: field.name) || instruction else {
                        HostRuntime.current?.logger.warning(
                            "a plugin's error member was dropped: its name is not a plain XML name or is reserved")
                        continue
                    }
                    kept.append(field)
                }
                response.fail(code.hostString, message.hostString, status: status == 0 ? 400 : status, fields: kept)
            }))
        return UnsafePointer(table)
    }()
}

/// Calls `body` with `emu_str`s borrowing every string's bytes from one buffer.
private func withCStringList<R>(_ strings: [String], _ body: ([emu_str]) -> R) -> R {
    var storage: [UInt8] = []
    var spans: [(Int, Int)] = []
    for string in strings {
        spans.append((storage.count, string.utf8.count))
        storage.append(contentsOf: string.utf8)
    }
    return storage.withUnsafeBufferPointer { buffer in
        let base = UnsafeRawPointer(buffer.baseAddress)?.assumingMemoryBound(to: CChar.self)
        return body(spans.map { span in emu_str(ptr: base.map { $0 + span.0 }, len: span.1) })
    }
}

/// Calls `body` with two `emu_str`s borrowing the strings' bytes.
private func withCStrings<R>(_ a: String, _ b: String, _ body: (emu_str, emu_str) -> R) -> R {
    withEmuString(a) { a in withEmuString(b) { b in body(a, b) } }
}

extension emu_log_level {
    var swiftLogLevel: Logger.Level {
        switch self {
        case EMU_LOG_TRACE: return .trace
        case EMU_LOG_DEBUG: return .debug
        case EMU_LOG_INFO: return .info
        case EMU_LOG_NOTICE: return .notice
        case EMU_LOG_WARNING: return .warning
        default: return .error
        }
    }
}
