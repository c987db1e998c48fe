import PluginABI

/// Who a call is for, as the host passes it to a handler; the Swift side of `emu_request_context`.
public struct CallContext: Sendable {
    public var accountId: String
    public var region: String
    public var requestId: String
    public var principalArn: String
    public var accessKeyId: String
    public var service: String
    public var operation: String
    public var viaService: String
    public var busDepth: UInt32
    /// False while the handler runs on the network event loop (it must answer EMU_ERR_WOULD_BLOCK to block).
    public var mayBlock: Bool = true

    /// Calls `body` with a C context whose strings borrow one buffer that lives for the call.
    func withCContext<R>(request: UnsafeMutableRawPointer?, _ body: (UnsafePointer<emu_request_context>) -> R) -> R {
        let fields = [accountId, region, requestId, principalArn, accessKeyId, service, operation, viaService]
        var storage: [UInt8] = []
        var ranges: [(Int, Int)] = []
        for field in fields {
            let start = storage.count
            storage.append(contentsOf: field.utf8)
            ranges.append((start, storage.count - start))
        }
        return storage.withUnsafeBufferPointer { buffer in
            let base = UnsafeRawPointer(buffer.baseAddress)?.assumingMemoryBound(to: CChar.self)
            func str(_ index: Int) -> emu_str {
                emu_str(ptr: base.map { $0 + ranges[index].0 }, len: ranges[index].1)
            }
            var ctx = emu_request_context(
                struct_size: UInt32(MemoryLayout<emu_request_context>.size),
                account_id: str(0), region: str(1), request_id: str(2), principal_arn: str(3),
                access_key_id: str(4), service: str(5), operation: str(6), via_service: str(7),
                bus_depth: busDepth, host_request: request, may_block: mayBlock)
            return withUnsafePointer(to: &ctx) { body($0) }
        }
    }
}

extension emu_request_context {
    /// Copies a borrowed C context back into Swift (bus calls start from the caller's context).
    var callContext: CallContext {
        CallContext(accountId: account_id.hostString, region: region.hostString, requestId: request_id.hostString,
                    principalArn: principal_arn.hostString, accessKeyId: access_key_id.hostString,
                    service: service.hostString, operation: operation.hostString,
                    viaService: via_service.hostString, busDepth: bus_depth,
                    mayBlock: struct_size >= UInt32(MemoryLayout<emu_request_context>.size) ? may_block : true)
    }
}

extension emu_str {
    /// Copies the borrowed bytes into a Swift string, repairing invalid UTF-8.
    var hostString: String {
        guard let ptr, len > 0 else { return "" }
        return ptr.withMemoryRebound(to: UInt8.self, capacity: len) {
            String(decoding: UnsafeBufferPointer(start: $0, count: len), as: UTF8.self)
        }
    }

    var hostBytes: [UInt8] {
        guard let ptr, len > 0 else { return [] }
        return ptr.withMemoryRebound(to: UInt8.self, capacity: len) { Array(UnsafeBufferPointer(start: $0, count: len)) }
    }
}
