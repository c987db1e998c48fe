import EmuPluginKit
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

    /// Calls `body` with a C context whose strings borrow the fields' own bytes for the call: no copy, no
    /// allocation, on a path every request takes (once, and again for each bus call).
    func withCContext<R>(request: UnsafeMutableRawPointer?, _ body: (UnsafePointer<emu_request_context>) -> R) -> R {
        withEmuString(accountId) { account in
            withEmuString(region) { region in
                withEmuString(requestId) { requestId in
                    withEmuString(principalArn) { principal in
                        withEmuString(accessKeyId) { accessKey in
                            withEmuString(service) { service in
                                withEmuString(operation) { operation in
                                    withEmuString(viaService) { via in
                                        var ctx = emu_request_context(
                                            struct_size: UInt32(MemoryLayout<emu_request_context>.size),
                                            account_id: account, region: region, request_id: requestId,
                                            principal_arn: principal, access_key_id: accessKey, service: service,
                                            operation: operation, via_service: via, bus_depth: busDepth,
                                            host_request: request, may_block: mayBlock)
                                        return withUnsafePointer(to: &ctx) { body($0) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
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
