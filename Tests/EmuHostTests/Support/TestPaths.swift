import Foundation

/// Where the package and its built products are, found from this source file so that the tests work from any
/// working directory (`swift test`, an IDE, CI).
enum TestPaths {
    /// The folder holding Package.swift: the first ancestor of this file that has one.
    static let packageRoot: URL = {
        var folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while folder.path != "/" {
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path) {
                return folder
            }
            folder.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }()

    /// The debug `awsemu` binary that `swift build` produced; the tests run the real executable.
    static var hostBinary: URL { packageRoot.appendingPathComponent(".build/debug/awsemu") }

    /// The folder the host binary really lives in (`.build/debug` is a symlink), where the Swift plugins are.
    static var buildProducts: URL { hostBinary.resolvingSymlinksInPath().deletingLastPathComponent() }

    static var abiHeaders: URL { packageRoot.appendingPathComponent("Sources/PluginABI/include") }

    static var badPluginSource: URL { packageRoot.appendingPathComponent("Tests/Fixtures/bad_plugin.c") }

    /// A fresh, empty temporary folder.
    static func makeTemporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("awsemu-tests-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }
}
