/// The compiler that built this image. Swift has no stable ABI on Linux, so the host refuses a Swift plugin
/// whose toolchain differs from its own; this string is how it tells.
public let swiftToolchainIdentifier: String = {
    #if compiler(>=6.5)
    return "swift-6.5+"
    #elseif compiler(>=6.4)
    return "swift-6.4"
    #elseif compiler(>=6.3)
    return "swift-6.3"
    #elseif compiler(>=6.2)
    return "swift-6.2"
    #else
    return "swift-older"
    #endif
}()
