/// A custom key store: an AWS CloudHSM cluster or an external key store (XKS) proxy that holds key material
/// outside KMS.
struct KmsCustomKeyStore: Sendable, Codable, Equatable {
    var id: String
    var name: String
    /// AWS_CLOUDHSM or EXTERNAL_KEY_STORE.
    var type: String
    var creationDate: Double
    /// CONNECTED, CONNECTING, FAILED, DISCONNECTED or DISCONNECTING.
    var connectionState: String = "DISCONNECTED"
    var connectionErrorCode: String?
    var cloudHsmClusterId: String?
    var trustAnchorCertificate: String?
    var keyStorePassword: String?
    var xksUriEndpoint: String?
    var xksUriPath: String?
    var xksConnectivity: String?
    var xksVpcEndpointServiceName: String?
    var xksVpcEndpointServiceOwner: String?
    var xksAccessKeyId: String?
    var xksSecretAccessKey: String?

    var isExternal: Bool { type == "EXTERNAL_KEY_STORE" }
    var isConnected: Bool { connectionState == "CONNECTED" }

    /// AWS caps custom key stores per account and region.
    static let limitPerRegion = 10
}
