/// One row of a JSON service's operation table: the AWS operation, how the host may run it, and the handler over
/// the plugin's service object and its validated input. KMS and Secrets Manager declare their tables with it.
public struct JSONOperation<Service: Sendable>: Sendable {
    public typealias Handler = @Sendable (Service, RequestContext, JSONValue) throws -> JSONValue

    public var name: String
    /// The handler is fast and never blocks, so the host may run it on its event loop.
    public var nonBlocking: Bool
    /// The handler changes state that persistence must commit before the answer leaves.
    public var mutating: Bool
    public var handler: Handler

    public init(name: String, nonBlocking: Bool, mutating: Bool, handler: @escaping Handler) {
        self.name = name
        self.nonBlocking = nonBlocking
        self.mutating = mutating
        self.handler = handler
    }

    /// The table as the operations a `ServiceDefinition` declares, each entering the plugin through `dispatch`
    /// (where the plugin parses, validates and calls the row's handler). An error leaves with its message under the
    /// member the service's model names for it (`exceptionMessageMembers`, from the generated model): AWS writes a
    /// modelled exception as its shape, `Message` for Secrets Manager's, `message` for KMS's.
    public static func definitions(
        _ table: [JSONOperation], exceptionMessageMembers: [String: String],
        dispatch: @escaping @Sendable (JSONOperation, RequestContext, UnsafeRawBufferPointer) throws -> OperationOutput
    ) -> [OperationDefinition] {
        table.map { operation in
            OperationDefinition(operation.name, nonBlocking: operation.nonBlocking, mutating: operation.mutating) {
                context, body in
                do {
                    return try dispatch(operation, context, body)
                } catch let error as AWSError {
                    throw error.modelled(by: exceptionMessageMembers)
                }
            }
        }
    }
}
